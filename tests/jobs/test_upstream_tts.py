"""TTS forwarded upstream inside the request: which upstream answers are retried (and for how long), which
are relayed with their code, and what the client gets when the deadline comes first."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from kinema.contract.errors import Code, KlingError
from kinema.jobs.upstream_tts import create_within_deadline
from kinema.settings import Settings
from kinema.upstream.client import UpstreamClient

Handler = Callable[[httpx.Request], httpx.Response]


def _client(handler: Handler, deadline_s: float = 0.6) -> UpstreamClient:
    settings = Settings(
        upstream_url="http://up.example",
        upstream_api_key="k",
        upstream_sync_deadline_s=deadline_s,
        upstream_poll_s=0.05,
        upstream_retry_max_s=0.1,
    )
    return UpstreamClient(settings, transport=httpx.MockTransport(handler))


def _envelope(code: int, message: str = "", data: object = None, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "message": message, "request_id": "r", "data": data})


def test_busy_upstream_is_retried_then_answers() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) < 3:  # a rate limit, then a 503, then the finished task
            return _envelope(1302, "too fast", status=429) if len(calls) == 1 else httpx.Response(503)
        return _envelope(0, "ok", {"task_id": "9", "task_status": "succeed"})

    with _client(handler, deadline_s=5) as client:
        assert create_within_deadline(client, {"text": "hi"})["task_id"] == "9"
    assert len(calls) == 3


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        (lambda r: httpx.Response(503), Code.UNAVAILABLE),
        (lambda r: _envelope(1303, "over the cap", status=429), Code.UNAVAILABLE),
        (lambda r: _envelope(5002, "server timeout", status=504), Code.TIMEOUT),
    ],
)
def test_deadline_answers_5001_or_5002_in_bounded_time(failure: Handler, code: Code) -> None:
    started = time.monotonic()
    with _client(failure) as client, pytest.raises(KlingError) as caught:
        create_within_deadline(client, {"text": "hi"})
    assert caught.value.code == code
    assert "did not answer within 0.6 s" in caught.value.message
    assert time.monotonic() - started < 2.0


def test_a_timed_out_call_counts_as_5002() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with _client(handler) as client, pytest.raises(KlingError) as caught:
        create_within_deadline(client, {"text": "hi"})
    assert caught.value.code == Code.TIMEOUT and caught.value.http_status == 504


def test_refusals_keep_the_upstream_code_but_not_its_verdict_on_kinemas_credentials() -> None:
    answers = {
        "bad": _envelope(1201, "text: must be at most 50 characters, got 60", status=400),
        "poor": _envelope(1102, "resource pack depleted", status=429),
        "creds": _envelope(1004, "token expired", status=401),
        "odd": _envelope(1999, "something new", status=400),
    }
    seen: dict[str, KlingError] = {}
    for name, answer in answers.items():
        with _client(lambda r, a=answer: a) as client, pytest.raises(KlingError) as caught:  # type: ignore[misc]
            create_within_deadline(client, {"text": name})
        seen[name] = caught.value
    assert seen["bad"].code == Code.INVALID_PARAM and seen["bad"].http_status == 400
    assert seen["bad"].message == "upstream error 1201: text: must be at most 50 characters, got 60"
    assert seen["poor"].code == Code.RESOURCE_PACK_DEPLETED
    # the upstream refusing kinema's own key is the operator's problem: the client must not think its key bad
    assert seen["creds"].code == Code.UNAVAILABLE and "upstream error 1004" in seen["creds"].message
    assert seen["odd"].code == Code.UNAVAILABLE and "upstream error 1999" in seen["odd"].message
