"""Format detection looks at content only; every accepted format and some look-alikes."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinema.media.sniff import sniff
from tests.media.helpers import aac_bytes, image_bytes, mp3_bytes, mp4_bytes, wav_bytes


def test_images() -> None:
    assert sniff(image_bytes(8, 8, "PNG")) == "png"
    assert sniff(image_bytes(8, 8, "JPEG")) == "jpeg"
    assert sniff(image_bytes(8, 8, "WEBP")) == "webp"
    assert sniff(image_bytes(8, 8, "GIF")) == "gif"
    assert sniff(image_bytes(8, 8, "BMP")) == "bmp"
    assert sniff(image_bytes(8, 8, "TIFF")) == "tiff"


def test_audio_and_video(tmp_path: Path) -> None:
    assert sniff(wav_bytes(tmp_path, 0.5)) == "wav"
    assert sniff(mp3_bytes(tmp_path, 0.5)) == "mp3"
    assert sniff(aac_bytes(tmp_path, 0.5, "ipod")) == "m4a"
    assert sniff(aac_bytes(tmp_path, 0.5, "adts")) == "aac"
    assert sniff(mp4_bytes(tmp_path, 0.4)) == "mp4"
    assert sniff(mp4_bytes(tmp_path, 0.4, fmt="mov")) == "mov"
    assert sniff(mp4_bytes(tmp_path, 0.4, fmt="webm")) == "webm"


def test_mp3_without_id3_tag(tmp_path: Path) -> None:
    data = mp3_bytes(tmp_path, 0.5)
    size = 10 + ((data[6] & 0x7F) << 21 | (data[7] & 0x7F) << 14 | (data[8] & 0x7F) << 7 | (data[9] & 0x7F))
    assert sniff(data[size:]) == "mp3"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello, I am a JPEG",
        b"<html><body>404</body></html>",
        b"%PDF-1.7\n",
        b"RIFF\x10\x00\x00\x00XXXX",
        b"\xff\xff\xff\xff",
        b"\x00" * 64,
    ],
)
def test_unknown_content(data: bytes) -> None:
    assert sniff(data) is None


def test_short_heads_do_not_crash() -> None:
    for head in (b"\xff", b"\xff\xd8", b"RIFF", b"ID3", b"\x00\x00\x00\x18ftyp", b"\x1a\x45\xdf"):
        sniff(head)
