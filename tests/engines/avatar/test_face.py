"""Face stage: finds the face, refuses pictures without a usable face, reads photos as displayed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from skimage import data

from kinema.engines.avatar.face import Portrait, load_image, load_portrait, target_size
from kinema.engines.base import EngineInputError


def _check_face(p: Portrait) -> None:
    _h, w = p.image.shape[:2]
    assert p.points.shape == (478, 2)
    assert (p.points[:, 0] >= -2).all() and (p.points[:, 0] <= w + 2).all()
    # eyes above the nose tip above the mouth above the chin: an upright face
    eye_y = (p.points[468, 1] + p.points[473, 1]) / 2
    assert eye_y < p.points[1, 1] < p.points[13, 1] < p.points[152, 1]
    assert p.iod > 18


def test_astronaut_face(astronaut: Portrait) -> None:
    _check_face(astronaut)
    assert astronaut.image.shape == (512, 512, 3)
    # her face is in the upper-middle of the picture
    assert 150 < astronaut.points[1, 0] < 320 and 60 < astronaut.points[1, 1] < 200


def test_no_face_is_an_input_error(tmp_path: Path) -> None:
    p = tmp_path / "coffee.png"
    Image.fromarray(data.coffee()).save(p)
    with pytest.raises(EngineInputError, match="no face"):
        load_portrait(p)


def test_face_too_small(tmp_path: Path) -> None:
    canvas = np.full((900, 900, 3), 200, np.uint8)
    small = np.asarray(Image.fromarray(data.astronaut()).resize((150, 150)))
    canvas[375:525, 375:525] = small
    p = tmp_path / "far.png"
    Image.fromarray(canvas).save(p)
    with pytest.raises(EngineInputError, match="too small"):
        load_portrait(p, max_short=720)


def test_exif_rotation(tmp_path: Path) -> None:
    # Stored rotated 90° clockwise, with the EXIF tag that tells viewers to rotate it back.
    img = Image.fromarray(data.astronaut()).rotate(-90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 8  # "rotate 90 CW to display"
    p = tmp_path / "rot.jpg"
    img.save(p, exif=exif, quality=92)
    _check_face(load_portrait(p))


def test_alpha_gray_and_tall(tmp_path: Path) -> None:
    rgba = np.dstack([data.astronaut(), np.full((512, 512), 255, np.uint8)])
    rgba[:40, :, 3] = 0
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    img = load_image(tmp_path / "a.png")
    assert img.shape == (512, 512, 3) and img[5, 250].tolist() == [235, 235, 235]
    _check_face(load_portrait(tmp_path / "a.png"))

    Image.fromarray(data.astronaut()).convert("L").save(tmp_path / "g.png")
    _check_face(load_portrait(tmp_path / "g.png"))

    tall = np.full((1400, 512, 3), 120, np.uint8)
    tall[100:612] = data.astronaut()
    Image.fromarray(tall).save(tmp_path / "tall.png")
    p = load_portrait(tmp_path / "tall.png")
    _check_face(p)
    h, w = p.image.shape[:2]
    assert h % 2 == 0 and w % 2 == 0 and abs(w / h - 512 / 1400) < 0.01


def test_big_photo_is_downscaled(tmp_path: Path) -> None:
    big = np.asarray(Image.fromarray(data.astronaut()).resize((3000, 3000), Image.BICUBIC))
    rng = np.random.default_rng(0)
    big = np.clip(big + rng.normal(0, 6, big.shape), 0, 255).astype(np.uint8)  # camera-like noise, big file
    p = tmp_path / "big.jpg"
    Image.fromarray(big).save(p, quality=97)
    assert p.stat().st_size > 2_000_000
    por = load_portrait(p, max_short=720)
    assert por.image.shape == (720, 720, 3)
    _check_face(por)


@pytest.mark.parametrize(("w", "h", "cap"),
                         [(4000, 3000, 720), (1080, 1920, 720), (513, 301, 720), (300, 5000, 720)])
def test_target_size_keeps_aspect(w: int, h: int, cap: int) -> None:
    tw, th = target_size(w, h, cap, 1280)
    assert tw % 2 == 0 and th % 2 == 0
    assert min(tw, th) <= cap and max(tw, th) <= 1280
    assert abs(tw / th - w / h) / (w / h) < 0.02 or min(tw, th) < 50


def test_several_faces_pick_the_main_one(tmp_path: Path) -> None:
    """A big face in the middle and a small one at the side: the big, central one is animated."""
    canvas = np.full((600, 900, 3), 90, np.uint8)
    canvas[44:556, 194:706] = data.astronaut()
    canvas[380:580, 20:220] = np.asarray(Image.fromarray(data.astronaut()).resize((200, 200)))
    p = tmp_path / "group.png"
    Image.fromarray(canvas).save(p)
    por = load_portrait(p)
    _check_face(por)
    assert 194 < por.points[1, 0] < 706 and por.iod > 30


@pytest.mark.parametrize("fmt", ["png", "webp"])
def test_a_huge_picture_loads_without_full_size_copies(tmp_path: Path, fmt: str) -> None:
    """Issue 13: a 7000x7000 WebP cost this loader 1.3 GB and 15 s (PNG: 0.97 GB); one decode now."""
    from tests.media.test_image_load import MB, peak_growth
    from tests.support.hostile_media import flat_webp, padded_png

    path = tmp_path / f"big.{fmt}"
    path.write_bytes(padded_png(7000, 7000) if fmt == "png" else flat_webp(7000, 7000))
    out: list[np.ndarray] = []
    growth = peak_growth(lambda: out.append(load_image(path, 720, 1280)))
    assert out[0].shape == (720, 720, 3)
    assert growth < 650 * MB, growth / MB
