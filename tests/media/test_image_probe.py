"""Image checks at create: sizes, proofs, and memory that does not follow the declared pixel count."""

from __future__ import annotations

import gc
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from kinema.media.check_slots import INLINE_MS
from kinema.media.image_probe import ImageRejected, check_cost_ms, declared, inspect_image
from tests.support.hostile_media import flat_webp, padded_png

MB = 1 << 20
CAP = 50_000_000


def _save(im: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(field)


def _peak_growth(check: Callable[[], object]) -> int:
    """Bytes the process's peak RSS rose above its RSS while ``check`` ran (peak reset just before)."""
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    before = _status("VmRSS")
    check()
    return _status("VmHWM") - before


def test_sizes_formats_and_proofs() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    rgb = Image.new("RGB", (640, 400), (200, 100, 50))
    for fmt in ("JPEG", "PNG", "WEBP"):
        data = _save(rgb, fmt, exif=exif.tobytes())
        info = inspect_image(data, fmt.lower(), max_pixels=CAP, budget=64 * MB)
        assert (info.width, info.height, info.proof) == (400, 640, "decoded"), fmt  # shown rotated


def test_bombs_are_refused_from_the_header() -> None:
    png = bytearray(_save(Image.new("RGB", (8, 8)), "PNG"))
    png[16:24] = (8000).to_bytes(4, "big") * 2  # IHDR claims 8000x8000 (the CRC no longer matches)
    lossless = bytearray(_save(Image.new("RGB", (8, 8)), "WEBP", lossless=True))
    bits = int.from_bytes(lossless[21:25], "little") & ~((1 << 28) - 1) | 7999 | 6999 << 14
    lossless[21:25] = bits.to_bytes(4, "little")  # VP8L header claims 8000x7000
    for fmt, data in (("png", bytes(png)), ("webp", bytes(lossless))):
        with pytest.raises(ImageRejected, match=r"8000x[0-9]+ pixels exceeds the limit of 50000000 pixels"):
            inspect_image(data, fmt, max_pixels=CAP, budget=64 * MB)


def test_above_the_budget_webp_is_checked_from_its_structure() -> None:
    data = flat_webp(3000, 3000)  # 27 MB of BGR to decode
    assert inspect_image(data, "webp", max_pixels=CAP, budget=64 * MB).proof == "decoded"
    assert inspect_image(data, "webp", max_pixels=CAP, budget=16 * MB).proof == "structure"
    with pytest.raises(ImageRejected, match="could not be decoded"):
        inspect_image(data[:-100], "webp", max_pixels=CAP, budget=16 * MB)


def test_cut_off_images_are_refused() -> None:
    rgb = Image.effect_noise((500, 400), 60).convert("RGB")
    for fmt, kw in (("JPEG", {}), ("JPEG", {"progressive": True}), ("PNG", {}), ("WEBP", {})):
        data = _save(rgb, fmt, **kw)
        with pytest.raises(ImageRejected, match="could not be decoded"):
            inspect_image(data[: len(data) * 2 // 3], fmt.lower(), max_pixels=CAP, budget=64 * MB)
    data = _save(rgb, "JPEG", progressive=True)
    with pytest.raises(ImageRejected, match="could not be decoded"):  # above budget: the marker walk
        inspect_image(data[: len(data) * 2 // 3], "jpeg", max_pixels=CAP, budget=1)


def test_memory_stays_flat_at_the_pixel_limit() -> None:
    """Each 49-megapixel input used to cost its full decode (147–530 MB); now a few MB at most."""
    flat = Image.new("RGB", (6000, 6000), (30, 60, 90))  # progressive: a 108 MB coefficient buffer
    inputs = {
        "webp": flat_webp(7000, 7000),
        "png": padded_png(7000, 7000),
        "jpeg": _save(flat, "JPEG", quality=80),
        "progressive jpeg": _save(flat, "JPEG", quality=80, progressive=True),
    }
    del flat
    for name, data in inputs.items():
        fmt = "jpeg" if "jpeg" in name else name
        growth = _peak_growth(lambda d=data, f=fmt: inspect_image(d, f, max_pixels=CAP, budget=64 * MB))
        assert growth < 48 * MB, (name, growth / MB)


def test_cost_estimate_keeps_small_uploads_inline_and_big_ones_off() -> None:
    photo = _save(Image.effect_noise((451, 300), 40).convert("RGB"), "JPEG", quality=85)
    assert check_cost_ms("jpeg", len(photo), photo[:4096]) <= INLINE_MS  # the API bench's create
    png = padded_png(7000, 7000)
    assert len(png) < 256 * 1024 and check_cost_ms("png", len(png), png[:4096]) > 100 * INLINE_MS
    webp = flat_webp(7000, 7000)
    assert check_cost_ms("webp", len(webp), webp[:4096]) > 100 * INLINE_MS
    assert check_cost_ms("jpeg", 10_000, b"\xff\xd8\xff\xe1" + b"\x00" * 100) == float("inf")  # size unknown
    exif = Image.Exif()
    exif[0x010E] = "x" * 60_000  # a 60 KB EXIF block ahead of the frame header, as phones write
    tagged = _save(Image.new("RGB", (451, 300)), "JPEG", exif=exif.tobytes())
    assert check_cost_ms("jpeg", len(tagged), tagged[:4096]) == float("inf")
    assert check_cost_ms("jpeg", len(tagged), tagged[: 1 << 17]) < 10
    declared_png = declared(png[:64], "png")
    assert declared_png is not None and declared_png.pixels == 49_000_000
