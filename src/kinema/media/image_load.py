"""Open a picture for rendering without paying several full-size copies of a huge one.

The engines render at most 1080×1920, but an input may declare up to ``image_max_pixels`` (50 MP). Loaded
the obvious way, a 7000×7000 WebP cost the avatar worker 1.3 GB (PIL holds the WebP canvas, a bytes copy
and the image; EXIF rotation and the RGB conversion copy it again) and 15 s. :func:`open_picture` returns
the same picture shrunk by an integer factor right after decoding, whenever it holds more than
:data:`REDUCE_ABOVE_PIXELS` and is at least twice the size the caller needs: JPEGs are left to the
caller's ``draft()`` (decoded at reduced scale directly), others are decoded once and reduced before
anything else touches them, and a big WebP goes through OpenCV (one BGR buffer) rather than PIL.
:func:`reduced_read_flag` does the same for ``cv2.imread`` callers. Normal uploads (up to 16 MP) are
opened exactly as before, so renders of them do not change.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from kinema.media import webp_stream

#: Pictures up to this size are decoded untouched (every phone photo); bigger ones may be reduced.
REDUCE_ABOVE_PIXELS = 16_000_000


def reduction(width: int, height: int, min_short: int, min_long: int) -> int:
    """The integer factor to shrink a ``width``×``height`` picture by so that it stays at least twice
    ``min_short``×``min_long`` (short and long side); 1 for pictures up to :data:`REDUCE_ABOVE_PIXELS`."""
    if width * height <= REDUCE_ABOVE_PIXELS:
        return 1
    short, long = min(width, height), max(width, height)
    return max(1, min(short // (2 * min_short), long // (2 * min_long)))


def open_picture(path: str | Path, min_short: int, min_long: int) -> Image.Image:
    """The picture at ``path`` as a PIL image, reduced by :func:`reduction` (EXIF data kept, orientation
    not yet applied). Raises ``OSError``/``ValueError`` for an unreadable file, like ``Image.open``."""
    with open(path, "rb") as handle:
        head = handle.read(64)
    size = webp_stream.read_size(head)
    if size is not None and reduction(*size, min_short, min_long) > 1:
        return _reduced_webp(Path(path), min_short, min_long)
    img = Image.open(path)
    factor = reduction(*img.size, min_short, min_long)
    if factor == 1 or img.format == "JPEG":
        return img  # a JPEG is left to the caller's draft(), which decodes it at reduced scale
    with img:
        img.load()
        if img.mode not in _REDUCIBLE:
            return img.convert("RGBA").reduce(factor)
        return img.reduce(factor)  # keeps ``info`` (EXIF) of the original


#: Modes PIL's ``reduce`` works on; others (palette, 1-bit, 16-bit) are converted first.
_REDUCIBLE = {"L", "LA", "RGB", "RGBA", "RGBX", "CMYK", "I", "F"}


def reduced_read_flag(path: str | Path, min_short: int) -> int:
    """``cv2.imread`` flags for an engine that needs ``min_short`` pixels on the short side: a reduced-size
    read (JPEG decodes at that scale, other formats are shrunk right after decoding) for a huge picture,
    the plain colour read otherwise. EXIF orientation is applied either way."""
    size = _declared_size(Path(path))
    factor = reduction(*size, min_short, min_short) if size else 1
    for step, flag in (
        (8, cv2.IMREAD_REDUCED_COLOR_8),
        (4, cv2.IMREAD_REDUCED_COLOR_4),
        (2, cv2.IMREAD_REDUCED_COLOR_2),
    ):
        if factor >= step:
            return int(flag)
    return int(cv2.IMREAD_COLOR)


def _declared_size(path: Path) -> tuple[int, int] | None:
    with path.open("rb") as handle:
        head = handle.read(64)
    size = webp_stream.read_size(head)
    if size is not None:
        return size
    try:
        with Image.open(path) as img:  # reads the header only (not a WebP: no canvas is allocated)
            return img.size
    except (OSError, ValueError):
        return None


def _reduced_webp(path: Path, min_short: int, min_long: int) -> Image.Image:
    data = path.read_bytes()
    info = webp_stream.inspect(data)
    factor = reduction(info.width, info.height, min_short, min_long)
    full = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if full is None:
        raise ValueError("the WebP could not be decoded")
    small = cv2.resize(full, (info.width // factor, info.height // factor), interpolation=cv2.INTER_AREA)
    del full
    if small.ndim == 3 and small.shape[2] == 4:
        img = Image.fromarray(cv2.cvtColor(small, cv2.COLOR_BGRA2RGBA), "RGBA")
    else:
        img = Image.fromarray(cv2.cvtColor(small, cv2.COLOR_BGR2RGB), "RGB")
    if info.exif:
        img.info["exif"] = info.exif
    return img
