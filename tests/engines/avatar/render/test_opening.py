"""The opening between the lips: smooth edges without shoulders next to the corners, a feathered rim, nothing
past the corners.

On a big face (the side-lit portrait had 174 px between the eyes) the interior used to be an octagon: the
jaw moved the whole lower lip as one while the corners moved half, and the mask joined the points. The
edge's second difference along the mouth measures such kinks: a corner of the polygon is a jump in slope
within a column or two (0.55–0.8 px before), a smooth lens stays near 0.05 px.
"""

from __future__ import annotations

import numpy as np
import pytest

from kinema.engines.avatar.face import Portrait
from kinema.engines.avatar.landmarks import INNER_CORNER_L, INNER_CORNER_R, INNER_LOWER, INNER_UPPER
from kinema.engines.avatar.render import Frame, Rig
from kinema.engines.avatar.render.opening import find_opening, smooth_curve, smooth_edges

from ..portraits import zoomed_portrait

OPEN_FRAMES = (
    Frame(open=0.9, tongue=0.6, width=0.15),
    Frame(open=0.3, width=-0.9),
    Frame(open=0.6, width=0.3, yaw=0.08, roll=0.05),
)


@pytest.fixture(scope="module")
def big(astronaut: Portrait) -> Rig:
    return Rig(zoomed_portrait(astronaut, 160))


def half_crossing(seq: np.ndarray) -> float:
    """Sub-pixel index where ``seq`` first reaches 0.5 (linear between samples)."""
    i = int(np.nonzero(seq >= 0.5)[0][0])
    if i == 0:
        return 0.0
    return i - 1 + (0.5 - seq[i - 1]) / (seq[i] - seq[i - 1])


def edge_kink(alpha: np.ndarray, x0: int, corners: tuple[float, float]) -> float:
    """Largest second difference (px) of the upper or lower edge (alpha = 0.5) between the corners, the
    outer 8 % of the width on each side left out (the corner tips are meant to be pointed), and columns
    where the opening is too thin to cover two pixels fully (there the two crossings merge)."""
    xa, xb = sorted(corners)
    margin = 0.08 * (xb - xa)
    tops, bottoms = [], []
    for j in range(alpha.shape[1]):
        col = alpha[:, j]
        if not xa + margin <= x0 + j <= xb - margin or (col >= 0.95).sum() < 2:
            continue
        tops.append(half_crossing(col))
        bottoms.append(len(col) - 1 - half_crossing(col[::-1]))
    if len(tops) < 5:
        return float("nan")  # too narrow to judge (a failing comparison in a test)
    return float(max(np.abs(np.diff(tops, 2)).max(), np.abs(np.diff(bottoms, 2)).max()))


@pytest.mark.parametrize("f", OPEN_FRAMES)
def test_the_open_mouth_on_a_big_face_has_smooth_edges(big: Rig, f: Frame) -> None:
    dst = big.dest_points(f)
    m = find_opening(dst, big.w, big.h, big.iod)
    assert m is not None and m.gap > 3
    assert edge_kink(m.alpha, m.x0, (dst[INNER_CORNER_R, 0], dst[INNER_CORNER_L, 0])) < 0.2


def test_the_rim_is_feathered_over_a_few_pixels_on_a_big_face(big: Rig) -> None:
    dst = big.dest_points(OPEN_FRAMES[0])
    m = find_opening(dst, big.w, big.h, big.iod)
    assert m is not None
    col = m.alpha[:, round(m.xc) - m.x0]
    ramp = (col > 0.05) & (col < 0.95)
    top, bottom = ramp[: int(np.argmax(col))], ramp[int(np.argmax(col)):]
    assert top.sum() >= 0.015 * big.iod and bottom.sum() >= 0.015 * big.iod
    assert col.max() == pytest.approx(1.0) and col[0] == 0 and col[-1] == 0
    # the lips' inner surface is painted only outside the interior, where the warp opened more
    assert (m.lips_in <= 1 - m.alpha + 1e-6).all()


def test_columns_past_the_corners_are_outside() -> None:
    up = np.array([[10, 20], [20, 15], [30, 14], [40, 15], [50, 20]], np.float32)
    lo = np.array([[10, 20], [20, 25], [30, 27], [40, 25], [50, 20]], np.float32)
    xs = np.arange(0, 61, dtype=np.float32)
    edges = smooth_edges(smooth_curve(up), smooth_curve(lo), xs)
    assert edges is not None
    top, bottom = edges[0][0], edges[1][0]
    assert (top[(xs < 10) | (xs > 50)] >= bottom[(xs < 10) | (xs > 50)]).all()
    mid = xs == 30
    assert bottom[mid] - top[mid] > 10  # the middle keeps its opening
    # the corners stay where they were, the edges meet there
    for c in (10, 50):
        assert abs(top[xs == c] - 20) < 0.5 and abs(bottom[xs == c] - 20) < 0.5


def test_a_closed_or_degenerate_mouth_has_no_opening(big: Rig) -> None:
    shut = big.dest_points(Frame(open=0.9))
    shut[INNER_LOWER[::-1]] = shut[INNER_UPPER]  # the lower lip's inner edge on the upper one
    assert find_opening(shut, big.w, big.h, big.iod) is None
    pts = big.dest_points(Frame(open=0.9))
    pts[:, 0] = 100.0  # every point in one column: corners less than two pixels apart
    assert find_opening(pts, big.w, big.h, big.iod) is None
