"""Store a finished TTS synthesis as a task plus an ``audio`` asset (the avatar's ``audio_id``).

The synthesis is local (``api/routes/tts.py``: with phone timings) or upstream's (``jobs/upstream_tts.py``:
without them, with the upstream id the avatar's ``audio_id`` translates to). The asset row is written
before the task: if the process dies in between, an orphan asset expires on its
own, whereas a task pointing at a missing asset would hand out an unusable id.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from kinema.contract.vocabulary import TaskKind
from kinema.db.ids import new_id
from kinema.db.models import Task
from kinema.jobs.runner import fmt_seconds
from kinema.jobs.service import add_asset, find_asset, get_task, record_finished_task
from kinema.runtime import Runtime


def record_tts_task(
    rt: Runtime,
    *,
    account_id: str,
    params: dict[str, Any],
    audio_path: Path,
    phones_path: Path | None,
    duration_s: float,
    extra: dict[str, Any] | None = None,
    task_info: dict[str, Any] | None = None,
) -> Task:
    """``extra`` joins the asset's extras (``upstream_id``); ``task_info`` is the task's (``upstream``)."""
    task_id, asset_id = new_id(), new_id()
    key = f"{account_id}/{task_id}/{asset_id}.mp3"
    phones_key = f"{account_id}/{task_id}/{asset_id}.phones.json"
    extras = dict(extra or {})
    stored: list[str] = []
    try:
        rt.storage.put_file(key, audio_path, "audio/mpeg")
        stored.append(key)
        if phones_path is not None:
            rt.storage.put_file(phones_key, phones_path, "application/json")
            stored.append(phones_key)
            extras["phones"] = phones_key
        with rt.db.write() as session:
            add_asset(
                session,
                account_id=account_id,
                task_id=task_id,
                role="audio",
                blob_key=key,
                content_type="audio/mpeg",
                duration_s=duration_s,
                extra=extras,
                retention=rt.settings.retention_days,
                asset_id=asset_id,
            )
    except BaseException:
        # Nothing refers to the blobs yet (a full disk, most often): keep none, the client gets an error.
        for done in stored:
            with contextlib.suppress(Exception):
                rt.storage.delete(done)
        raise
    result = {"audios": [{"id": asset_id, "key": key, "duration": fmt_seconds(duration_s)}]}
    return record_finished_task(
        rt,
        account_id=account_id,
        kind=TaskKind.TTS,
        params=params,
        result=result,
        task_id=task_id,
        task_info=task_info,
    )


def get_task_by_asset(rt: Runtime, account_id: str, kind: str, asset_id: str) -> Task | None:
    """Clients that poll ``GET …/audio/tts/{id}`` sometimes pass the audio id instead of the task id."""
    asset = find_asset(rt, account_id, asset_id, ("audio",))
    if asset is None or asset.task_id is None:
        return None
    return get_task(rt, account_id, kind, task_id=asset.task_id)
