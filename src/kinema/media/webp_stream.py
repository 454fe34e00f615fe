"""Read a WebP's size and check its container without decoding a pixel.

PIL allocates a WebP's whole canvas as soon as it *opens* the file (4 bytes a pixel, before ``load()``), and
libwebp's lossless decoder always holds the whole image, so neither may run on a 7000×7000 upload just to
learn its size. The RIFF layout carries everything needed for the limits: the canvas (``VP8X``) or the
bitstream's own header (``VP8 `` key frame, ``VP8L``), and any ``EXIF`` chunk for the orientation. The walk
also catches what most broken uploads are, a cut-off file: the RIFF size, every chunk's size and the first
VP8 partition must fit in the bytes that arrived.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass


class WebpError(ValueError):
    """The WebP is malformed; the message says how (for logs; clients get a generic reason)."""


@dataclass(frozen=True)
class WebpInfo:
    width: int
    height: int
    lossless: bool
    animated: bool
    exif: bytes | None


def _vp8_size(payload: bytes, whole: bool = True) -> tuple[int, int]:
    """Width and height from a lossy key frame; when ``whole`` (the complete chunk, not just the first
    bytes of the file), its first partition must lie inside it."""
    if len(payload) < 10:
        raise WebpError("VP8 chunk is too short")
    tag = payload[0] | payload[1] << 8 | payload[2] << 16
    if tag & 1:
        raise WebpError("VP8 frame is not a key frame")
    if payload[3:6] != b"\x9d\x01\x2a":
        raise WebpError("VP8 start code missing")
    if whole and 10 + (tag >> 5) > len(payload):
        raise WebpError("VP8 first partition runs past the chunk")
    width, height = struct.unpack("<HH", payload[6:10])
    return width & 0x3FFF, height & 0x3FFF


def _vp8l_size(payload: bytes) -> tuple[int, int]:
    if len(payload) < 5 or payload[0] != 0x2F:
        raise WebpError("VP8L signature missing")
    bits = struct.unpack("<I", payload[1:5])[0]
    if bits >> 29:
        raise WebpError("unknown VP8L version")
    return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1


def _chunks(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(fourcc, payload offset, payload size) of the chunks in ``data[start:end]``; each must fit."""
    out = []
    at = start
    while at + 8 <= end:
        kind = data[at : at + 4]
        size = struct.unpack("<I", data[at + 4 : at + 8])[0]
        if at + 8 + size > end:
            raise WebpError(f"chunk {kind!r} runs past the end of the file")
        out.append((kind, at + 8, size))
        at += 8 + size + (size & 1)
    return out


def read_size(head: bytes) -> tuple[int, int] | None:
    """The declared canvas from the first bytes alone (``None`` when they do not say): cheap enough to run
    before deciding where the full check runs."""
    if len(head) < 30 or head[:4] != b"RIFF" or head[8:12] != b"WEBP":
        return None
    kind, payload = head[12:16], head[20:]
    try:
        if kind == b"VP8X":
            return int.from_bytes(payload[4:7], "little") + 1, int.from_bytes(payload[7:10], "little") + 1
        if kind == b"VP8L":
            return _vp8l_size(payload)
        if kind == b"VP8 ":
            return _vp8_size(payload, whole=False)
    except WebpError:
        return None
    return None


def inspect(data: bytes) -> WebpInfo:
    """Size, kind and EXIF of a WebP, after checking that the container is whole and consistent."""
    if len(data) < 20 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise WebpError("not a RIFF/WEBP file")
    riff_end = 8 + struct.unpack("<I", data[4:8])[0]
    if riff_end > len(data):
        raise WebpError(f"file is cut off ({len(data)} of {riff_end} bytes)")
    chunks = _chunks(data, 12, riff_end)
    if not chunks:
        raise WebpError("no chunks")
    exif = next((data[at : at + size] for kind, at, size in chunks if kind == b"EXIF"), None)
    lossless = any(kind == b"VP8L" for kind, _, _ in chunks)
    frames = [(kind, at, size) for kind, at, size in chunks if kind in (b"VP8 ", b"VP8L")]
    animated = any(kind == b"ANMF" for kind, _, _ in chunks)
    first_kind, first_at, first_size = chunks[0]
    if first_kind == b"VP8X":
        if first_size < 10:
            raise WebpError("VP8X chunk is too short")
        canvas = (
            int.from_bytes(data[first_at + 4 : first_at + 7], "little") + 1,
            int.from_bytes(data[first_at + 7 : first_at + 10], "little") + 1,
        )
        if not frames and not animated:
            raise WebpError("no image data")
        for kind, at, size in frames:
            own = _frame_size(kind, data[at : at + size])
            if own != canvas:
                raise WebpError(f"image is {own[0]}x{own[1]} but the canvas {canvas[0]}x{canvas[1]}")
        return WebpInfo(canvas[0], canvas[1], lossless, animated, exif)
    if first_kind not in (b"VP8 ", b"VP8L"):
        raise WebpError(f"unexpected first chunk {first_kind!r}")
    width, height = _frame_size(first_kind, data[first_at : first_at + first_size])
    return WebpInfo(width, height, first_kind == b"VP8L", False, exif)


def _frame_size(kind: bytes, payload: bytes) -> tuple[int, int]:
    return _vp8l_size(payload) if kind == b"VP8L" else _vp8_size(payload)
