"""The PNG walker agrees with PIL on what decodes, without ever holding the pixels."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zlib

import numpy as np
import pytest
from PIL import Image

from kinema.media import png_stream
from tests.support.hostile_media import padded_png


def _png(mode: str, size: tuple[int, int] = (37, 23), **save: object) -> bytes:
    rng = np.random.default_rng(1)
    im = Image.fromarray(rng.integers(0, 255, (size[1], size[0], 4), np.uint8), "RGBA").convert(mode)
    buf = io.BytesIO()
    im.save(buf, "PNG", **save)
    return buf.getvalue()


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _interlaced_zero_png(width: int, height: int, colour: int = 2, depth: int = 8) -> bytes:
    """An Adam7 PNG of zeros built by hand (PIL cannot write interlaced PNGs)."""
    header = png_stream.PngHeader(width, height, depth, colour, True)
    raw = b"".join(b"\x00" * stride * rows for rows, stride in header.passes())
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 1)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(raw))
        + _chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("mode", "save"),
    [
        ("RGB", {}),
        ("RGBA", {}),
        ("L", {}),
        ("LA", {}),
        ("P", {}),
        ("1", {}),
        ("I;16", {}),
        ("RGB", {"optimize": True}),
    ],
)
def test_every_kind_pil_writes_verifies(mode: str, save: dict[str, object]) -> None:
    data = _png(mode, **save)
    header, exif = png_stream.verify(data)
    with Image.open(io.BytesIO(data)) as im:
        assert (header.width, header.height) == im.size
    assert exif is None


@pytest.mark.parametrize("size", [(1, 1), (5, 3), (13, 7), (64, 9)])
def test_interlaced_sizes_match_what_pil_decodes(size: tuple[int, int]) -> None:
    data = _interlaced_zero_png(*size)
    with Image.open(io.BytesIO(data)) as im:
        im.load()  # PIL agrees the stream is complete
    assert png_stream.verify(data)[0].interlaced
    short = _interlaced_zero_png(*size)
    header = png_stream.read_header(short)
    raw = b"\x00" * (header.raw_size - 1)
    cut = short[:33] + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b"")
    with pytest.raises(png_stream.PngError, match="ends early"):
        png_stream.verify(cut)


def test_exif_chunk_is_returned_wherever_it_is() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    data = _png("RGB", exif=exif.tobytes())
    assert png_stream.verify(data)[1] is not None


def test_broken_files_are_refused() -> None:
    good = _png("RGB", (200, 100))
    with pytest.raises(png_stream.PngError, match="CRC"):
        png_stream.verify(good[:40] + bytes([good[40] ^ 0xFF]) + good[41:])
    with pytest.raises(png_stream.PngError):
        png_stream.verify(good[: len(good) // 2])
    with pytest.raises(png_stream.PngError, match="ends early"):
        png_stream.verify(padded_png(300, 300, truncate_idat=True))
    # a row whose filter byte is 7: zlib is happy, the unfilter step is not
    bad_rows = zlib.compress((b"\x07" + b"\x00" * 3 * 4) * 4)
    ihdr = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    bad = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", bad_rows) + _chunk(b"IEND", b"")
    with pytest.raises(png_stream.PngError, match="filter"):
        png_stream.verify(bad)
    with pytest.raises(OSError):  # PIL refuses the same file
        Image.open(io.BytesIO(bad)).load()


def test_a_huge_padded_png_is_walked_in_constant_memory() -> None:
    data = padded_png(7000, 7000)  # 147 MB of pixels in ~140 KB
    tracemalloc.start()
    try:
        header, _ = png_stream.verify(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (header.width, header.height) == (7000, 7000)
    assert header.raw_size == 7000 * (1 + 3 * 7000)
    assert peak < 8 * png_stream.WINDOW, peak  # a few windows, never the image
