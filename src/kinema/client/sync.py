"""The blocking client: sends the calls that :mod:`kinema.client.core` builds, over an ``httpx.Client``."""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable
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


class Family(Generic[P, TaskT]):
    """One task family (``client.avatar``, ``client.image2video``, ``client.video_to_audio``): create, get,
    find, list, cancel, queue, callbacks, wait. ``create`` takes the request model's fields by name (see
    :mod:`kinema.client.bodies`) and every method returns the kind's task model."""

    create: Callable[P, TaskT]

    def __init__(self, client: Client, calls: Calls[P, TaskT]) -> None:
        self._client, self._calls = client, calls
        self.create = client._creator(calls)

    @property
    def spec(self) -> KindSpec:
        """This family's row of the kind table."""
        return self._calls.spec

    def get(self, task_id: str) -> TaskT:
        """The task by ``task_id`` (kinema also accepts an ``external_task_id``); NotFoundError if none."""
        return self._client.send(self._calls.get(task_id))

    def find(self, external_task_id: str) -> TaskT:
        return self._client.send(self._calls.find(external_task_id))

    def list(self, page_num: int = 1, page_size: int = 30) -> list[TaskT]:
        """One page of this account's tasks of this kind, newest first."""
        return self._client.send(self._calls.list(self._client.limits, page_num, page_size))

    def cancel(self, task_id: str) -> TaskT:
        """Cancel (kinema extension): a queued task fails at once, a running one stops at its next step."""
        return self._client.send(self._calls.cancel(task_id))

    def queue(self, task_id: str) -> QueueView:
        """Queue depth, running tasks and this task's position (kinema extension)."""
        return self._client.send(self._calls.queue(task_id))

    def callbacks(self, task_id: str) -> builtins.list[CallbackAttempt]:
        """Every callback delivery attempt of this task (kinema extension)."""
        return self._client.send(self._calls.callbacks(task_id))

    def wait(
        self,
        task_id: str,
        timeout: float = 900.0,
        poll: float = 1.0,
        on_progress: Callable[[TaskT], None] | None = None,
    ) -> TaskT:
        """Poll until the task is terminal (``succeed``/``failed``); TimeoutError after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            task = self.get(task_id)
            if on_progress:
                on_progress(task)
            if task.is_terminal:
                return task
            if time.monotonic() > deadline:
                raise timed_out(task, timeout)
            time.sleep(poll)


class Client:
    """``Client(base_url, api_key=…)`` or ``Client(base_url, access_key=…, secret_key=…)`` (JWT).

    ``prefix`` is ``/kling/v1`` (gateway style, default) or ``/v1`` (official style). One :class:`Family` per
    queued kind of the kind table, named by its ``sdk_name``, and ``tts()`` for the synchronous one.

    ``limits``: what a create (and a list's paging) is checked against before it is sent; a value the
    request model rejects raises :class:`~kinema.client.errors.InvalidRequestError` without a round trip.
    The default is a kinema server's default profile; give the server's own (``build_limits("cometapi")``,
    or with its ``KINEMA_LIMIT_OVERRIDES``) when it differs, or ``None`` to leave every check to the server.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        prefix: str = PREFIXES[0],
        timeout: float = 120.0,
        transport: httpx.BaseTransport | None = None,
        limits: Limits | None = DEFAULT_LIMITS,
    ) -> None:
        self.limits = limits
        self._auth = Auth(api_key, access_key, secret_key)
        self._prefix = prefix.rstrip("/")
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)
        self.avatar = Family(self, AVATAR_CALLS)
        self.image2video = Family(self, IMAGE2VIDEO_CALLS)
        self.video_extend = Family(self, VIDEO_EXTEND_CALLS)
        self.video_to_audio = Family(self, VIDEO_TO_AUDIO_CALLS)
        self.text_to_audio = Family(self, TEXT_TO_AUDIO_CALLS)
        for sdk_name, calls in untyped_calls().items():
            setattr(self, sdk_name, Family(self, calls))
        #: Synchronous text to speech: the finished task; its ``audio_id`` feeds ``avatar.create``.
        self.tts = self._creator(TTS_CALLS)

    def _creator(self, calls: Calls[P, TaskT]) -> Callable[P, TaskT]:
        """The create function of ``calls``' kind on this client: the builder's parameters, the task back."""

        def create(*args: P.args, **kwargs: P.kwargs) -> TaskT:
            return self.send(calls.create(self.limits, *args, **kwargs))

        return like_builder(create, calls)

    def send(self, call: Call[T]) -> T:
        """Send one call built by :mod:`kinema.client.core`; its result, or the family's exception."""
        headers = call.headers(self._auth)
        r = self._http.request(
            call.method,
            call.url_path(self._prefix),
            params=call.params,
            content=call.content,
            headers=headers,
        )
        return call.result(r.status_code, decode(r))

    def queue(self) -> QueueView:
        """This account's queued and running tasks (kinema extension)."""
        return self.send(account_queue())

    def preset_voices(self, page_num: int = 1, page_size: int = 30) -> builtins.list[VoiceEntry]:
        """One page of the preset voices (``page_size`` up to 1000): ``voice_id`` (for ``tts``),
        ``voice_name``, ``voice_language`` and a ``trial_url`` that plays a sample of the voice."""
        return self.send(preset_voices_call(self.limits, page_num, page_size))
    def account_costs(
        self, start_time: int, end_time: int, resource_pack_name: str | None = None
    ) -> AccountCosts:
        """``GET /account/costs``: the account's resource packs (on kinema, its unit budget) valid within
        ``[start_time, end_time]`` (Unix ms); an empty list when the account has no budget."""
        return self.send(account_costs(start_time, end_time, resource_pack_name))

    def download(self, item: Downloadable, dest: str | Path) -> Path:
        """Stream a result (its URL, or an entry of ``task.videos``/``task.audios``) to ``dest``."""
        path = Path(dest)
        with self._http.stream("GET", download_url(item)) as r:
            r.raise_for_status()
            with path.open("wb") as fh:
                for chunk in r.iter_bytes():
                    fh.write(chunk)
        return path

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
