"""Render stage: identity at rest, exact warp of vertices, mouth interior and lids only where they belong."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kinema.engines.avatar.face import Portrait
from kinema.engines.avatar.landmarks import (
    CHIN,
    EYE_L_LOWER,
    EYE_L_UPPER,
    EYE_R_LOWER,
    EYE_R_UPPER,
    LOWER_LIP_CENTRE,
    NOSE_BRIDGE,
    NOSE_TIP,
    UPPER_LIP_CENTRE,
)
from kinema.engines.avatar.render import MAX_GAP, Frame, Renderer, Rig
from kinema.engines.avatar.render.renderer import camera


@pytest.fixture(scope="module")
def rig(astronaut: Portrait) -> Rig:
    return Rig(astronaut)


def test_rest_frame_is_the_source_around_the_face(rig: Rig) -> None:
    r = Renderer(rig)
    rest = Frame(open=rig.face.gap0 / MAX_GAP)  # the source's own opening: no change
    dst = rig.dest_points(rest)
    assert np.abs(dst - rig.all_src).max() < 0.05
    out = r.warp(dst)
    # the warp samples the closed-lip texture: the photo itself everywhere but inside the mouth's opening
    assert np.abs(out.astype(int) - rig.texture.image.astype(int)).max() <= 1
    keep = ~rig.texture.filled
    assert np.abs(out[keep].astype(int) - rig.image[keep].astype(int)).max() <= 1


def test_warp_moves_content_with_vertices(rig: Rig) -> None:
    """A rigid head shift moves the nose tip's pixels to the nose tip's new place (exact inverse map)."""
    r = Renderer(rig)
    f = Frame(open=rig.face.gap0 / MAX_GAP, dx=0.08)
    dst = rig.dest_points(f)
    out = r.warp(dst)
    src_pt = rig.all_src[NOSE_TIP]
    dst_pt = dst[NOSE_TIP]
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
    gap = np.linalg.norm(dst[LOWER_LIP_CENTRE] - dst[UPPER_LIP_CENTRE])
    assert gap > 0.25 * rig.iod
    diff = np.abs(wide.astype(int) - closed.astype(int)).sum(2)
    ys, _xs = np.nonzero(diff > 40)
    # changes stay in the lower face
    assert ys.min() > rig.points[NOSE_BRIDGE, 1] and ys.max() < rig.points[CHIN, 1] + 0.6 * rig.iod
    # the middle of the opening is darker than the lips
    c = ((dst[UPPER_LIP_CENTRE] + dst[LOWER_LIP_CENTRE]) / 2).astype(int)
    centre = wide[c[1] - 1:c[1] + 2, c[0] - 1:c[0] + 2].mean()
    assert centre < rig.palette.lip_rgb.mean() * 0.8


def test_blink_covers_the_eye_with_skin(rig: Rig) -> None:
    r = Renderer(rig)
    f_open = Frame(open=rig.face.gap0 / MAX_GAP)
    f_shut = Frame(open=rig.face.gap0 / MAX_GAP, blink=1.0)
    a, b = r.render(f_open), r.render(f_shut)
    lids = rig.palette.lid_rgb
    eyes = ((EYE_R_UPPER, EYE_R_LOWER, lids[0]), (EYE_L_UPPER, EYE_L_LOWER, lids[1]))
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


def test_camera_is_identity_when_still_and_zooms_about_the_centre_and_pans() -> None:
    """Output pixel q shows source pixel (q − c − pan) / zoom + c: checked on an image that encodes x."""
    w, h = 200, 100
    img = np.zeros((h, w, 3), np.uint8)
    img[..., 0] = np.arange(w, dtype=np.uint8)[None, :]
    assert camera(img, Frame()) is img
    cx = w / 2
    zoomed = camera(img, Frame(zoom=2.0))
    for q in (60, 100, 140):
        assert abs(int(zoomed[h // 2, q, 0]) - ((q - cx) / 2.0 + cx)) <= 1
    panned = camera(img, Frame(pan_x=0.1))
    for q in (40, 100, 180):
        assert abs(int(panned[h // 2, q, 0]) - (q - 0.1 * w)) <= 1


def test_gray_portrait_stays_gray(tmp_path: Path) -> None:
    from PIL import Image
    from skimage import data

    from kinema.engines.avatar.face import load_portrait

    p = tmp_path / "g.png"
    Image.fromarray(data.astronaut()).convert("L").save(p)
    rig = Rig(load_portrait(p))
    out = Renderer(rig).render(Frame(open=0.9, tongue=1.0, blink=1.0))
    assert np.abs(out.astype(int) - out.mean(2, keepdims=True)).max() <= 2  # no colour appears
