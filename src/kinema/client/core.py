"""Everything the sync and async clients share: each API call is built here as a :class:`Call` (method, path,
body, and how to read the reply), and a client only sends it (``sync.py`` with httpx.Client, ``aio.py`` with
httpx.AsyncClient).

Paths, request models and families come from the kind table (:mod:`kinema.contract.kinds`); the suffixes
below a task (``/cancel``, ``/queue``, ``/callbacks``) and the account-wide ``/queue`` are the only paths
written here (``/account/costs`` is :mod:`kinema.contract.account`'s), and ``tests/client/test_core.py``
finds each in the server's ``/openapi.json``. A create body is
checked by the kind's request model with :func:`kinema.contract.parsing.parse_request` (the server's own
function) before it is sent, so a bad value fails the same way, with the same message, without a round trip.
"""

from __future__ import annotations

import builtins
import inspect
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, ParamSpec, TypeVar
from urllib.parse import quote

import httpx
import jwt
from pydantic import BaseModel, ValidationError

from kinema.client import bodies
from kinema.client.errors import NO_CODE, KlingApiError, UnexpectedReplyError, error_for
from kinema.client.tasks import (
    GenericTask,
    Task,
    TextToAudioTask,
    TtsTask,
    VideoExtendTask,
    VideoTask,
    VideoToAudioTask,
)
from kinema.contract.account import COSTS_PATH, parse_costs_query, unversioned
from kinema.contract.errors import KlingError, invalid
from kinema.contract.kinds import (
    AVATAR,
    IMAGE2VIDEO,
    TEXT_TO_AUDIO,
    TTS,
    VIDEO_EXTEND,
    VIDEO_TO_AUDIO,
    KindSpec,
    queued_kinds,
)
from kinema.contract.limits import PROFILES, Limits
from kinema.contract.parsing import error_from_validation, parse_page, parse_request, parse_voice_page
from kinema.contract.responses import AccountCosts, CallbackAttempt, QueueView
from kinema.contract.voice_replies import VoiceEntry
from kinema.contract.voices import PRESETS_PATH

P = ParamSpec("P")
T = TypeVar("T")
TaskT = TypeVar("TaskT", bound=Task)
M = TypeVar("M", bound=BaseModel)

#: The limits a create is checked against before sending: those of a kinema server's default profile.
DEFAULT_LIMITS: Limits = PROFILES["kling"]

#: Below a task's path (``…/{task_id}``): kinema's extensions.
CANCEL, TASK_QUEUE, CALLBACKS = "/cancel", "/queue", "/callbacks"
#: Below the prefix: the account's queue figures (kinema extension).
ACCOUNT_QUEUE = "/queue"


@dataclass(frozen=True)
class Call(Generic[T]):
    """One request of the API, ready to send, and how to read the ``data`` of its reply."""

    method: str
    path: str
    read: Callable[[Any, str], T]
    content: bytes | None = None
    params: dict[str, Any] | None = None
    #: False: below the client's prefix without its version (``/kling/v1`` → ``/kling``), as the account
    #: routes are (``GET /account/costs``).
    versioned: bool = True

    def url_path(self, prefix: str) -> str:
        """The path to request, below a client's ``prefix``."""
        return (prefix if self.versioned else unversioned(prefix)) + self.path

    def headers(self, auth: Auth) -> dict[str, str]:
        """The credentials, and the body's type when there is one."""
        typed = {"Content-Type": "application/json"} if self.content is not None else {}
        return {**auth.header(), **typed}

    def result(self, status: int, body: Any) -> T:
        """What a reply (HTTP ``status``, decoded ``body``) means: the read data, or the exception."""
        data, request_id = unwrap(status, body)
        try:
            return self.read(data, request_id)
        except ValueError as exc:  # pydantic's ValidationError is one
            text = error_from_validation(exc).message if isinstance(exc, ValidationError) else str(exc)
            raise UnexpectedReplyError(
                NO_CODE, f"reply data is not the contract's: {text}", request_id, status
            ) from None


def decode(response: httpx.Response) -> Any:
    """The reply's JSON, or its text when it is not JSON (a proxy's error page)."""
    try:
        return response.json()
    except ValueError:
        return response.text


