"""Turn the media strings of a validated request into checked media: bytes in memory, or a fetched file.

A media field holds an http(s) URL (fetched through the SSRF guard of :mod:`kinema.media.fetch`) or base64.
Either way the bytes are capped before they are held, the format is taken from the content (never the name),
and the media is opened the way the engine will open it — PIL for images, PyAV for audio and video — so an
undecodable, oversized or out-of-spec input is a 1201 at create time that names the field, not a failed task
later. Image decoding is guarded against decompression bombs: the declared pixel count is checked from the
header before any pixel is decoded.

Base64 media stay in memory (the request body already is) and are checked there: a create then writes each
input once, straight into storage, which is what lets the API take hundreds of creates a second. Only URL
inputs, which may be 100 MB videos, are streamed to a file in ``dest_dir``.

Mask/image aspect or resolution mismatches are deliberately *not* checked here: upstream accepts the
request and fails the task asynchronously, so the engine does the same.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import av
from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel

from kinema.contract.errors import invalid
from kinema.contract.kinds import MediaKind, spec_for
from kinema.contract.limits import Limits
from kinema.contract.requests import is_url
from kinema.contract.stored import media_slots
from kinema.media.fetch import fetch_to_file
from kinema.media.sniff import EXTENSIONS, SNIFF_BYTES, sniff

#: Formats per kind: (documented, accepted too unless ``limits.allow_extra_formats`` is off).
FORMATS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "image": (("jpeg", "png"), ("webp",)),
    "mask": (("jpeg", "png"), ("webp",)),
    "audio": (("mp3", "wav", "m4a", "aac"), ("ogg", "flac")),
    "video": (("mp4", "mov"), ("webm", "mkv")),
}

_EXIF_ORIENTATION = 0x0112
_NO_ART_CODECS = {"mjpeg", "png", "bmp", "gif"}  # cover art in audio files shows up as a "video" stream


#: Below this size a decode or probe runs on the event loop: a thread hop costs more than the work.
INLINE_BYTES = 256 * 1024


@dataclass
class MediaFile:
    """One checked input: its bytes (base64 inputs) or a file (URL inputs), and ``filename``, the name it is
    stored under (``<name>.<ext>``). Sizes are as displayed (EXIF rotation applied); duration for A/V only."""

    filename: str
    format: str
    size: int
    data: bytes | None = None
    path: Path | None = None
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None


@dataclass
class _AvInfo:
    has_audio: bool
    has_video: bool
    width: int | None
    height: int | None
    duration_s: float


def _safe_name(field: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", field).strip("_")[:64] or "input"


def decode_base64(field: str, value: str, max_bytes: int, limits: Limits) -> bytes:
    """Raw (or, when allowed, ``data:``-prefixed) base64 → bytes; the size cap is checked before decoding."""
    text = value
    if text[:5].lower() == "data:":
        if not limits.allow_data_uri:
            raise invalid(field, "must be raw base64 without a data: URI prefix")
        comma = text.find(",")
        if comma < 0 or ";base64" not in text[:comma].lower():
            raise invalid(field, "data: URI must be of the form data:<type>;base64,<data>")
        text = text[comma + 1 :]
    # Cheap bound first: even with no whitespace at all the string cannot decode to more than 3/4 its length.
    if len(text) * 3 // 4 > max_bytes * 1.1 + 1024:
        raise invalid(field, f"file is larger than {max_bytes} bytes")
    compact = "".join(text.split())
    if "-" in compact or "_" in compact:
        compact = compact.translate(str.maketrans("-_", "+/"))  # URL-safe alphabet
    stripped = compact.rstrip("=")
    if len(stripped) % 4 == 1:
        raise invalid(field, "is not valid base64")
    if len(stripped) * 3 // 4 > max_bytes:
        raise invalid(field, f"file is larger than {max_bytes} bytes")
    try:
        data = base64.b64decode(stripped + "=" * (-len(stripped) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise invalid(field, "is not valid base64") from exc
    if not data:
        raise invalid(field, "is empty")
    return data


def _opened(source: bytes | Path) -> Any:
    return io.BytesIO(source) if isinstance(source, bytes) else source


async def _off_loop(size: int, fn: Any, *args: Any) -> Any:
    """Run ``fn`` in a thread when the input is big enough to stall the event loop, inline otherwise."""
    if size <= INLINE_BYTES:
        return fn(*args)
    return await asyncio.to_thread(fn, *args)


def _probe_image(source: bytes | Path, field: str, limits: Limits) -> tuple[int, int]:
    """Width and height as displayed. Refuses bombs from the header, then decodes fully to prove the file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(_opened(source)) as im:
                width, height = im.size
                if width * height > limits.image_max_pixels:
                    cap = limits.image_max_pixels
                    raise invalid(
                        field, f"image of {width}x{height} pixels exceeds the limit of {cap} pixels"
                    )
                orientation = im.getexif().get(_EXIF_ORIENTATION)
                # JPEG: decode at 1/8 scale. Every entropy-coded byte is still read, so a truncated or
                # corrupt file fails the same way, at a fraction of the cost for big photos.
                im.draft(im.mode, (max(1, width // 8), max(1, height // 8)))
                im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise invalid(field, f"image exceeds the limit of {limits.image_max_pixels} pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise invalid(field, "image could not be decoded") from exc
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return width, height


def _probe_av(source: bytes | Path, field: str, main: Literal["audio", "video"]) -> _AvInfo:
    """Streams, size and duration through PyAV; one frame of the main stream is decoded to prove the file."""
    try:
        container = av.open(io.BytesIO(source) if isinstance(source, bytes) else str(source), mode="r")
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise invalid(field, f"{main} could not be decoded") from exc
    with container:
        audio = next((s for s in container.streams if s.type == "audio"), None)
        videos = [s for s in container.streams if s.type == "video"]
        real_video = next((s for s in videos if s.codec_context.name not in _NO_ART_CODECS), None)
        video = real_video or (videos[0] if videos and main == "video" else None)
        stream = audio if main == "audio" else video
        if stream is None:
            raise invalid(field, f"file has no {main} stream")
        ctx: Any = video.codec_context if video is not None else None
        width = int(ctx.width) if ctx is not None else None
        height = int(ctx.height) if ctx is not None else None
        duration = 0.0
        if container.duration:
            duration = float(container.duration) / av.time_base
        elif stream.duration and stream.time_base:
            duration = float(stream.duration * stream.time_base)
        try:
            decoded = False
            for _frame in container.decode(stream):
                decoded = True
                break
            if not decoded:
                raise invalid(field, f"{main} could not be decoded")
            if duration <= 0:
                # No header duration (raw streams): walk the packets of the main stream, no decoding.
                container.seek(0)
                end = 0.0
                for packet in container.demux(stream):
                    if packet.pts is not None and packet.time_base is not None:
                        end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
                duration = end
        except av.FFmpegError as exc:
            raise invalid(field, f"{main} could not be decoded") from exc
    return _AvInfo(audio is not None, real_video is not None, width, height, duration)


def _check_duration(
    field: str, duration: float, min_s: float | None, max_s: float | None, limits: Limits
) -> None:
    tol = limits.duration_tolerance_s
    if (min_s is not None and duration < min_s - tol) or (max_s is not None and duration > max_s + tol):
        low = f"{min_s:g}" if min_s is not None else "0"
        high = f"{max_s:g}" if max_s is not None else "∞"
        raise invalid(field, f"must last {low} to {high} s, got {duration:.2f} s")


async def load_media(
    field: str,
    value: str,
    kind: MediaKind,
    *,
    limits: Limits,
    settings: Any,
    dest_dir: Path,
    min_s: float | None = None,
    max_s: float | None = None,
    max_bytes: int | None = None,
    check_aspect: bool | None = None,
    name: str | None = None,
) -> MediaFile:
    """Fetch or decode one media string and check it for ``kind``.

    ``field`` names the input in error messages (``dynamic_masks[0].mask``); ``name`` is the stored file's
    stem (default: ``field`` made file-safe). Base64 stays in memory; a URL is streamed to
    ``dest_dir/<name>.<ext>`` (the folder is made only then). Size cap per kind unless ``max_bytes`` is given:
    images/masks ``image_max_bytes``, audio ``sound_file_max_bytes``, video ``v2a_video_max_bytes``. Images
    get the min-side rule and (unless ``check_aspect=False``) the aspect-ratio rule; masks get neither.
    """
    if max_bytes is None:
        max_bytes = {
            "image": limits.image_max_bytes,
            "mask": limits.image_max_bytes,
            "audio": limits.sound_file_max_bytes,
            "video": limits.v2a_video_max_bytes,
        }[kind]
    if check_aspect is None:
        check_aspect = kind == "image"
    stem = _safe_name(name or field)
    part: Path | None = None
    try:
        data: bytes | None = None
        if is_url(value):
            dest_dir.mkdir(parents=True, exist_ok=True)
            part = dest_dir / f"{stem}.part"
            size = await fetch_to_file(value, part, max_bytes=max_bytes, settings=settings, field=field)
            with part.open("rb") as handle:
                head = handle.read(SNIFF_BYTES)
        else:
            # Decoding ~14 MB of base64 takes tens of ms: big inputs are decoded off the event loop.
            data = await _off_loop(len(value), decode_base64, field, value, max_bytes, limits)
            size, head = len(data), data[:SNIFF_BYTES]
        if size == 0:
            raise invalid(field, "file is empty")
        fmt = sniff(head)
        documented, extra = FORMATS[kind]
        allowed = documented + (extra if limits.allow_extra_formats else ())
        if kind == "audio" and fmt == "mp4":
            fmt = "m4a"  # audio-only MP4 with a generic brand; the probe below rejects one with a picture
        if fmt not in allowed:
            raise invalid(
                field, f"unsupported format {fmt or 'unknown'}; expected one of {', '.join(allowed)}"
            )
        source: bytes | Path = data if data is not None else part  # type: ignore[assignment]
        media = MediaFile(filename=f"{stem}.{EXTENSIONS[fmt]}", format=fmt, size=size, data=data)
        if kind in ("image", "mask"):
            width, height = await _off_loop(size, _probe_image, source, field, limits)
            media.width, media.height = width, height
            if kind == "image":
                _check_image_shape(field, width, height, limits, check_aspect)
        else:
            main = "audio" if kind == "audio" else "video"
            info = await _off_loop(size, _probe_av, source, field, main)
            if kind == "audio" and info.has_video and not limits.allow_extra_formats:
                raise invalid(field, "must be an audio file, got a video")
            media.width, media.height, media.duration_s = info.width, info.height, info.duration_s
            _check_duration(field, info.duration_s, min_s, max_s, limits)
        if part is not None:
            final = dest_dir / media.filename
            part.replace(final)
            media.path = final
        return media
    finally:
        if part is not None:
            part.unlink(missing_ok=True)


def _check_image_shape(field: str, width: int, height: int, limits: Limits, check_aspect: bool) -> None:
    if min(width, height) < limits.image_min_side_px:
        raise invalid(
            field, f"width and height must be at least {limits.image_min_side_px} px, got {width}x{height}"
        )
    if check_aspect:
        ratio = width / height
        if not limits.image_aspect_min - 1e-9 <= ratio <= limits.image_aspect_max + 1e-9:
            raise invalid(
                field,
                f"aspect ratio (width/height) must be between 1:{1 / limits.image_aspect_min:g} and "
                f"{limits.image_aspect_max:g}:1, got {width}x{height}",
            )


async def resolve_create_inputs(
    kind: str,
    req: BaseModel,
    *,
    limits: Limits,
    settings: Any,
    dest_dir: Path,
) -> dict[str, MediaFile]:
    """Load every media field of a parsed create request with the rules its row of the kind table gives.

    Keys are the stored input names (``image``, ``audio`` from ``sound_file``, ``dynamic_mask_0``…, ``video``
    from ``video_url``). ``audio_id``/``video_id`` are database look-ups and stay with the caller. Inputs are
    loaded one after another so the first bad field is the one reported and memory stays bounded.
    """
    try:
        spec = spec_for(kind)
    except KeyError as exc:
        raise ValueError(str(exc.args[0])) from None
    out: dict[str, MediaFile] = {}
    for slot in media_slots(spec, req.model_dump(mode="json")):
        if slot.value is None:
            continue
        rules = slot.field
        min_s, max_s = rules.duration(limits) if rules.duration is not None else (None, None)
        out[slot.input] = await load_media(
            slot.path,
            slot.value,
            rules.kind,
            limits=limits,
            settings=settings,
            dest_dir=dest_dir,
            min_s=min_s,
            max_s=max_s,
            check_aspect=rules.check_aspect,
            name=slot.input,
        )
    return out
