"""Copy an upstream task's result files into local files, through the same SSRF guard as client media.

The result URLs come from the upstream's reply, not from the operator, so they are fetched like any
client-supplied URL (:func:`kinema.media.fetch.fetch_to_file`: guarded address, pinned connection, byte cap
``upstream_result_max_mb``, streamed to disk). A failed download is tried again a few times; a result the
upstream no longer serves (HTTP 404/410) or that never comes fails the task: kinema never reports a result
it does not hold.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kinema.contract.errors import KlingError
from kinema.media.fetch import fetch_to_file
from kinema.settings import Settings

ATTEMPTS = 4
"""Downloads of one file before the task fails."""
FINAL = ("HTTP status 404", "HTTP status 410", "larger than", "not allowed", "malformed", "only http")
"""Fetch failures that a retry cannot mend: gone, too big, or refused by the guard."""


class ArchiveError(Exception):
    """A result could not be archived; ``str()`` is the task's ``task_status_msg``."""


@dataclass
class Fetched:
    """One archived file: its place in the upstream result and what kinema records of it."""

    role: str  # video | audio_mp3 | audio_wav
    path: Path
    duration_s: float
    group: int
    upstream_id: str
    url: str
    extra: dict[str, Any] = field(default_factory=dict)


def _duration(entry: dict[str, Any], name: str) -> float:
    try:
        return float(entry.get(name) or entry.get("duration") or 0.0)
    except (TypeError, ValueError):
        return 0.0


def planned(result: dict[str, Any], workdir: Path) -> list[Fetched]:
    """The files of an upstream ``task_result`` (videos, and audios as mp3 + wav pairs). A video's
    ``watermark_url`` (its watermarked copy) rides in its ``extra``: :func:`watermark_copy` plans it."""
    files: list[Fetched] = []
    for i, video in enumerate(result.get("videos") or []):
        if video.get("url"):
            mark = {"watermark_url": str(video["watermark_url"])} if video.get("watermark_url") else {}
            files.append(
                Fetched(
                    "video",
                    workdir / f"up-video-{i}.mp4",
                    _duration(video, "duration"),
                    0,
                    str(video.get("id", "")),
                    str(video["url"]),
                    mark,
                )
            )
    for i, audio in enumerate(result.get("audios") or []):
        for fmt in ("mp3", "wav"):
            url = audio.get(f"url_{fmt}") or (audio.get("url") if fmt == "mp3" else None)
            if url:
                files.append(
                    Fetched(
                        f"audio_{fmt}",
                        workdir / f"up-audio-{i}.{fmt}",
                        _duration(audio, f"duration_{fmt}"),
                        i,
                        str(audio.get("id", "")),
                        str(url),
                    )
                )
    return files


def watermark_copy(item: Fetched) -> Fetched | None:
    """The upstream's watermarked copy of a planned video, as a file to download; None when it gave none."""
    url = item.extra.get("watermark_url")
    if item.role != "video" or not url:
        return None
    path = item.path.with_name(item.path.stem + "-watermark.mp4")
    return Fetched("watermark", path, item.duration_s, item.group, item.upstream_id, str(url))


def download(item: Fetched, settings: Settings, where: str) -> int:
    """Fetch one file, retried; raises :class:`ArchiveError` naming ``where`` (``videos[0]``)."""
    max_bytes = int(settings.upstream_result_max_mb * 1024 * 1024)
    reason = ""
    for attempt in range(ATTEMPTS):
        try:
            return asyncio.run(
                fetch_to_file(item.url, item.path, max_bytes=max_bytes, settings=settings, field=where)
            )
        except KlingError as exc:
            reason = exc.message
            if any(code in reason for code in FINAL):
                break
        time.sleep(min(8.0, 0.5 * 2**attempt))
    raise ArchiveError(f"the upstream result could not be archived: {reason}")
