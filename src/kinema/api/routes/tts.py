"""``POST …/audio/tts``: synchronous text to speech; the audio id is the avatar's ``audio_id``.

The upstream API answers with the finished task; so do we. Synthesis runs in a thread of the API process
(the Piper voice is loaded once per process and synthesises at ~0.1× real time). With the gateway routing
``tts``, the same thread forwards the create upstream instead (``kinema.jobs.upstream_tts``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from kinema.api import envelope
from kinema.api.body import read_body
from kinema.api.deps import account, account_for_create, bearer_scheme, check_budget_early, state
from kinema.api.openapi import ERROR_RESPONSES, UPSTREAM_SYNC_ERRORS, body_schema, reply
from kinema.api.routes.tasks import wire
from kinema.contract.errors import Code, KlingError, invalid
from kinema.contract.kinds import TTS
from kinema.contract.parsing import parse_request
from kinema.contract.requests import TtsCreate
from kinema.contract.responses import TtsTaskReply
from kinema.contract.stored import stored_request
from kinema.db.models import Task
from kinema.jobs import service
from kinema.jobs.tts_record import get_task_by_asset, record_tts_task
from kinema.jobs.tts_setup import tts_setup
from kinema.jobs.upstream_tts import forward_tts
from kinema.runtime import Runtime
from kinema.upstream.routes import goes_upstream

PATH, KIND = TTS.path, str(TTS.kind)


def synthesize_and_store(rt: Runtime, account_id: str, req: TtsCreate) -> Task:
    """Synthesise, store MP3 + phone timings, and record a finished task with its audio asset."""
    from kinema.engines.tts import TtsInputError, synthesize, write_phones_json
    from kinema.media.audio_io import write_mp3

    language: Literal["en", "zh"] = "en" if req.voice_language == "en" else "zh"
    try:
        speech = synthesize(
            req.text or "",
            language=language,
            voice_id=req.voice_id,
            speed=req.voice_speed or 1.0,
            setup=tts_setup(rt.settings),
        )
    except TtsInputError as exc:  # the engine's own refusals name their field; anything else is ours (5000)
        raise invalid(exc.field, exc.rule) from exc
    with tempfile.TemporaryDirectory(prefix="kinema-tts-") as tmp:
        mp3, phones = Path(tmp) / "speech.mp3", Path(tmp) / "phones.json"
        write_mp3(speech.samples, speech.sample_rate, mp3)
        write_phones_json(speech, phones)
        return record_tts_task(
            rt,
            account_id=account_id,
            params=stored_request(TTS, req),
            audio_path=mp3,
            phones_path=phones,
            duration_s=speech.duration,
        )


def router() -> APIRouter:
    r = APIRouter(tags=[KIND], dependencies=[Security(bearer_scheme)], responses=ERROR_RESPONSES)

    @r.post(
        PATH,
        summary=TTS.summary,
        openapi_extra=body_schema(TTS.request),
        responses={
            **reply(TtsTaskReply, "The finished task: its audio id is the avatar's audio_id"),
            **UPSTREAM_SYNC_ERRORS,
        },
    )
    async def create(request: Request) -> JSONResponse:
        account_id = account_for_create(request)
        st = state(request)
        req = parse_request(TtsCreate, await read_body(request, st.max_body_bytes), st.limits)
        await check_budget_early(request, account_id, KIND, req)  # before synthesising
        # routed upstream (docs/gateway.md): forwarded and archived in a thread, like a local synthesis
        upstream = goes_upstream(st.rt.settings, KIND, req.model_dump())
        make = forward_tts if upstream else synthesize_and_store
        task = await run_in_threadpool(make, st.rt, account_id, req)
        return envelope.ok(request, wire(request, task))

    @r.get(
        PATH + "/{task_id}",
        summary="Query a TTS task (tolerant: the official API has no such route)",
        responses=reply(TtsTaskReply, "The task, by task id or by its audio id"),
    )
    def get_one(request: Request, task_id: str) -> JSONResponse:
        account_id = account(request)
        rt = state(request).rt
        task = service.get_task(rt, account_id, KIND, task_id=task_id)
        if task is None:
            task = get_task_by_asset(rt, account_id, KIND, task_id)
        if task is None:
            raise KlingError(Code.NOT_FOUND, f"task not found: {task_id}")
        return envelope.ok(request, wire(request, task))

    return r
