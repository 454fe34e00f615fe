"""The asyncio client: the same calls as :class:`kinema.client.Client` (built by :mod:`kinema.client.core`),
sent over an ``httpx.AsyncClient`` and awaited."""

from __future__ import annotations

import asyncio
import builtins
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Generic, TypeVar

import httpx

from kinema.client.core import (
    AVATAR_CALLS,
    DEFAULT_LIMITS,
    IMAGE2VIDEO_CALLS,
    TEXT_TO_AUDIO_CALLS,
    TTS_CALLS,
    VIDEO_EXTEND_CALLS,
    VIDEO_TO_AUDIO_CALLS,
    Auth,
    Call,
    Calls,
    P,
    TaskT,
    account_costs,
    account_queue,
    decode,
    like_builder,
    preset_voices_call,
    timed_out,
    untyped_calls,
)
from kinema.client.tasks import Downloadable, download_url
from kinema.contract.kinds import PREFIXES, KindSpec
from kinema.contract.limits import Limits
from kinema.contract.responses import AccountCosts, CallbackAttempt, QueueView
from kinema.contract.voice_replies import VoiceEntry

T = TypeVar("T")


class AsyncFamily(Generic[P, TaskT]):
    """The awaitable twin of :class:`kinema.client.sync.Family`."""

    create: Callable[P, Awaitable[TaskT]]

    def __init__(self, client: AsyncClient, calls: Calls[P, TaskT]) -> None:
        self._client, self._calls = client, calls
        self.create = client._creator(calls)

    @property
    def spec(self) -> KindSpec:
        return self._calls.spec

    async def get(self, task_id: str) -> TaskT:
        return await self._client.send(self._calls.get(task_id))

    async def find(self, external_task_id: str) -> TaskT:
        return await self._client.send(self._calls.find(external_task_id))

    async def list(self, page_num: int = 1, page_size: int = 30) -> list[TaskT]:
        return await self._client.send(self._calls.list(self._client.limits, page_num, page_size))

    async def cancel(self, task_id: str) -> TaskT:
        return await self._client.send(self._calls.cancel(task_id))

    async def queue(self, task_id: str) -> QueueView:
        return await self._client.send(self._calls.queue(task_id))

    async def callbacks(self, task_id: str) -> builtins.list[CallbackAttempt]:
        return await self._client.send(self._calls.callbacks(task_id))

    async def wait(
        self,
        task_id: str,
        timeout: float = 900.0,
        poll: float = 1.0,
        on_progress: Callable[[TaskT], None] | None = None,
    ) -> TaskT:
        deadline = time.monotonic() + timeout
        while True:
            task = await self.get(task_id)
            if on_progress:
                on_progress(task)
            if task.is_terminal:
                return task
            if time.monotonic() > deadline:
                raise timed_out(task, timeout)
            await asyncio.sleep(poll)


class AsyncClient:
    """The asyncio twin of :class:`kinema.client.Client` (same arguments, same families, awaitable)."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        prefix: str = PREFIXES[0],
        timeout: float = 120.0,
        transport: httpx.AsyncBaseTransport | None = None,
        limits: Limits | None = DEFAULT_LIMITS,
    ) -> None:
        self.limits = limits
        self._auth = Auth(api_key, access_key, secret_key)
        self._prefix = prefix.rstrip("/")
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)
        self.avatar = AsyncFamily(self, AVATAR_CALLS)
        self.image2video = AsyncFamily(self, IMAGE2VIDEO_CALLS)
        self.video_extend = AsyncFamily(self, VIDEO_EXTEND_CALLS)
        self.video_to_audio = AsyncFamily(self, VIDEO_TO_AUDIO_CALLS)
        self.text_to_audio = AsyncFamily(self, TEXT_TO_AUDIO_CALLS)
        for sdk_name, calls in untyped_calls().items():
            setattr(self, sdk_name, AsyncFamily(self, calls))
        self.tts = self._creator(TTS_CALLS)

    def _creator(self, calls: Calls[P, TaskT]) -> Callable[P, Awaitable[TaskT]]:
        async def create(*args: P.args, **kwargs: P.kwargs) -> TaskT:
            return await self.send(calls.create(self.limits, *args, **kwargs))

        return like_builder(create, calls)

    async def send(self, call: Call[T]) -> T:
        headers = call.headers(self._auth)
        r = await self._http.request(
            call.method,
            call.url_path(self._prefix),
            params=call.params,
            content=call.content,
            headers=headers,
        )
        return call.result(r.status_code, decode(r))

    async def queue(self) -> QueueView:
        return await self.send(account_queue())

    async def preset_voices(self, page_num: int = 1, page_size: int = 30) -> builtins.list[VoiceEntry]:
        """One page of the preset voices (``page_size`` up to 1000), each with a ``trial_url`` that plays."""
        return await self.send(preset_voices_call(self.limits, page_num, page_size))
    async def account_costs(
        self, start_time: int, end_time: int, resource_pack_name: str | None = None
    ) -> AccountCosts:
        """``GET /account/costs`` (see :meth:`kinema.client.Client.account_costs`)."""
        return await self.send(account_costs(start_time, end_time, resource_pack_name))

    async def download(self, item: Downloadable, dest: str | Path) -> Path:
        path = Path(dest)
        async with self._http.stream("GET", download_url(item)) as r:
            r.raise_for_status()
            with path.open("wb") as fh:
                async for chunk in r.aiter_bytes():
                    fh.write(chunk)
        return path

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
