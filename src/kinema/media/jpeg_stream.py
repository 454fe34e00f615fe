"""What a JPEG costs to decode, and a marker walk that proves it whole without decoding.

A baseline JPEG decodes one stripe of blocks at a time, so PIL's ``draft()`` (decode at 1/8 scale) checks
even a 50-megapixel photo in a few megabytes. A *progressive* JPEG is different: libjpeg keeps the DCT
coefficients of the whole image (2 bytes a sample) until the last scan, whatever the output scale — 150 MB
for a 7000×7000 colour photo. :func:`coefficient_bytes` says what that buffer will be, so the caller can
decode only when it fits its budget and otherwise fall back to :func:`verify_markers`, which checks the
segment lengths, that image data follows a scan header and that the file ends with an end-of-image marker
(a cut-off upload, the common breakage, fails there).
"""

from __future__ import annotations

import re
import struct

#: A marker inside entropy-coded data: 0xFF (any fill bytes) then a byte that is not a stuffed zero or a
#: restart marker.
_NEXT_MARKER = re.compile(rb"\xff+[^\x00\xd0-\xd7\xff]")


class JpegError(ValueError):
    """The JPEG is malformed; the message says how (for logs; clients get a generic reason)."""


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def coefficient_bytes(width: int, height: int, layers: list[tuple[str, int, int, int]]) -> int:
    """Bytes of the whole-image coefficient buffer of a progressive JPEG (PIL's ``im.layer``: per component
    its id and horizontal/vertical sampling)."""
    if not layers:
        return width * height * 6
    hmax = max(h for _, h, _, _ in layers) or 1
    vmax = max(v for _, _, v, _ in layers) or 1
    total = 0
    for _, h, v, _ in layers:
        cols = _ceil_div(_ceil_div(width * h, hmax), 8)
        rows = _ceil_div(_ceil_div(height * v, vmax), 8)
        total += cols * rows * 64 * 2
    return total


def verify_markers(data: bytes) -> None:
    """Walk the segments of a JPEG; raises :class:`JpegError` unless scans carry data and EOI ends it."""
    if not data.startswith(b"\xff\xd8"):
        raise JpegError("no start-of-image marker")
    at = 2
    scans = 0
    while True:
        at = _marker_at(data, at)
        marker = data[at + 1]
        if marker == 0xD9:
            if not scans:
                raise JpegError("no image data")
            return
        if _is_standalone(marker):
            at += 2
            continue
        end = _segment_end(data, at, marker)
        if marker == 0xDA:
            scans += 1
            at = _scan_data_end(data, end)
        else:
            at = end


def _marker_at(data: bytes, at: int) -> int:
    """Where the marker at ``at`` starts once fill bytes (extra 0xFF) are skipped; the file must hold
    its two bytes, and they must be a marker."""
    while at < len(data) and data[at] == 0xFF and at + 1 < len(data) and data[at + 1] == 0xFF:
        at += 1
    if at + 2 > len(data):
        raise JpegError("the file ends before the end-of-image marker")
    if data[at] != 0xFF:
        raise JpegError(f"expected a marker at byte {at}")
    return at


def _is_standalone(marker: int) -> bool:
    """TEM and the restart markers carry no length field: nothing follows them but the next marker."""
    return marker == 0x01 or 0xD0 <= marker <= 0xD7


def _segment_end(data: bytes, at: int, marker: int) -> int:
    """Where the segment whose marker is at ``at`` ends, once its length field fits the file."""
    if at + 4 > len(data):
        raise JpegError("the file ends inside a segment header")
    length = struct.unpack(">H", data[at + 2 : at + 4])[0]
    end = at + 2 + length
    if length < 2 or end > len(data):
        raise JpegError(f"segment 0x{marker:02X} runs past the end of the file")
    return end


def _scan_data_end(data: bytes, header_end: int) -> int:
    """Where the entropy-coded data after a scan header stops (the next real marker); some must be there."""
    found = _NEXT_MARKER.search(data, header_end)
    if found is None:
        raise JpegError("the file ends inside image data")
    if found.start() == header_end:
        raise JpegError("a scan without image data")
    return found.end() - 2
