"""The voice routes: the preset voices with trial samples that play, and the custom-voice routes as far as
kinema's TTS can honour them (it cannot clone a voice, so it has no custom voices).

``GET …/general/presets-voices`` lists the contract's catalogue (``preset_voices()``). Each ``trial_url`` is
a signed URL of :data:`~kinema.contract.voices.TRIAL_PATH`, whose route makes the sample with kinema's TTS
on its first fetch and serves it from storage after that (see :mod:`kinema.jobs.voice_samples`): the list
answers at once, and only voices someone listens to cost a synthesis. Making a sample runs in the thread
pool, at most :data:`SAMPLE_SLOTS` at a time per API process and once per voice however many fetch it
together, so neither the event loop nor the other requests wait on it. ``POST …/general/custom-voices`` is
refused with 1201 naming the recording's field; the custom-voice list is empty, and a query or delete of
any custom id answers 1203.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response

from kinema.api import envelope
from kinema.api.body import read_body
from kinema.api.deps import account, account_for_create, bearer_scheme, state
from kinema.api.openapi import NO_SUCCESS, body_schema, error_responses, reply
from kinema.api.routes.files import DOWNLOAD_RESPONSES, serve_blob
from kinema.contract.errors import Code, KlingError, invalid
from kinema.contract.parsing import parse_request, parse_voice_page
from kinema.contract.requests import CustomVoiceCreate, DeleteVoice
from kinema.contract.voice_replies import VoiceListReply, preset_entry
from kinema.contract.voices import (
    CLONING_UNSUPPORTED,
    CUSTOM_PATH,
    DELETE_PATH,
    PRESETS_PATH,
    TRIAL_PATH,
    VOICE_PAGE_SIZE_MAX,
    PresetVoice,
    VoiceLanguage,
    is_known_voice,
    is_preset_id,
    preset_voices,
)
from kinema.jobs.tts_setup import tts_setup
from kinema.jobs.voice_samples import make_sample, sample_key, sample_name
from kinema.runtime import Runtime

#: Trial samples made at once by one API process (each takes one core for ~0.1–0.5 s).
SAMPLE_SLOTS = 2
_PAGE_NUM = Query(None, description="1..1000, default 1")
_PAGE_SIZE = Query(None, description=f"1..{VOICE_PAGE_SIZE_MAX}, default 30")


class TrialSamples:
    """Makes missing trial samples: in worker threads, :data:`SAMPLE_SLOTS` at a time, one per voice."""

    def __init__(self, slots: int = SAMPLE_SLOTS) -> None:
        self._slots = asyncio.Semaphore(slots)
        self._making: dict[str, asyncio.Lock] = {}

    async def ensure(self, rt: Runtime, voice_id: str, language: VoiceLanguage) -> str:
        """The storage key of the voice's current sample, made first if it is not stored yet."""
        key, stored = await run_in_threadpool(_stored_sample, rt, voice_id, language)
        if stored:
            return key
        async with self._making.setdefault(key, asyncio.Lock()):
            if (await run_in_threadpool(_stored_sample, rt, voice_id, language))[1]:
                return key  # another request made it while this one waited
            async with self._slots:
                await run_in_threadpool(make_sample, rt, voice_id, language, key, tts_setup(rt.settings))
        return key


def _stored_sample(rt: Runtime, voice_id: str, language: VoiceLanguage) -> tuple[str, bool]:
    """(key, whether it is stored). In a thread: the first call imports the TTS engine."""
    key = sample_key(voice_id, language, tts_setup(rt.settings))
    return key, rt.storage.info(key) is not None


def trial_url(request: Request, voice: PresetVoice) -> str:
    path = TRIAL_PATH.format(voice_language=voice.voice_language, voice_id=quote(voice.voice_id, safe=""))
    query = state(request).rt.urls.signed_query(sample_name(voice.voice_id, voice.voice_language))
    return f"{str(request.base_url).rstrip('/')}{path}?{query}"


def _page(request: Request, page_num: str | None, page_size: str | None) -> tuple[int, int]:
    return parse_voice_page(page_num, page_size, state(request).limits)


def _custom_not_found(voice_id: str) -> KlingError:
    return KlingError(
        Code.NOT_FOUND, f"custom voice not found: {voice_id} (this server has no custom voices)"
    )


