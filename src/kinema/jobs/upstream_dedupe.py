"""Optional dedupe of upstream tasks: an identical request reuses a finished result instead of paying again.

Off by default (``KINEMA_UPSTREAM_DEDUPE_WINDOW_S=0``). On, each upstream task records a fingerprint in
``task_info.upstream.fingerprint``: SHA-256 over its kind and the exact fields it would send upstream, with
every media file replaced by the SHA-256 of its bytes (so base64 and URL inputs of the same file match, and
kinema's own ``external_task_id``/``callback_url`` do not count). A later task of the same account and kind
with the same fingerprint, while an earlier one succeeded within the window and its results are still
kept, gets a copy of those results (new asset ids, kinema's own files: nothing is sent upstream) and
``task_info.upstream.reused_from`` naming the task it copied.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import select

from kinema.contract.vocabulary import TaskStatus
from kinema.db.engine import now_ms
from kinema.db.models import Asset, Task
from kinema.jobs.executors.base import OutputFile
from kinema.jobs.watermark import WATERMARK_EXTRA
from kinema.runtime import Runtime

SCAN_LIMIT = 200
"""Most recent finished tasks of the account and kind compared (newest first)."""


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def fingerprint(kind: str, body: dict[str, Any]) -> str:
    """The fingerprint of an upstream body whose media are already digests."""
    fields = {k: v for k, v in body.items() if k not in ("external_task_id", "callback_url")}
    canonical = json.dumps([kind, fields], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def find_reusable(rt: Runtime, account_id: str, kind: str, task_id: str, print_: str) -> Task | None:
    """The newest succeeded task of this account and kind with this fingerprint, within the window."""
    since = now_ms() - int(rt.settings.upstream_dedupe_window_s * 1000)
    stmt = (
        select(Task)
        .where(
            Task.account_id == account_id,
            Task.kind == kind,
            Task.status == TaskStatus.SUCCEED,
            Task.expired.is_(False),
            Task.finished_at >= since,
            Task.id != task_id,
        )
        .order_by(Task.finished_at.desc())
        .limit(SCAN_LIMIT)
    )
    with rt.db.read() as session:
        for task in session.scalars(stmt):
            if ((task.task_info or {}).get("upstream") or {}).get("fingerprint") == print_:
                session.expunge(task)
                return task
    return None


def _entries(result: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(role, blob key, group) of every file of a stored ``task_result``."""
    files = [("video", str(v["key"]), 0) for v in result.get("videos") or []]
    for group, audio in enumerate(result.get("audios") or []):
        files += [
            (f"audio_{fmt}", str(audio[f"key_{fmt}"]), group)
            for fmt in ("mp3", "wav")
            if f"key_{fmt}" in audio
        ]
    return files


def copy_result(rt: Runtime, earlier: Task, workdir: Path) -> list[OutputFile]:
    """The earlier task's result files, copied into ``workdir`` as outputs of this task."""
    with rt.db.read() as session:
        assets = {a.blob_key: a for a in session.scalars(select(Asset).where(Asset.task_id == earlier.id))}
    outputs = []
    for i, (role, key, group) in enumerate(_entries(earlier.result or {})):
        asset = assets.get(key)
        dest = workdir / f"reused-{i}{PurePosixPath(key).suffix}"
        rt.storage.download_to(key, dest)
        extra: dict[str, Any] = (
            {"upstream_id": asset.extra["upstream_id"]} if asset and asset.extra.get("upstream_id") else {}
        )
        mark = asset.extra.get(WATERMARK_EXTRA) if asset else None
        if role == "video" and mark:  # the earlier watermarked copy too (else the runner makes a new one)
            extra[WATERMARK_EXTRA] = workdir / f"reused-{i}.watermark{PurePosixPath(mark).suffix}"
            rt.storage.download_to(mark, extra[WATERMARK_EXTRA])
        duration = float(asset.duration_s or 0.0) if asset else 0.0
        outputs.append(OutputFile(role, dest, duration, group, extra))  # type: ignore[arg-type]
    return outputs
