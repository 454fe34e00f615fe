"""Render stage: identity at rest, exact warp of vertices, mouth interior and lids only where they belong."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kinema.engines.avatar import face as F
from kinema.engines.avatar.face import Portrait
from kinema.engines.avatar.render import MAX_GAP, Frame, Renderer, Rig


@pytest.fixture(scope="module")
def rig(astronaut: Portrait) -> Rig:
    return Rig(astronaut)


def test_rest_frame_is_the_source_around_the_face(rig: Rig) -> None:
    r = Renderer(rig)
    rest = Frame(open=rig.gap0 / MAX_GAP)  # the source's own opening: no change
    dst = rig.dest_points(rest)
    assert np.abs(dst - rig.all_src).max() < 0.05
    out = r.warp(dst)
    assert np.abs(out.astype(int) - rig.image.astype(int)).max() <= 1


def test_warp_moves_content_with_vertices(rig: Rig) -> None:
    """A rigid head shift moves the nose tip's pixels to the nose tip's new place (exact inverse map)."""
    r = Renderer(rig)
    f = Frame(open=rig.gap0 / MAX_GAP, dx=0.08)
    dst = rig.dest_points(f)
    out = r.warp(dst)
    src_pt = rig.all_src[1]
    dst_pt = dst[1]
    assert abs(dst_pt[0] - src_pt[0] - 0.08 * rig.iod) < 0.5
    ys, xs = int(src_pt[1]), int(src_pt[0])
    yd, xd = round(dst_pt[1]), round(dst_pt[0] - (src_pt[0] - xs))
    a = rig.image[ys - 3:ys + 4, xs - 3:xs + 4].astype(float)
    b = out[yd - 3:yd + 4, xd - 3:xd + 4].astype(float)
    assert np.abs(a - b).mean() < 6
    # the image corners (background) never move
    for y, x in ((2, 2), (2, rig.w - 3), (rig.h - 3, 2), (rig.h - 3, rig.w - 3)):
        assert np.array_equal(out[y, x], rig.image[y, x])


def test_opening_the_mouth_paints_a_dark_interior_inside_the_lips(rig: Rig) -> None:
    r = Renderer(rig)
    closed = r.render(Frame(open=0.0))
    wide = r.render(Frame(open=1.0, tongue=0.8))
    dst = rig.dest_points(Frame(open=1.0))
    gap = np.linalg.norm(dst[14] - dst[13])
    assert gap > 0.25 * rig.iod
    diff = np.abs(wide.astype(int) - closed.astype(int)).sum(2)
    ys, _xs = np.nonzero(diff > 40)
    # changes stay in the lower face
    assert ys.min() > rig.points[6, 1] and ys.max() < rig.points[152, 1] + 0.6 * rig.iod
    # the middle of the opening is darker than the lips
    c = ((dst[13] + dst[14]) / 2).astype(int)
    centre = wide[c[1] - 1:c[1] + 2, c[0] - 1:c[0] + 2].mean()
    assert centre < rig.lip_rgb.mean() * 0.8


def test_closing_seals_the_lips(rig: Rig) -> None:
    dst = rig.dest_points(Frame(open=0.0))
    up, lo = dst[[82, 13, 312]], dst[[87, 14, 317]]
    assert np.abs(lo[:, 1] - up[:, 1]).max() < 0.02 * rig.iod


def test_blink_covers_the_eye_with_skin(rig: Rig) -> None:
    r = Renderer(rig)
    f_open = Frame(open=rig.gap0 / MAX_GAP)
    f_shut = Frame(open=rig.gap0 / MAX_GAP, blink=1.0)
    a, b = r.render(f_open), r.render(f_shut)
    eyes = ((F.EYE_R_UPPER, F.EYE_R_LOWER, rig.lid_rgb[0]), (F.EYE_L_UPPER, F.EYE_L_LOWER, rig.lid_rgb[1]))
    for up, lo, lid in eyes:
        eye = np.concatenate([rig.points[up], rig.points[lo]])
        cx, cy = eye.mean(0).astype(int)
        pa = a[cy - 1:cy + 2, cx - 2:cx + 3].reshape(-1, 3).mean(0)
        pb = b[cy - 1:cy + 2, cx - 2:cx + 3].reshape(-1, 3).mean(0)
        assert np.abs(pb - lid).mean() < np.abs(pa - lid).mean()  # now lid-coloured, before it was the eye
        # no bright sclera left anywhere inside the eye opening
        x0, y0 = eye.min(0).astype(int) + 1
        x1, y1 = eye.max(0).astype(int)
        region = b[y0:y1, x0:x1].astype(float)
        assert region.mean(2).max() < max(lid.mean() + 45, 200)


def test_smile_and_round_change_mouth_width(rig: Rig) -> None:
    def width(f: Frame) -> float:
        d = rig.dest_points(f)
        return float(np.linalg.norm(d[291] - d[61]))

    base = width(Frame(open=0.3))
    assert width(Frame(open=0.3, width=-1.0)) < 0.9 * base
    assert width(Frame(open=0.3, width=1.0)) > 1.03 * base


def test_gray_portrait_stays_gray(tmp_path: Path) -> None:
    from PIL import Image
    from skimage import data

    from kinema.engines.avatar.face import load_portrait

    p = tmp_path / "g.png"
    Image.fromarray(data.astronaut()).convert("L").save(p)
    rig = Rig(load_portrait(p))
    out = Renderer(rig).render(Frame(open=0.9, tongue=1.0, blink=1.0))
    assert np.abs(out.astype(int) - out.mean(2, keepdims=True)).max() <= 2  # no colour appears


def _shrunk(p: Portrait, iod_px: float, canvas: tuple[int, int] = (320, 240)) -> Portrait:
    """``p`` scaled to an eye distance of ``iod_px`` and centred on a larger grey canvas (mesh scaled alike).

    The face stage refuses faces this small, so the found mesh is scaled instead of searched for again.
    """
    import cv2

    s = iod_px / p.iod
    small = cv2.resize(p.image, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
    cw, ch = canvas
    img = np.full((ch, cw, 3), 128, np.uint8)
    h, w = small.shape[:2]
    ox, oy = (cw - w) // 2, (ch - h) // 2
    img[oy:oy + h, ox:ox + w] = small
    pts = (p.points * s + np.array([ox, oy], np.float32)).astype(np.float32)
    return Portrait(image=img, points=pts, depth=(p.depth * s).astype(np.float32))


@pytest.mark.parametrize("iod_px", [10.0, 12.0])
def test_a_tiny_face_gets_no_source_teeth_and_renders(astronaut: Portrait, iod_px: float) -> None:
    """A mouth a few pixels wide: the inner lip cannot be analysed, so no teeth are cut out, yet every
    painter runs and the picture changes only inside the face's fixed outer ring."""
    small = _shrunk(astronaut, iod_px)
    rig = Rig(small)
    assert abs(rig.iod - iod_px) < 0.01
    assert not rig.has_src_teeth
    r = Renderer(rig)
    rest = r.warp(rig.dest_points(Frame(open=rig.gap0 / MAX_GAP)))
    assert np.abs(rest.astype(int) - small.image.astype(int)).max() <= 1
    # the outer anchor ring (2.1 face ovals about the face's centre) is fixed: nothing moves beyond it
    oval = small.points[F.FACE_OVAL]
    ring = oval.mean(0) + 2.1 * (oval - oval.mean(0))
    x0, y0 = np.floor(ring.min(0)).astype(int)
    x1, y1 = np.ceil(ring.max(0)).astype(int)
    for f in (Frame(open=1.0, tongue=1.0, blink=1.0), Frame(open=0.6, width=-1.0, yaw=0.15, smile=0.5)):
        out = r.render(f)
        assert out.shape == small.image.shape and out.dtype == np.uint8
        changed = np.abs(out.astype(int) - small.image.astype(int)).sum(2) > 0
        assert changed.any()
        ys, xs = np.nonzero(changed)
        assert ys.min() >= y0 and ys.max() <= y1 and xs.min() >= x0 and xs.max() <= x1
