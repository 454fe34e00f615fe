"""The JPEG marker walk and the progressive-JPEG memory estimate."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from kinema.media import jpeg_stream


def _jpeg(size: tuple[int, int] = (640, 480), **save: object) -> bytes:
    rng = np.random.default_rng(2)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), np.uint8)).save(buf, "JPEG", **save)
    return buf.getvalue()


@pytest.mark.parametrize("save", [{}, {"progressive": True}, {"subsampling": 0}, {"restart_marker_rows": 1}])
def test_whole_files_pass(save: dict[str, object]) -> None:
    jpeg_stream.verify_markers(_jpeg(**save))


@pytest.mark.parametrize("keep", [0.3, 0.7, 0.999])
def test_cut_off_files_fail(keep: float) -> None:
    data = _jpeg(progressive=True)
    with pytest.raises(jpeg_stream.JpegError):
        jpeg_stream.verify_markers(data[: int(len(data) * keep)])


def test_not_a_jpeg_fails() -> None:
    with pytest.raises(jpeg_stream.JpegError):
        jpeg_stream.verify_markers(b"\x89PNG" + b"\x00" * 100)


def test_coefficient_buffer_is_two_bytes_a_sample() -> None:
    with Image.open(io.BytesIO(_jpeg((801, 601), progressive=True, subsampling=2))) as im:
        size = jpeg_stream.coefficient_bytes(*im.size, im.layer)
    # 4:2:0: luma 101×76 blocks, each chroma plane 51×38 blocks; 64 coefficients of 2 bytes per block
    assert size == (101 * 76 + 2 * 51 * 38) * 128
    assert jpeg_stream.coefficient_bytes(800, 600, []) == 800 * 600 * 6  # unknown layout: assume 4:4:4