def unwrap(status: int, body: Any) -> tuple[Any, str]:
    """``(data, request_id)`` of a successful envelope; the family's exception for an error envelope or for
    anything that is not an envelope."""
    if not isinstance(body, dict) or not isinstance(body.get("code"), int):
        raise error_for(NO_CODE, f"not a Kling envelope: {str(body)[:200]}", "", status)
    request_id = str(body.get("request_id", ""))
    if body["code"] != 0:
        raise error_for(body["code"], str(body.get("message", "")), request_id, status)
    return body.get("data"), request_id


def refused(err: KlingError) -> KlingApiError:
    """A rule the SDK checked itself, as the exception the server's reply would have raised (not sent)."""
    return error_for(err.code, err.message, "", err.http_status)


def task_segment(task_id: str) -> str:
    """``task_id`` (or an ``external_task_id``) as one path segment: escaped, never empty."""
    if not str(task_id):
        raise refused(invalid("task_id", "is required"))
    return "/" + quote(str(task_id), safe="")


def _listed(read: Callable[[Any, str], T]) -> Callable[[Any, str], list[T]]:
    """A reader of a list reply, from the reader of one item."""

    def read_all(data: Any, request_id: str) -> list[T]:
        if not isinstance(data, list):
            raise ValueError(f"data is not a list: {str(data)[:200]}")
        return [read(item, request_id) for item in data]

    return read_all


def _model(cls: type[M]) -> Callable[[Any, str], M]:
    """A reader of a reply whose data is one ``cls`` (queue figures, a callback attempt)."""
    return lambda data, _request_id: cls.model_validate(data)


@dataclass(frozen=True)
class Calls(Generic[P, TaskT]):
    """The calls of one task kind: its row of the kind table, its task model, its typed create builder."""

    spec: KindSpec
    task: type[TaskT]
    body: Callable[P, dict[str, Any]]

    def create(self, limits: Limits | None, *args: P.args, **kwargs: P.kwargs) -> Call[TaskT]:
        """POST the kind's create body; checked against ``limits`` first unless ``limits`` is ``None``."""
        body = bodies.encode_media(self.spec, self.body(*args, **kwargs))
        # ASCII (json's default): a lone surrogate in a prompt becomes an escape the model rejects with 1201.
        content = json.dumps(body, separators=(",", ":")).encode()
        if limits is not None:
            try:
                parse_request(self.spec.request, content, limits)
            except KlingError as err:
                raise refused(err) from None
        return Call("POST", self.spec.path, self._one, content=content)

    def get(self, task_id: str) -> Call[TaskT]:
        return Call("GET", self.spec.path + task_segment(task_id), self._one)

    def find(self, external_task_id: str) -> Call[TaskT]:
        return Call("GET", self.spec.path, self._one, params={"external_task_id": external_task_id})

    def list(self, limits: Limits | None, page_num: int, page_size: int) -> Call[list[TaskT]]:
        if limits is not None:
            try:
                parse_page(str(page_num), str(page_size), limits)
            except KlingError as err:
                raise refused(err) from None
        params = {"pageNum": page_num, "pageSize": page_size}
        return Call("GET", self.spec.path, _listed(self._one), params=params)

    def cancel(self, task_id: str) -> Call[TaskT]:
        return Call("POST", self.spec.path + task_segment(task_id) + CANCEL, self._one)

    def queue(self, task_id: str) -> Call[QueueView]:
        return Call("GET", self.spec.path + task_segment(task_id) + TASK_QUEUE, _model(QueueView))

    def callbacks(self, task_id: str) -> Call[builtins.list[CallbackAttempt]]:
        read = _listed(_model(CallbackAttempt))
        return Call("GET", self.spec.path + task_segment(task_id) + CALLBACKS, read)

    def _one(self, data: Any, request_id: str) -> TaskT:
        return self.task.from_reply(data, request_id)


def account_queue() -> Call[QueueView]:
    """The account's queued and running tasks (kinema extension); ``position`` is 0."""
    return Call("GET", ACCOUNT_QUEUE, _model(QueueView))


def preset_voices_call(limits: Limits | None, page_num: int, page_size: int) -> Call[list[VoiceEntry]]:
    """A page of the preset voices (``pageSize`` up to 1000), as the voices themselves: the list reply wraps
    each in a task-shaped entry, which says nothing more about a preset."""
    if limits is not None:
        try:
            parse_voice_page(str(page_num), str(page_size), limits)
        except KlingError as err:
            raise refused(err) from None
    params = {"pageNum": page_num, "pageSize": page_size}
    return Call("GET", PRESETS_PATH, _voices_of_entries, params=params)


