"""TTS through the gateway: forward a synchronous create upstream, archive its audio, record kinema's task.

TTS is answered inside the create request (upstream too), so there is no worker, no queue and no polling:
the API calls :func:`forward_tts` in a thread. The upstream reply is the finished task; its audio is fetched
through the SSRF guard (:mod:`kinema.upstream.archive`) into kinema's storage and recorded as a kinema TTS
task whose audio asset keeps the upstream's audio id (``extra.upstream_id``). So the client's ``audio_id``
works for an avatar that runs locally (kinema's copy of the audio, without phone timings: the lip-sync
then reads the audio itself) and is translated back to the upstream id for an avatar routed upstream.

Faults: a busy upstream (network error, HTTP 429/5xx, codes 1302, 1303, 5xxx) is retried with backoff, no
new try starting after ``KINEMA_UPSTREAM_SYNC_DEADLINE_S`` (so the client waits at most that plus one
call's ``KINEMA_UPSTREAM_TIMEOUT_S``); then it gets 5002 if the last try timed out, else 5001. A refusal
(any other code) is relayed with the upstream's code and message, except the upstream's verdict on
kinema's own credentials (1000–1004), which is the operator's problem: 5001. A 5xx whose request did
reach the upstream may have been synthesised (and charged) before the retry: the official API has no TTS
query by ``external_task_id`` to find it again (docs/gateway.md).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kinema.contract.errors import Code, KlingError
from kinema.contract.kinds import TTS
from kinema.contract.stored import ROW_COLUMNS, stored_request
from kinema.db.models import Task
from kinema.jobs.tts_record import record_tts_task
from kinema.media.audio_io import media_duration
from kinema.runtime import Runtime
from kinema.upstream import archive
from kinema.upstream.client import UpstreamBusy, UpstreamClient, UpstreamRejected

#: Upstream codes about kinema's credentials towards it, not about the client's request.
_CREDENTIAL_CODES = range(1000, 1005)
_KNOWN_CODES = frozenset(int(code) for code in Code)


def _relay(exc: UpstreamRejected) -> KlingError:
    """The client's error for an upstream refusal: the upstream's code and message when it is a code of the
    official table about the request or the account; 5001 for kinema's own credentials or unknown codes."""
    message = f"upstream error {exc.code}: {exc.message}"
    if exc.code in _CREDENTIAL_CODES or exc.code not in _KNOWN_CODES:
        return KlingError(Code.UNAVAILABLE, f"the upstream is unavailable to this server ({message})")
    return KlingError(Code(exc.code), message)


def create_within_deadline(client: UpstreamClient, body: dict[str, Any]) -> dict[str, Any]:
    """The upstream's reply to the TTS create, retried while it is busy: no new try starts after the sync
    deadline (one try may run ``upstream_timeout_s``: a long text takes the upstream a while to speak)."""
    settings = client.settings
    deadline = time.monotonic() + settings.upstream_sync_deadline_s
    delay = settings.upstream_poll_s
    while True:
        try:
            return client.create(TTS.path, body)
        except UpstreamRejected as exc:
            raise _relay(exc) from exc
        except UpstreamBusy as exc:
            left = deadline - time.monotonic()
            if left <= delay:
                code = Code.TIMEOUT if exc.timed_out else Code.UNAVAILABLE
                waited = settings.upstream_sync_deadline_s
                raise KlingError(code, f"the upstream did not answer within {waited:g} s ({exc})") from exc
            time.sleep(delay)
            delay = min(delay * 2, settings.upstream_retry_max_s)


def _audio(done: dict[str, Any], workdir: Path) -> archive.Fetched:
    """The MP3 of the upstream's finished TTS task (its first audio)."""
    status = done.get("task_status")
    if status != "succeed":
        why = done.get("task_status_msg") or f"task_status {status!r}"
        raise KlingError(Code.UNAVAILABLE, f"the upstream TTS did not succeed: {why}")
    for item in archive.planned(done.get("task_result") or {}, workdir):
        if item.role == "audio_mp3" and item.group == 0:
            return item
    raise KlingError(Code.UNAVAILABLE, "the upstream TTS succeeded without an audio")


def _measured(item: archive.Fetched) -> float:
    """The archived audio's own duration (the upstream's figure only when the container has none)."""
    try:
        return media_duration(item.path) or item.duration_s
    except Exception as exc:  # av's errors: not a decodable audio file
        raise KlingError(Code.UNAVAILABLE, f"the upstream TTS audio is not a readable MP3: {exc}") from exc


def forward_tts(rt: Runtime, account_id: str, req: BaseModel) -> Task:
    """Run a validated TTS create upstream and record it as a finished kinema task (blocking: a thread)."""
    body = req.model_dump(mode="json", exclude_none=True, exclude=set(ROW_COLUMNS))
    with UpstreamClient(rt.settings) as client:
        done = create_within_deadline(client, body)
        base = client.base
    with tempfile.TemporaryDirectory(prefix="kinema-tts-up-") as tmp:
        item = _audio(done, Path(tmp))
        try:
            archive.download(item, rt.settings, "audios[0]")
        except archive.ArchiveError as exc:
            raise KlingError(Code.UNAVAILABLE, str(exc)) from exc
        upstream = {
            "task_id": str(done.get("task_id", "")),
            "base_url": base,
            "final_unit_deduction": str(done.get("final_unit_deduction", "")),
            "urls": [item.url],
        }
        return record_tts_task(
            rt,
            account_id=account_id,
            params=stored_request(TTS, req),
            audio_path=item.path,
            phones_path=None,
            duration_s=_measured(item),
            extra={"upstream_id": item.upstream_id} if item.upstream_id else None,
            task_info={"upstream": upstream},
        )
