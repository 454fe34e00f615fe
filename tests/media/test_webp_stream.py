"""WebP sizes and structure from the RIFF chunks alone: agrees with PIL, allocates nothing per pixel."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from kinema.media import webp_stream
from tests.support.hostile_media import flat_webp


def _webp(im: Image.Image, **save: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "WEBP", **save)
    return buf.getvalue()


RGB = Image.new("RGB", (400, 300), (10, 200, 30))
EXIF = Image.Exif()
EXIF[0x0112] = 6
CASES = {
    "lossy": _webp(RGB),
    "lossless": _webp(RGB, lossless=True),
    "alpha": _webp(Image.new("RGBA", (400, 300), (1, 2, 3, 100))),
    "exif": _webp(RGB, exif=EXIF.tobytes()),
    "animated": _webp(RGB, save_all=True, append_images=[Image.new("RGB", (400, 300))], duration=50),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_sizes_agree_with_pil(name: str) -> None:
    data = CASES[name]
    info = webp_stream.inspect(data)
    with Image.open(io.BytesIO(data)) as im:
        assert (info.width, info.height) == im.size
    assert webp_stream.read_size(data[:4096]) == (400, 300)
    assert info.lossless == (name == "lossless")
    assert info.animated == (name == "animated")
    assert (info.exif is not None) == (name == "exif")


def test_a_huge_canvas_is_read_from_the_header() -> None:
    data = flat_webp(7000, 7000)
    assert webp_stream.read_size(data[:64]) == (7000, 7000)
    assert (webp_stream.inspect(data).width, webp_stream.inspect(data).height) == (7000, 7000)


@pytest.mark.parametrize("name", sorted(CASES))
def test_cut_off_files_are_refused(name: str) -> None:
    data = CASES[name]
    with pytest.raises(webp_stream.WebpError):
        webp_stream.inspect(data[: len(data) - 7])


def test_garbage_and_lies_are_refused() -> None:
    with pytest.raises(webp_stream.WebpError):
        webp_stream.inspect(b"RIFF\x04\x00\x00\x00WEBP")
    lossy = bytearray(CASES["lossy"])
    lossy[23:26] = b"\x00\x00\x00"  # VP8 start code
    with pytest.raises(webp_stream.WebpError, match="start code"):
        webp_stream.inspect(bytes(lossy))
    ext = bytearray(CASES["alpha"])
    ext[24:27] = (999).to_bytes(3, "little")  # the canvas says 1000 px wide, the bitstream 400
    with pytest.raises(webp_stream.WebpError, match="canvas"):
        webp_stream.inspect(bytes(ext))
