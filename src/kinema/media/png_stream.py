"""Prove a PNG decodable without holding its pixels: walk the chunks, inflate the image data in small windows.

Decoding a PNG with PIL allocates the whole image (a 190 KB zero-padded 7000×7000 PNG becomes 147 MB). What
can make a PNG undecodable is all visible in the stream, though: a bad chunk CRC, a missing or malformed
``IHDR``, a compressed stream that is corrupt or ends early, a row with an unknown filter byte. This module
checks exactly those while inflating into a fixed window that is thrown away, so memory stays constant
whatever the declared size; the CPU cost is that of inflating once (the unfiltering PIL would add is skipped).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Inflated bytes looked at per step; the only buffer that grows with the image.
WINDOW = 1 << 20

#: Colour type → samples per pixel; and the bit depths PNG allows for it.
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
#: Adam7 passes: (x start, y start, x step, y step).
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


class PngError(ValueError):
    """The PNG cannot be decoded; the message says why (for logs; clients get a generic reason)."""


@dataclass(frozen=True)
class PngHeader:
    width: int
    height: int
    bit_depth: int
    colour_type: int
    interlaced: bool

    @property
    def bits_per_pixel(self) -> int:
        return _CHANNELS[self.colour_type] * self.bit_depth

    def passes(self) -> list[tuple[int, int]]:
        """(rows, bytes per row including the filter byte) of each non-empty pass, in stream order."""
        if not self.interlaced:
            return [(self.height, 1 + (self.width * self.bits_per_pixel + 7) // 8)]
        out = []
        for x0, y0, dx, dy in _ADAM7:
            w = (self.width - x0 + dx - 1) // dx if self.width > x0 else 0
            h = (self.height - y0 + dy - 1) // dy if self.height > y0 else 0
            if w and h:
                out.append((h, 1 + (w * self.bits_per_pixel + 7) // 8))
        return out

    @property
    def raw_size(self) -> int:
        """Bytes the image data inflates to."""
        return sum(rows * stride for rows, stride in self.passes())


def read_header(data: bytes) -> PngHeader:
    """The ``IHDR`` of a PNG (it must be the first chunk); no pixel is looked at."""
    if not data.startswith(SIGNATURE) or len(data) < 33 or data[12:16] != b"IHDR":
        raise PngError("no IHDR chunk")
    if struct.unpack(">I", data[8:12])[0] != 13:
        raise PngError("IHDR has the wrong length")
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", data[16:29])
    if not width or not height or width > 2**31 - 1 or height > 2**31 - 1:
        raise PngError(f"invalid size {width}x{height}")
    if colour not in _DEPTHS or depth not in _DEPTHS[colour]:
        raise PngError(f"invalid colour type {colour} with bit depth {depth}")
    if compression or filtering or interlace > 1:
        raise PngError("unknown compression, filter or interlace method")
    return PngHeader(width, height, depth, colour, interlace == 1)


class _RowStarts:
    """Checks the filter byte (0–4) that starts every row, window by window of the inflated stream."""

    def __init__(self, header: PngHeader) -> None:
        self.segments: list[tuple[int, int, int]] = []  # (start offset, rows, stride)
        at = 0
        for rows, stride in header.passes():
            self.segments.append((at, rows, stride))
            at += rows * stride

    def check(self, window: bytes, offset: int) -> None:
        end = offset + len(window)
        view = np.frombuffer(window, np.uint8)
        for start, rows, stride in self.segments:
            stop = start + rows * stride
            if stop <= offset or start >= end:
                continue
            first = max(0, -(-(offset - start) // stride))
            last = min(rows, -(-(end - start) // stride))
            if first >= last:
                continue
            starts = start + np.arange(first, last, dtype=np.int64) * stride - offset
            if int(view[starts].max()) > 4:
                raise PngError("a row has an unknown filter type")


def verify(data: bytes) -> tuple[PngHeader, bytes | None]:
    """Check every chunk and inflate the image data; returns the header and the ``eXIf`` payload, if any.

    Raises :class:`PngError` for a broken file. Extra bytes after the image data are tolerated (decoders
    ignore them); a stream that ends before the last row is not.
    """
    walk = _ChunkWalk(read_header(data))
    at = len(SIGNATURE)
    while True:
        if at + 12 > len(data):
            if walk.all_rows_seen:
                break  # all rows are there; only IEND (or a trailing ancillary chunk) is missing
            raise PngError("the file ends inside a chunk")
        kind, body, at = _read_chunk(data, at)
        if kind == b"IEND":
            break
        walk.take(kind, body)
    return walk.finish()


def _read_chunk(data: bytes, at: int) -> tuple[bytes, bytes, int]:
    """The type and body of the chunk at ``at`` and where the next one starts, once its length and CRC hold.

    The caller has made sure the 12 bytes of length, type and CRC can be there at all.
    """
    length = struct.unpack(">I", data[at : at + 4])[0]
    kind = data[at + 4 : at + 8]
    body_end = at + 8 + length
    if length > 2**31 - 1 or body_end + 4 > len(data):
        raise PngError(f"chunk {kind!r} runs past the end of the file")
    crc = struct.unpack(">I", data[body_end : body_end + 4])[0]
    if zlib.crc32(data[at + 4 : body_end]) != crc:
        raise PngError(f"chunk {kind!r} has a bad CRC")
    return kind, data[at + 8 : body_end], body_end + 4


class _ChunkWalk:
    """What the chunks seen so far amount to; one handler per chunk type the checks care about.

    Kept apart from the loop that cuts the file into chunks so each PNG rule is one small method.
    """

    def __init__(self, header: PngHeader) -> None:
        self.header = header
        self.rows = _RowStarts(header)
        self.expected = header.raw_size
        self.inflater = zlib.decompressobj()
        self.produced = 0
        self.exif: bytes | None = None
        self.seen_plte = self.seen_idat = self.idat_done = False

    @property
    def all_rows_seen(self) -> bool:
        return self.seen_idat and self.produced >= self.expected

    def take(self, kind: bytes, body: bytes) -> None:
        _CHUNK_HANDLERS.get(kind, _ChunkWalk._other)(self, body)

    def _plte(self, body: bytes) -> None:
        self.seen_plte = True

    def _exif(self, body: bytes) -> None:
        self.exif = body

    def _idat(self, body: bytes) -> None:
        if self.idat_done:
            raise PngError("image data is split by another chunk")
        self.seen_idat = True
        self.produced = _inflate(self.inflater, body, self.produced, self.expected, self.rows)

    def _other(self, body: bytes) -> None:
        """Any other chunk: after image data it closes it (PNG wants all ``IDAT`` chunks consecutive)."""
        if self.seen_idat:
            self.idat_done = True

    def finish(self) -> tuple[PngHeader, bytes | None]:
        """The whole-file rules, checked once the walk has reached ``IEND`` or the end of the data."""
        if not self.seen_idat:
            raise PngError("no image data")
        if self.header.colour_type == 3 and not self.seen_plte:
            raise PngError("a palette image without a palette")
        if self.produced < self.expected:
            raise PngError(f"image data ends early ({self.produced} of {self.expected} bytes)")
        return self.header, self.exif


_CHUNK_HANDLERS = {b"PLTE": _ChunkWalk._plte, b"eXIf": _ChunkWalk._exif, b"IDAT": _ChunkWalk._idat}


def _inflate(inflater: zlib._Decompress, chunk: bytes, produced: int, expected: int, rows: _RowStarts) -> int:
    """Feed one ``IDAT`` to the inflater, looking at (and dropping) at most :data:`WINDOW` bytes at a time."""
    pending = chunk
    while pending and produced < expected and not inflater.eof:
        try:
            out = inflater.decompress(pending, WINDOW)
        except zlib.error as exc:
            raise PngError(f"image data is corrupt: {exc}") from exc
        if not out and len(inflater.unconsumed_tail) == len(pending):
            break  # no progress: the inflater wants more input than this chunk has
        pending = inflater.unconsumed_tail
        if out:
            keep = out[: expected - produced]
            rows.check(keep, produced)
            produced += len(keep)
    return produced