def router() -> APIRouter:
    r = APIRouter(tags=["voices"], dependencies=[Security(bearer_scheme)])

    @r.get(
        PRESETS_PATH,
        summary="List the preset voices, with a trial sample of each",
        responses={**reply(VoiceListReply), **error_responses(400, 401, 429, 500)},
    )
    def presets(
        request: Request, pageNum: str | None = _PAGE_NUM, pageSize: str | None = _PAGE_SIZE
    ) -> JSONResponse:
        account(request)
        page_num, page_size = _page(request, pageNum, pageSize)
        voices = preset_voices()[(page_num - 1) * page_size : page_num * page_size]
        return envelope.ok(request, [preset_entry(v, trial_url(request, v)) for v in voices])

    @r.get(
        CUSTOM_PATH,
        summary="List custom voices: always empty here (voice cloning is not supported)",
        responses={**reply(VoiceListReply), **error_responses(400, 401, 429, 500)},
    )
    def custom_list(
        request: Request, pageNum: str | None = _PAGE_NUM, pageSize: str | None = _PAGE_SIZE
    ) -> JSONResponse:
        account(request)
        _page(request, pageNum, pageSize)
        return envelope.ok(request, [])

    @r.get(
        CUSTOM_PATH + "/{task_id}",
        summary="Query a custom voice: 1203 here, as there are none",
        openapi_extra=NO_SUCCESS,
        responses=error_responses(400, 401, 404, 429, 500),
    )
    def custom_one(request: Request, task_id: str) -> JSONResponse:
        account(request)
        raise _custom_not_found(task_id)

    @r.post(
        CUSTOM_PATH,
        summary="Create a custom voice: refused (1201), kinema's TTS cannot clone voices",
        openapi_extra={**body_schema(CustomVoiceCreate), **NO_SUCCESS},
        responses=error_responses(400, 401, 429, 500),
    )
    async def custom_create(request: Request) -> JSONResponse:
        account_for_create(request)
        st = state(request)
        req = parse_request(CustomVoiceCreate, await read_body(request, st.max_body_bytes), st.limits)
        raise invalid(req.source_field, CLONING_UNSUPPORTED)

    @r.post(
        DELETE_PATH,
        summary="Delete a custom voice: 1203 for any id here, 1201 for a preset voice",
        openapi_extra={**body_schema(DeleteVoice), **NO_SUCCESS},
        responses=error_responses(400, 401, 404, 429, 500),
    )
    async def delete(request: Request) -> JSONResponse:
        account(request)
        st = state(request)
        req = parse_request(DeleteVoice, await read_body(request, st.max_body_bytes), st.limits)
        voice_id = req.voice_id or ""
        if is_preset_id(voice_id):
            raise invalid("voice_id", f"preset voices cannot be deleted, got {voice_id!r}")
        raise _custom_not_found(voice_id)

    return r


def trial_router() -> APIRouter:
    """The trial samples' downloads (no prefix, no API key: the signature is the permission)."""
    r = APIRouter(tags=["voices"])
    samples = TrialSamples()

    @r.head(TRIAL_PATH, include_in_schema=False)
    @r.get(
        TRIAL_PATH,
        summary="A preset voice's trial sample (signed URL from the presets list); made on first fetch",
        response_class=Response,
        responses={
            **DOWNLOAD_RESPONSES,
            307: {"description": "Results are on S3: the sample's presigned URL there"},
        },
    )
    async def trial(
        request: Request, voice_language: str, voice_id: str, exp: int = Query(0), sig: str = Query("")
    ) -> Response:
        rt = state(request).rt
        if not rt.urls.verify(sample_name(voice_id, voice_language), exp, sig):
            return envelope.error(request, Code.AUTH_FAILED, "file URL signature is invalid or expired")
        if voice_language not in ("zh", "en") or not is_known_voice(voice_id, voice_language):
            message = f"no preset voice {voice_id!r} in {voice_language!r}"
            return envelope.error(request, Code.NOT_FOUND, message)
        language: VoiceLanguage = "en" if voice_language == "en" else "zh"
        key = await samples.ensure(rt, voice_id, language)
        direct = rt.storage.direct_url(key, rt.settings.result_url_ttl_s)
        if direct:
            return RedirectResponse(direct, status_code=307)
        return await run_in_threadpool(serve_blob, request, key)

    return r
