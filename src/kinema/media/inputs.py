"""Turn the media strings of a validated request into checked media: bytes in memory, or a fetched file.

A media field holds an http(s) URL (fetched through the SSRF guard of :mod:`kinema.media.fetch`) or base64.
Either way the bytes are capped before they are held, the format is taken from the content (never the name),
and the media is checked the way the engine will read it, so an undecodable, oversized or out-of-spec input
is a 1201 at create time that names the field, not a failed task later.

Checks cost what the file *is*, never what it claims, and are bounded whatever it claims: images are sized
from their headers and proven in constant memory (:mod:`kinema.media.image_probe`); audio and video are
measured from their packets, not their headers (:mod:`kinema.media.av_probe`), which also gives a video's
real frame rate and frame count. Heavy checks leave the event loop and share a few slots
(:mod:`kinema.media.check_slots`); cheap ones stay inline.

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
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kinema.contract.errors import invalid
from kinema.contract.kinds import MediaKind, spec_for
from kinema.contract.limits import Limits
from kinema.contract.requests import is_url
from kinema.contract.stored import media_slots
from kinema.media.av_probe import AvInfo, AvRejected, probe_av
from kinema.media.check_slots import run_check
from kinema.media.fetch import fetch_to_file
from kinema.media.image_probe import ImageInfo, ImageRejected, check_cost_ms, inspect_image
from kinema.media.sniff import EXTENSIONS, SNIFF_BYTES, sniff

#: Formats per kind: (documented, accepted too unless ``limits.allow_extra_formats`` is off).
FORMATS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "image": (("jpeg", "png"), ("webp",)),
    "mask": (("jpeg", "png"), ("webp",)),
    "audio": (("mp3", "wav", "m4a", "aac"), ("ogg", "flac")),
    "video": (("mp4", "mov"), ("webm", "mkv")),
}

def size_cap(kind: MediaKind, limits: Limits) -> int:
    """The most bytes an input of ``kind`` may have (the playground shows it next to the field too)."""
    return {
        "image": limits.image_max_bytes,
        "mask": limits.image_max_bytes,
        "audio": limits.sound_file_max_bytes,
        "video": limits.v2a_video_max_bytes,
    }[kind]


def accepted_formats(kind: MediaKind, limits: Limits) -> tuple[str, ...]:
    """The formats an input of ``kind`` may be in under ``limits``: the documented ones, and the extra
    ones unless ``allow_extra_formats`` is off."""
    documented, extra = FORMATS[kind]
    return documented + extra if limits.allow_extra_formats else documented


#: Below this size base64 is decoded (and, by :mod:`kinema.api.inputs`, stored) on the event loop: a thread
#: hop costs more than the copy. Checks decide by the work the content declares instead (check_slots).
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


async def _off_loop(size: int, fn: Any, *args: Any) -> Any:
    """Run ``fn`` in a thread when ``size`` bytes are big enough to stall the event loop, inline otherwise."""
    if size <= INLINE_BYTES:
        return fn(*args)
    return await asyncio.to_thread(fn, *args)


def _read(source: bytes | Path) -> bytes:
    return source if isinstance(source, bytes) else source.read_bytes()


def _check_image(source: bytes | Path, fmt: str, limits: Limits) -> ImageInfo:
    return inspect_image(
        _read(source), fmt, max_pixels=limits.image_max_pixels, budget=limits.image_check_memory_bytes
    )


def _check_av(source: bytes | Path, kind: MediaKind, max_s: float | None, limits: Limits) -> AvInfo:
    """Probe audio/video; the packet walk stops once the clip is known to be too long or to have too many
    frames, so a hostile file costs at most a limit's worth of packets."""
    stop_s = max_s + limits.duration_tolerance_s if max_s is not None else None
    if kind == "audio":
        return probe_av(source, "audio", stop_after_s=stop_s)
    return probe_av(source, "video", stop_after_s=stop_s, stop_after_frames=limits.v2a_video_frames_max)


