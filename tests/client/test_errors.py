"""Each family of Kling codes raises its own exception: mapped from the server's code table, and raised for
real replies of a running server (the account family and 5xxx, which kinema does not produce on demand,
through a recorded reply instead)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest

from kinema.client import (
    AccountError,
    ApiError,
    AuthenticationError,
    Client,
    ConcurrencyLimitError,
    InvalidRequestError,
    KlingApiError,
    NotFoundError,
    PolicyError,
    RateLimitError,
    ServerError,
    UnexpectedReplyError,
)
from kinema.client.errors import NO_CODE, error_for
from kinema.contract.errors import HTTP_STATUS, Code
from tests.api.media import png_b64
from tests.api.server import Server, start_server

#: Written out by hand, not derived like the SDK's table, so a mistake there shows here.
EXPECTED: dict[int, type[KlingApiError]] = {
    **dict.fromkeys((1000, 1001, 1002, 1003, 1004), AuthenticationError),
    **dict.fromkeys((1100, 1101, 1102, 1103), AccountError),
    **dict.fromkeys((1200, 1201, 1202), InvalidRequestError),
    1203: NotFoundError,
    **dict.fromkeys((1300, 1301, 1304), PolicyError),
    1302: RateLimitError,
    1303: ConcurrencyLimitError,
    **dict.fromkeys((5000, 5001, 5002), ServerError),
}


def test_every_code_maps_to_its_family() -> None:
    assert set(Code) - {Code.OK} <= set(EXPECTED)  # every code of the server's table is covered
    for code, cls in EXPECTED.items():
        err = error_for(code, "m", "rid", 400)
        assert type(err) is cls, code
        assert (err.code, err.message, err.request_id, err.http_status, err.status) == (
            code,
            "m",
            "rid",
            400,
            400,
        )
    assert type(error_for(4242, "new", "r", 418)) is KlingApiError
    assert issubclass(ConcurrencyLimitError, RateLimitError) and issubclass(RateLimitError, PolicyError)
    assert issubclass(NotFoundError, InvalidRequestError) and ApiError is KlingApiError


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (502, ServerError),
        (401, AuthenticationError),
        (404, NotFoundError),
        (429, RateLimitError),
        (400, UnexpectedReplyError),
    ],
)
def test_a_reply_without_a_kling_code_maps_by_http_status(status: int, cls: type[KlingApiError]) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, text="<html>Bad Gateway</html>")

    transport = httpx.MockTransport(reply)
    with Client("http://k.test", api_key="k", transport=transport) as k, pytest.raises(cls) as info:
        k.avatar.get("1")
    assert info.value.code == NO_CODE and "not a Kling envelope: <html>" in info.value.message


@pytest.mark.parametrize(
    ("code", "cls"), [(Code.NO_PERMISSION, AccountError), (Code.UNAVAILABLE, ServerError)]
)
def test_account_and_server_codes_from_a_recorded_reply(code: Code, cls: type[KlingApiError]) -> None:
    """kinema never answers 1100–1103, and 5xxx only when its disk or database fails: a recorded envelope."""

    def reply(request: httpx.Request) -> httpx.Response:
        body = {"code": int(code), "message": "refused", "request_id": "rq-1"}
        return httpx.Response(HTTP_STATUS[code], json=body)

    transport = httpx.MockTransport(reply)
    with Client("http://k.test", api_key="k", transport=transport) as k, pytest.raises(cls) as info:
        k.image2video.list()
    assert (info.value.code, info.value.request_id, info.value.http_status) == (
        code,
        "rq-1",
        HTTP_STATUS[code],
    )


def test_bad_credentials_are_authentication_errors(server: Server) -> None:
    with Client(server.base, api_key="sk-wrong") as k, pytest.raises(AuthenticationError) as info:
        k.avatar.list()
    assert (info.value.code, info.value.http_status) == (Code.AUTH_FAILED, 401) and info.value.request_id
    ak, _ = server.new_aksk("sdk-bad-secret")
    wrong = Client(server.base, access_key=ak, secret_key="not-the-secret-of-this-access-key")
    with wrong as k, pytest.raises(AuthenticationError) as info:
        k.avatar.list()
    assert info.value.code == Code.AUTH_INVALID and "signature" in info.value.message
    expired = jwt.encode({"iss": ak, "exp": int(time.time()) - 3600}, "s" * 32, algorithm="HS256")
    with Client(server.base, api_key=expired) as k, pytest.raises(AuthenticationError):
        k.avatar.list()


def test_bad_parameters_are_invalid_request_errors_naming_the_field(server: Server) -> None:
    with Client(server.base, api_key=server.key, limits=None) as k:  # no local check: the server answers
        with pytest.raises(InvalidRequestError) as sent:
            k.image2video.create(png_b64(400, 400), duration="20")
        with pytest.raises(InvalidRequestError) as unknown:  # only the server knows which audio ids exist
            k.avatar.create(png_b64(512, 512), audio_id="123456789")
    assert (sent.value.code, sent.value.http_status) == (Code.INVALID_PARAM, 400) and sent.value.request_id
    assert sent.value.message == 'duration: must be from "3" to "15", got "20"'
    assert unknown.value.code == Code.INVALID_PARAM and unknown.value.message.startswith("audio_id: ")
    with Client(server.base, api_key=server.key) as k, pytest.raises(InvalidRequestError) as local:
        k.image2video.create(png_b64(400, 400), duration="20")
    assert (local.value.code, local.value.message) == (sent.value.code, sent.value.message)
    assert local.value.request_id == ""  # refused before sending


def test_an_unknown_task_is_not_found(server: Server) -> None:
    with Client(server.base, api_key=server.key) as k:
        for call in (k.image2video.get, k.video_to_audio.cancel, k.avatar.queue, k.avatar.find):
            with pytest.raises(NotFoundError) as info:
                call("999999999999")
            assert (info.value.code, info.value.http_status) == (Code.NOT_FOUND, 404)


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """API only (tasks stay submitted): one unfinished task per account, four requests a minute."""
    srv = start_server(
        Path(tmp_path_factory.mktemp("sdk-tight")),
        api_only=True,
        KINEMA_MAX_RUNNING_TASKS="1",
        KINEMA_RATE_LIMIT_PER_MINUTE="4",
    )
    yield srv
    srv.stop()


def test_limits_are_rate_limit_errors(tight: Server) -> None:
    with Client(tight.base, api_key=tight.new_key("sdk-busy")) as k:
        k.image2video.create(png_b64(400, 400))
        with pytest.raises(ConcurrencyLimitError) as busy:
            k.image2video.create(png_b64(400, 400, seed=1))
    assert (busy.value.code, busy.value.http_status) == (Code.CONCURRENCY_LIMIT, 429)
    with Client(tight.base, api_key=tight.new_key("sdk-hot")) as k, pytest.raises(RateLimitError) as hot:
        for i in range(10):  # only creates count against the rate: 1 accepted, 3 refused with 1303, then 1302
            with contextlib.suppress(ConcurrencyLimitError):
                k.image2video.create(png_b64(400, 400, seed=i))
    assert type(hot.value) is RateLimitError and hot.value.code == Code.RATE_LIMIT