def _voices_of_entries(data: Any, _request_id: str) -> list[VoiceEntry]:
    if not isinstance(data, list):
        raise ValueError(f"data is not a list: {str(data)[:200]}")
    return [
        VoiceEntry.model_validate(voice)
        for entry in data
        for voice in ((entry or {}).get("task_result") or {}).get("voices") or []
    ]
def account_costs(
    start_time: int, end_time: int, resource_pack_name: str | None = None
) -> Call[AccountCosts]:
    """``GET /account/costs``: the account's resource packs valid within ``[start_time, end_time]`` (Unix
    ms); checked by the server's own rules first (1201 naming the bad time, not sent)."""
    try:
        query = parse_costs_query(str(start_time), str(end_time), resource_pack_name)
    except KlingError as err:
        raise refused(err) from None
    params: dict[str, Any] = {"start_time": query.start_time, "end_time": query.end_time}
    if query.resource_pack_name:
        params["resource_pack_name"] = query.resource_pack_name
    return Call("GET", COSTS_PATH, _model(AccountCosts), params=params, versioned=False)


AVATAR_CALLS = Calls(AVATAR, VideoTask, bodies.avatar)
IMAGE2VIDEO_CALLS = Calls(IMAGE2VIDEO, VideoTask, bodies.image2video)
VIDEO_EXTEND_CALLS = Calls(VIDEO_EXTEND, VideoExtendTask, bodies.video_extend)
VIDEO_TO_AUDIO_CALLS = Calls(VIDEO_TO_AUDIO, VideoToAudioTask, bodies.video_to_audio)
TEXT_TO_AUDIO_CALLS = Calls(TEXT_TO_AUDIO, TextToAudioTask, bodies.text_to_audio)
TTS_CALLS = Calls(TTS, TtsTask, bodies.tts)

#: The families with a typed builder, by ``sdk_name``; any other queued kind gets :func:`untyped_calls`.
TYPED_FAMILIES: dict[str, Calls[Any, Any]] = {
    calls.spec.sdk_name: calls
    for calls in (
        AVATAR_CALLS,
        IMAGE2VIDEO_CALLS,
        VIDEO_EXTEND_CALLS,
        VIDEO_TO_AUDIO_CALLS,
        TEXT_TO_AUDIO_CALLS,
    )
}


def untyped_calls() -> dict[str, Calls[..., GenericTask]]:
    """The queued kinds of the table without a typed builder: wire-named keyword arguments, generic task."""
    return {
        spec.sdk_name: Calls(spec, GenericTask, bodies.generic(spec))
        for spec in queued_kinds()
        if spec.sdk_name not in TYPED_FAMILIES
    }


F = TypeVar("F", bound=Callable[..., Any])


def like_builder(fn: F, calls: Calls[Any, Any]) -> F:
    """``fn`` (a client's create function) documented as the kind's builder for ``help()`` and editors: its
    docstring, and its parameters with the task model as the result. Type checkers read the ParamSpec."""
    fn.__doc__ = calls.body.__doc__
    fn.__name__ = fn.__qualname__ = calls.spec.sdk_name if calls.spec.synchronous else "create"
    signature = inspect.signature(calls.body).replace(return_annotation=calls.task.__name__)
    setattr(fn, "__signature__", signature)  # noqa: B010 - mypy does not know functions have one
    return fn


def timed_out(task: Task, timeout: float) -> TimeoutError:
    return TimeoutError(f"task {task.task_id} still {task.task_status} after {timeout} s")


@dataclass
class Auth:
    """An opaque key, or an AK/SK pair from which short-lived HS256 JWTs are minted (spec §9)."""

    api_key: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    _token: str = field(default="", repr=False)
    _expires: float = 0.0

    def header(self) -> dict[str, str]:
        if self.api_key:
            return {"Authorization": f"Bearer {self.api_key}"}
        if not (self.access_key and self.secret_key):
            raise ValueError("give api_key, or access_key and secret_key")
        now = time.time()
        if now > self._expires - 60:
            claims = {"iss": self.access_key, "exp": int(now) + 1800, "nbf": int(now) - 5}
            self._token = jwt.encode(claims, self.secret_key, algorithm="HS256", headers={"typ": "JWT"})
            self._expires = now + 1800
        return {"Authorization": f"Bearer {self._token}"}