def _check_duration(
    field: str, info: AvInfo, min_s: float | None, max_s: float | None, limits: Limits
) -> None:
    tol = limits.duration_tolerance_s
    duration = info.duration_s
    if (min_s is not None and duration < min_s - tol) or (max_s is not None and duration > max_s + tol):
        low = f"{min_s:g}" if min_s is not None else "0"
        high = f"{max_s:g}" if max_s is not None else "∞"
        got = f"more than {high}" if info.cut_short else f"{duration:.2f}"  # the walk stopped at the limit
        raise invalid(field, f"must last {low} to {high} s, got {got} s")


def _check_frames(field: str, info: AvInfo, limits: Limits) -> None:
    """Frame rate and count of a video, as measured from its packets (the header's rate is not asked)."""
    fps, frames = info.fps or 0.0, info.frames or 0
    if fps > limits.v2a_video_fps_max * 1.01:
        raise invalid(
            field, f"frame rate must be at most {limits.v2a_video_fps_max:g} fps, got {fps:.0f} fps"
        )
    if frames > limits.v2a_video_frames_max:
        raise invalid(field, f"must have at most {limits.v2a_video_frames_max} frames, got more")
    if frames < limits.v2a_video_frames_min:
        raise invalid(field, f"must have at least {limits.v2a_video_frames_min} frames, got {frames}")


async def _check_image_input(
    field: str,
    source: bytes | Path,
    fmt: str,
    head: bytes,
    kind: MediaKind,
    limits: Limits,
    check_aspect: bool,
    media: MediaFile,
) -> None:
    """Size and decodability of an image or mask; inline only when the content declares little work."""
    # In-memory input: look further than the sniffed head, a JPEG's frame header can sit behind 64 KB of EXIF.
    cost = check_cost_ms(fmt, media.size, source[: 1 << 17] if isinstance(source, bytes) else head)
    try:
        info = await run_check(cost, limits.media_checks_concurrent, _check_image, source, fmt, limits)
    except ImageRejected as exc:
        raise invalid(field, str(exc)) from exc
    media.width, media.height = info.width, info.height
    if kind == "image":
        _check_image_shape(field, info.width, info.height, limits, check_aspect)


async def _check_av_input(
    field: str,
    source: bytes | Path,
    kind: MediaKind,
    min_s: float | None,
    max_s: float | None,
    limits: Limits,
    media: MediaFile,
) -> None:
    """Real duration (and for video frame rate and count) of an audio or video input, always off the loop:
    the packet walk's cost follows the packet count, which the first bytes do not tell."""
    try:
        info = await run_check(
            float("inf"), limits.media_checks_concurrent, _check_av, source, kind, max_s, limits
        )
    except AvRejected as exc:
        raise invalid(field, str(exc)) from exc
    if kind == "audio" and info.has_video and not limits.allow_extra_formats:
        raise invalid(field, "must be an audio file, got a video")
    if kind == "video":
        _check_frames(field, info, limits)
    _check_duration(field, info, min_s, max_s, limits)
    media.width, media.height, media.duration_s = info.width, info.height, info.duration_s


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
        max_bytes = size_cap(kind, limits)
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
        allowed = accepted_formats(kind, limits)
        if kind == "audio" and fmt == "mp4":
            fmt = "m4a"  # audio-only MP4 with a generic brand; the probe below rejects one with a picture
        if fmt not in allowed:
            raise invalid(
                field, f"unsupported format {fmt or 'unknown'}; expected one of {', '.join(allowed)}"
            )
        source: bytes | Path = data if data is not None else part  # type: ignore[assignment]
        media = MediaFile(filename=f"{stem}.{EXTENSIONS[fmt]}", format=fmt, size=size, data=data)
        if kind in ("image", "mask"):
            await _check_image_input(field, source, fmt, head, kind, limits, check_aspect, media)
        else:
            await _check_av_input(field, source, kind, min_s, max_s, limits, media)
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
