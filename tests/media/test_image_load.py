"""Pictures for rendering: huge ones are reduced right after decoding, normal ones are left alone."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

import cv2
import pytest
from PIL import Image

from kinema.media.image_load import REDUCE_ABOVE_PIXELS, open_picture, reduced_read_flag, reduction
from tests.support.hostile_media import flat_webp, padded_png

MB = 1 << 20


def peak_growth(fn: Callable[[], object]) -> int:
    """Bytes this process's peak RSS rose above its RSS while ``fn`` ran (peak reset just before)."""
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")
    status = dict(
        line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line
    )
    before = int(status["VmRSS"].split()[0]) * 1024
    fn()
    status = dict(
        line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line
    )
    return int(status["VmHWM"].split()[0]) * 1024 - before


def test_reduction_keeps_twice_the_needed_size() -> None:
    assert reduction(4000, 4000, 720, 1280) == 1  # 16 MP: a phone photo is never touched
    assert reduction(7000, 7000, 720, 1280) == 2  # the long side needs 2x1280
    assert reduction(7000, 7000, 720, 720) == 4
    assert reduction(20000, 2500, 300, 300) == 4
    assert REDUCE_ABOVE_PIXELS == 4000 * 4000


def test_normal_pictures_open_untouched(tmp_path: Path) -> None:
    path = tmp_path / "p.png"
    Image.new("RGBA", (1200, 900), (1, 2, 3, 4)).save(path)
    with open_picture(path, 720, 1280) as img:
        assert (img.format, img.size, img.mode) == ("PNG", (1200, 900), "RGBA")
    assert reduced_read_flag(path, 720) == cv2.IMREAD_COLOR


@pytest.mark.parametrize("fmt", ["png", "webp"])
def test_huge_pictures_come_back_reduced_with_their_exif(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"big.{fmt}"
    path.write_bytes(padded_png(7000, 7000) if fmt == "png" else flat_webp(7000, 7000))
    with open_picture(path, 720, 720) as img:
        assert img.size == (1750, 1750)
    assert reduced_read_flag(path, 720) == cv2.IMREAD_REDUCED_COLOR_4
    exif = Image.Exif()
    exif[0x0112] = 6
    tall = tmp_path / f"tall.{fmt}"
    Image.new("RGB", (6000, 3000), (9, 9, 9)).save(tall, exif=exif.tobytes())
    with open_picture(tall, 300, 300) as img:
        assert img.size == (1200, 600) and img.getexif().get(0x0112) == 6


def test_a_huge_jpeg_is_left_to_draft(tmp_path: Path) -> None:
    path = tmp_path / "big.jpg"
    Image.new("RGB", (7000, 5000)).save(path, quality=50)
    with open_picture(path, 720, 1280) as img:
        assert img.format == "JPEG" and img.size == (7000, 5000)  # not decoded yet: the caller drafts
    assert reduced_read_flag(path, 720) == cv2.IMREAD_REDUCED_COLOR_2
