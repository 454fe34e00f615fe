"""The calls the clients send: families, paths and models from the kind table (no path copied from the
server: the few suffixes written in the SDK are found in the served OpenAPI document), the create body
checked before it leaves, and replies read into the contract's models."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from kinema.client import AsyncClient, Client, GenericTask, InvalidRequestError, UnexpectedReplyError, core
from kinema.client.core import TYPED_FAMILIES, Call, Calls
from kinema.contract.kinds import AVATAR, PREFIXES, TTS, queued_kinds
from kinema.contract.responses import TASK_REPLIES
from tests.api.server import Server

TASK = {"task_id": "1", "task_status": "submitted", "created_at": 1, "updated_at": 1}
Seen = list[tuple[str, str, Any]]


def recording(seen: Seen, data: Any = TASK) -> httpx.MockTransport:
    """A transport that records each request (method, path with query, JSON body) and answers ``data``."""

    def reply(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        seen.append((request.method, request.url.raw_path.decode(), body))
        return httpx.Response(200, json={"code": 0, "message": "SUCCEED", "request_id": "r", "data": data})

    return httpx.MockTransport(reply)


def test_every_queued_kind_is_a_family_of_both_clients() -> None:
    """Typed where the SDK has a builder (each kind today), generic for a kind added to the table since."""
    assert set(TYPED_FAMILIES) <= {spec.sdk_name for spec in queued_kinds()}
    for name, calls in TYPED_FAMILIES.items():
        assert issubclass(calls.task, TASK_REPLIES[calls.spec.kind].task), name
    with Client("http://k.test", api_key="k") as k:
        assert all(getattr(k, spec.sdk_name).spec is spec for spec in queued_kinds())
    a = AsyncClient("http://k.test", api_key="k")
    assert all(getattr(a, spec.sdk_name).spec is spec for spec in queued_kinds())


def test_a_kind_without_a_typed_builder_still_gets_a_family(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, "TYPED_FAMILIES", {k: v for k, v in TYPED_FAMILIES.items() if k != "avatar"})
    seen: Seen = []
    with Client("http://k.test", api_key="k", transport=recording(seen)) as k:
        task = k.avatar.create(image="https://e.com/face.png", audio_id="3")
    assert isinstance(task, GenericTask) and k.avatar.spec is AVATAR
    assert seen == [("POST", PREFIXES[0] + AVATAR.path, {"image": "https://e.com/face.png", "audio_id": "3"})]


def test_requests_go_to_the_table_paths_under_the_chosen_prefix() -> None:
    seen: Seen = []
    with Client("http://k.test", api_key="k", prefix=PREFIXES[1], transport=recording(seen)) as k:
        for spec in queued_kinds():
            getattr(k, spec.sdk_name).get("a/b c")
            assert seen[-1][:2] == ("GET", PREFIXES[1] + spec.path + "/a%2Fb%20c")  # one escaped segment
        k.video_to_audio.create(video_id="5", bgm_prompt="jazz")
        assert seen[-1] == (
            "POST",
            PREFIXES[1] + "/audio/video-to-audio",
            {"video_id": "5", "bgm_prompt": "jazz"},
        )
    with Client(
        "http://k.test", api_key="k", transport=recording(seen, {**TASK, "task_status": "succeed"})
    ) as k:
        k.tts("hi", voice_id="AOT")
    assert seen[-1][:2] == ("POST", PREFIXES[0] + TTS.path)


def test_a_bad_value_is_refused_before_anything_is_sent() -> None:
    seen: Seen = []
    with Client("http://k.test", api_key="k", transport=recording(seen)) as k:
        with pytest.raises(InvalidRequestError) as info:
            k.image2video.create(
                "https://e.com/a.png", camera_control={"type": "simple", "config": {"zoom": 11}}
            )
        assert info.value.message == "camera_control.config.zoom: must be between -10 and 10"
        with pytest.raises(InvalidRequestError, match=r"text: is required"):
            k.tts("  ")
        with pytest.raises(InvalidRequestError, match="pageSize: must be an integer from 1 to 500"):
            k.avatar.list(page_size=501)
        with pytest.raises(InvalidRequestError, match="task_id: is required"):
            k.avatar.get("")
    assert seen == []
    with Client("http://k.test", api_key="k", transport=recording(seen, [TASK]), limits=None) as k:
        k.avatar.list(page_size=501)  # no local check: the server decides
    assert seen[-1][1].endswith("pageSize=501")


@pytest.mark.parametrize(
    ("data", "call", "text"),
    [
        ({"task_id": "1", "task_status": "finished"}, "get", "reply data is not the contract's: task_status"),
        ({"task": 1}, "list", "reply data is not the contract's: data is not a list"),
    ],
)
def test_reply_data_that_breaks_the_contract_is_an_unexpected_reply(data: Any, call: str, text: str) -> None:
    client = Client("http://k.test", api_key="k", transport=recording([], data))
    with client as k, pytest.raises(UnexpectedReplyError, match=text) as info:
        getattr(k.avatar, call)(*(["1"] if call == "get" else []))
    assert info.value.request_id == "r"


def _sdk_paths() -> set[str]:
    """Every path template the SDK can call, with ``{task_id}`` where a task id goes."""
    marker = "TASKID"
    calls: list[Call[Any]] = [core.account_queue()]
    for family in [*TYPED_FAMILIES.values(), core.TTS_CALLS]:
        f: Calls[Any, Any] = family
        calls.append(Call("POST", f.spec.path, lambda d, r: d))  # create
        if not f.spec.synchronous:
            ids: list[Callable[[str], Call[Any]]] = [f.get, f.cancel, f.queue, f.callbacks]
            calls += [f.find("x"), f.list(None, 1, 1), *(make(marker) for make in ids)]
    return {c.path.replace(marker, "{task_id}") for c in calls}


def test_every_path_the_sdk_calls_is_in_the_served_openapi(server: Server) -> None:
    served = set(httpx.get(server.base + "/openapi.json").json()["paths"])
    for prefix in PREFIXES:
        missing = {prefix + path for path in _sdk_paths()} - served
        assert not missing
