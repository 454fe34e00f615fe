"""Check an image upload at create time in memory that does not grow with the image.

An image is refused or accepted from what it declares and from a proof that it decodes, and neither may
cost memory in proportion to its pixels: a 503 KB 7000×7000 WebP used to add ~530 MB to the API process
(PIL decoded it three times over), six of them at once 3.5 GB. Per format:

- **JPEG** — PIL reads the header; the pixels are decoded at 1/8 scale (``draft``), a few MB even at
  50 MP. A progressive JPEG whose whole-image coefficient buffer would exceed the budget is walked marker by
  marker instead (:mod:`.jpeg_stream`).
- **PNG** — never decoded into an image: chunks, CRCs and the inflated data stream are checked in a fixed
  window (:mod:`.png_stream`).
- **WebP** — size and structure come from the RIFF chunks (:mod:`.webp_stream`), without PIL (which
  allocates the canvas on open). Pixels are decoded (OpenCV) only when that fits the budget; a larger
  WebP is accepted on its structure and decoded by the worker, which fails the task if the picture is bad.

``budget`` is ``Limits.image_check_memory_bytes``; the concurrency of these checks is bounded by the caller
(:mod:`.check_slots`), so the total is bounded too. The cost in CPU of a check is estimated by
:func:`check_cost_ms` from the first bytes alone, which is what decides whether it may run on the event loop.
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from kinema.media import jpeg_stream, png_stream, webp_stream

_EXIF_ORIENTATION = 0x0112
#: Bytes a pixel costs OpenCV to decode a WebP: BGR output, plus libwebp's own ARGB image when lossless.
_WEBP_BYTES_PER_PIXEL = {False: 3, True: 7}


class ImageRejected(ValueError):
    """The image breaks a rule; ``str()`` is the client-facing rule, without the field name."""


@dataclass(frozen=True)
class ImageInfo:
    """Size as displayed (EXIF rotation applied) and how the pixels were proven: ``decoded`` (fully or at
    reduced scale) or ``structure`` (too big to decode within the budget; the worker decodes it)."""

    width: int
    height: int
    proof: str


@dataclass(frozen=True)
class Declared:
    """What the first bytes of an image say: its pixel count and the bytes its pixel data inflates to."""

    pixels: int
    raw_bytes: int


def declared(head: bytes, fmt: str) -> Declared | None:
    """Size from the first bytes of the file, or ``None`` if they do not say (a JPEG whose frame header
    sits behind a large EXIF block). Costs microseconds: it reads a few fixed offsets."""
    if fmt == "png":
        try:
            header = png_stream.read_header(head)
        except png_stream.PngError:
            return None
        return Declared(header.width * header.height, header.raw_size)
    size = webp_stream.read_size(head) if fmt == "webp" else _jpeg_frame_size(head) if fmt == "jpeg" else None
    return Declared(size[0] * size[1], size[0] * size[1] * 3) if size else None


def _jpeg_frame_size(head: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 9 < len(head) and head[at] == 0xFF:
        marker = head[at + 1]
        if marker in _SOF_MARKERS:
            return int.from_bytes(head[at + 7 : at + 9], "big"), int.from_bytes(head[at + 5 : at + 7], "big")
        at += 2 + int.from_bytes(head[at + 2 : at + 4], "big")
    return None


_SOF_MARKERS = frozenset((0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF))


def check_cost_ms(fmt: str, size: int, head: bytes) -> float:
    """Rough milliseconds :func:`inspect_image` takes on one core of the 2-core reference machine, from
    the file size and the first bytes; unknown counts as expensive. Fitted on photos, noise and padded
    files (``bench/hostile_inputs.py``): JPEG at 1/8 scale is entropy decoding (∝ bytes) plus a little per
    pixel; PNG is inflating (∝ compressed bytes for noisy data, ∝ inflated bytes for padding); WebP is a
    full decode (∝ pixels).
    """
    info = declared(head, fmt)
    if info is None:
        return float("inf")
    if fmt == "jpeg":
        return size / 30e3 + info.pixels / 0.7e6
    if fmt == "png":
        return size / 40e3 + info.raw_bytes / 0.4e6
    return size / 10e3 + info.pixels / 1e5


def _orientation(exif: bytes | None) -> int | None:
    if not exif:
        return None
    try:
        parsed = Image.Exif()
        parsed.load(exif)
        value = parsed.get(_EXIF_ORIENTATION)
    except (OSError, SyntaxError, ValueError, struct.error, IndexError):
        return None
    return value if isinstance(value, int) else None


def _displayed(width: int, height: int, orientation: int | None) -> tuple[int, int]:
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise ImageRejected(f"image of {width}x{height} pixels exceeds the limit of {max_pixels} pixels")


def inspect_image(data: bytes, fmt: str, *, max_pixels: int, budget: int) -> ImageInfo:
    """Validate an image of sniffed format ``fmt`` (``jpeg``, ``png`` or ``webp``) and return its size.

    Raises :class:`ImageRejected` with the rule broken; every allocation is bounded by ``budget`` bytes
    plus a constant, whatever the declared size.
    """
    if fmt == "png":
        return _inspect_png(data, max_pixels)
    if fmt == "webp":
        return _inspect_webp(data, max_pixels, budget)
    if fmt == "jpeg":
        return _inspect_jpeg(data, max_pixels, budget)
    raise ImageRejected(f"unsupported format {fmt}")


def _inspect_png(data: bytes, max_pixels: int) -> ImageInfo:
    try:
        header = png_stream.read_header(data)
        _check_pixels(header.width, header.height, max_pixels)
        header, exif = png_stream.verify(data)
    except png_stream.PngError as exc:
        raise ImageRejected("image could not be decoded") from exc
    width, height = _displayed(header.width, header.height, _orientation(exif))
    return ImageInfo(width, height, "decoded")


def _inspect_webp(data: bytes, max_pixels: int, budget: int) -> ImageInfo:
    try:
        info = webp_stream.inspect(data)
    except webp_stream.WebpError as exc:
        raise ImageRejected("image could not be decoded") from exc
    _check_pixels(info.width, info.height, max_pixels)
    width, height = _displayed(info.width, info.height, _orientation(info.exif))
    if info.width * info.height * _WEBP_BYTES_PER_PIXEL[info.lossless] > budget:
        return ImageInfo(width, height, "structure")
    flags = cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if pixels is None:
        raise ImageRejected("image could not be decoded")
    return ImageInfo(width, height, "decoded")


def _inspect_jpeg(data: bytes, max_pixels: int, budget: int) -> ImageInfo:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=("JPEG",)) as im:
                width, height = im.size
                _check_pixels(width, height, max_pixels)
                orientation = im.getexif().get(_EXIF_ORIENTATION)
                progressive = bool(im.info.get("progressive") or im.info.get("progression"))
                layers = list(getattr(im, "layer", []) or [])
                if progressive and jpeg_stream.coefficient_bytes(width, height, layers) > budget:
                    jpeg_stream.verify_markers(data)
                    proof = "structure"
                else:
                    # 1/8 scale: every entropy-coded byte is still read, so a truncated or corrupt file
                    # fails the same way, at a fraction of the memory and time of a full decode.
                    im.draft(im.mode, (max(1, width // 8), max(1, height // 8)))
                    im.load()
                    proof = "decoded"
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected(f"image exceeds the limit of {max_pixels} pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        if isinstance(exc, ImageRejected):
            raise
        raise ImageRejected("image could not be decoded") from exc
    width, height = _displayed(width, height, orientation if isinstance(orientation, int) else None)
    return ImageInfo(width, height, proof)
