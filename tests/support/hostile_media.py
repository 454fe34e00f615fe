"""Hostile media built in the test run (nothing binary is committed): the inputs of the black-box probe of
issue 13, small on disk and expensive to process.

Builders of big images are cached: several tests share one 7000×7000 input.

- :func:`padded_png`: a huge all-black PNG written row by row, so building it never holds the pixels; zlib
  squeezes 7000×7000 RGB into ~140 KB.
- :func:`flat_webp`: a huge single-colour lossy WebP (libwebp needs the pixels once to encode it).
- :func:`fast_video`: a tiny clip at an absurd frame rate (thousands of frames for a few seconds).
- :func:`lying_duration`: an MP4/M4A whose headers claim a shorter length than its packets hold.
"""

from __future__ import annotations

import functools
import io
import struct
import zlib
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


@functools.cache
def padded_png(width: int, height: int, *, truncate_idat: bool = False) -> bytes:
    """An RGB PNG of zeros, compressed row by row (constant memory). ``truncate_idat`` cuts the compressed
    stream in half while keeping every chunk well formed (CRCs right): only inflating it finds the damage."""
    z = zlib.compressobj(9)
    row = b"\x00" * (1 + 3 * width)
    parts = [z.compress(row) for _ in range(height)]
    parts.append(z.flush())
    data = b"".join(parts)
    if truncate_idat:
        data = data[: len(data) // 2]
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


@functools.cache
def flat_webp(width: int, height: int, *, lossless: bool = False) -> bytes:
    """A single-colour WebP (lossy by default: ~130 KB at 7000×7000; lossless is a few KB)."""
    buf = io.BytesIO()
    im = Image.new("RGB", (width, height), (40, 90, 160))
    if lossless:
        im.save(buf, "WEBP", lossless=True, quality=0, method=0)
    else:
        im.save(buf, "WEBP", quality=10, method=0)
    return buf.getvalue()


def fast_video(path: Path, *, fps: int, seconds: float, size: tuple[int, int] = (16, 16)) -> Path:
    """A ``size`` H.264 MP4 at ``fps`` frames per second (frames differ, so nothing is skipped)."""
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast", "tune": "zerolatency"}
        for i in range(round(fps * seconds)):
            frame = av.VideoFrame.from_ndarray(
                np.full((size[1], size[0], 3), (i * 7) % 255, np.uint8), "rgb24"
            )
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def _atoms(data: bytearray, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, offset, size) of the ISO-BMFF boxes between ``start`` and ``end`` (one level)."""
    out = []
    at = start
    while at + 8 <= end:
        size = struct.unpack(">I", data[at : at + 4])[0]
        kind = bytes(data[at + 4 : at + 8])
        if size == 1:
            size = struct.unpack(">Q", data[at + 8 : at + 16])[0]
        if size < 8:
            break
        out.append((kind, at, size))
        at += size
    return out


def _set_duration(data: bytearray, box: int, kind: bytes, seconds: float, movie_scale: int) -> int:
    """Rewrite the duration field of an ``mvhd``/``tkhd``/``mdhd`` box; returns its timescale."""
    version = data[box + 8]
    body = box + 12
    wide = version == 1
    times = 16 if wide else 8  # creation + modification time
    if kind == b"tkhd":
        dur_at = body + times + 8  # track id + reserved
        scale = movie_scale
    else:
        scale = struct.unpack(">I", data[body + times : body + times + 4])[0]
        dur_at = body + times + 4
    value = round(seconds * scale)
    if wide:
        data[dur_at : dur_at + 8] = struct.pack(">Q", value)
    else:
        data[dur_at : dur_at + 4] = struct.pack(">I", value)
    return scale


def lying_duration(data: bytes, claimed_s: float) -> bytes:
    """The same MP4/M4A with ``mvhd``, every ``tkhd`` and ``mdhd`` saying ``claimed_s`` (and any edit
    list dropped), while the sample tables still describe every packet: decoders see the full length."""
    buf = bytearray(data)
    moov = next((a for a in _atoms(buf, 0, len(buf)) if a[0] == b"moov"), None)
    if moov is None:
        raise ValueError("no moov box")
    _, at, size = moov
    movie_scale = _rewrite_movie_header(buf, at, size, claimed_s)
    for kind, trak, tsize in _atoms(buf, at + 8, at + size):
        if kind == b"trak":
            _rewrite_track(buf, trak, tsize, claimed_s, movie_scale)
    return bytes(buf)


def _rewrite_movie_header(buf: bytearray, moov: int, size: int, claimed_s: float) -> int:
    """Make ``mvhd`` claim ``claimed_s``; returns the movie timescale (1000 if there is no ``mvhd``)."""
    movie_scale = 1000
    for kind, box, _bsize in _atoms(buf, moov + 8, moov + size):
        if kind == b"mvhd":
            movie_scale = _set_duration(buf, box, kind, claimed_s, 1)
    return movie_scale


def _rewrite_track(buf: bytearray, trak: int, size: int, claimed_s: float, movie_scale: int) -> None:
    """Apply the rewrite each box kind of a ``trak`` calls for (see :data:`_TRACK_BOX_REWRITES`)."""
    for kind, box, bsize in _atoms(buf, trak + 8, trak + size):
        rewrite = _TRACK_BOX_REWRITES.get(kind)
        if rewrite is not None:
            rewrite(buf, box, bsize, claimed_s, movie_scale)


def _rewrite_tkhd(buf: bytearray, box: int, _size: int, claimed_s: float, movie_scale: int) -> None:
    _set_duration(buf, box, b"tkhd", claimed_s, movie_scale)


def _drop_edit_list(buf: bytearray, box: int, _size: int, _claimed_s: float, _movie_scale: int) -> None:
    """Turn ``edts`` into ``free``: an edit list would make demuxers honour the claim."""
    buf[box + 4 : box + 8] = b"free"


def _rewrite_mdia(buf: bytearray, box: int, size: int, claimed_s: float, movie_scale: int) -> None:
    """Make the ``mdhd`` inside a ``mdia`` claim ``claimed_s`` (in the media's own timescale)."""
    for kind, inner, _isize in _atoms(buf, box + 8, box + size):
        if kind == b"mdhd":
            _set_duration(buf, inner, kind, claimed_s, movie_scale)


#: ``trak`` child box type → how :func:`lying_duration` rewrites it (other boxes are left alone).
_TRACK_BOX_REWRITES: dict[bytes, Callable[[bytearray, int, int, float, int], None]] = {
    b"tkhd": _rewrite_tkhd,
    b"edts": _drop_edit_list,
    b"mdia": _rewrite_mdia,
}


def aac_m4a(path: Path, seconds: float, rate: int = 16000) -> Path:
    """A mono AAC tone in an M4A (``ipod``) container."""
    t = np.arange(int(seconds * rate)) / rate
    tone = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    with av.open(str(path), mode="w", format="ipod") as container:
        stream = container.add_stream("aac", rate=rate)
        stream.layout = "mono"
        block = rate
        for start in range(0, len(tone), block):
            frame = av.AudioFrame.from_ndarray(
                tone[None, start : start + block], format="fltp", layout="mono"
            )
            frame.sample_rate = rate
            frame.pts = start
            frame.time_base = Fraction(1, rate)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path
