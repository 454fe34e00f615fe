"""The create-time check of callback_url (the HTTP behaviour is in test_callbacks.py)."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from kinema.api.callback_url import check_callback_url
from kinema.contract.errors import Code, KlingError
from kinema.net import guard
from kinema.net.addresses import IPAddress
from kinema.settings import Settings

GUARDED = Settings(allow_private_urls=False, webhook_timeout_s=0.3)
OPEN = Settings(allow_private_urls=True, webhook_timeout_s=0.3)


@pytest.fixture(autouse=True)
def dns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    async def resolve(host: str, port: int) -> list[IPAddress]:
        asked.append(host)
        if host == "slow.test":
            await asyncio.sleep(5)
        if host == "public.test":
            return [ipaddress.ip_address("93.184.216.34")]
        return [ipaddress.ip_address("10.0.0.7")]

    monkeypatch.setattr(guard, "resolve_host", resolve)
    return asked


def message(url: str, settings: Settings = GUARDED) -> str:
    with pytest.raises(KlingError) as info:
        asyncio.run(check_callback_url(url, settings))
    assert info.value.code == Code.INVALID_PARAM and info.value.http_status == 400
    return info.value.message


def test_public_receiver_and_no_receiver_pass() -> None:
    asyncio.run(check_callback_url("https://public.test/hook", GUARDED))
    asyncio.run(check_callback_url(None, GUARDED))


def test_private_receiver_is_refused_without_naming_its_address() -> None:
    assert (
        message("http://internal.test/hook")
        == "callback_url: address not allowed: non-public or unresolvable host"
    )


def test_a_look_up_that_hangs_is_refused_within_the_deadline() -> None:
    assert message("http://slow.test/hook").startswith("callback_url: address not allowed")


def test_allow_private_resolves_nothing(dns: list[str]) -> None:
    asyncio.run(check_callback_url("http://internal.test/hook", OPEN))
    assert dns == []


def test_a_url_the_sender_could_not_use_is_refused_even_when_open() -> None:
    """A NUL in the host passes the shape check but no request could ever be built from it."""
    assert message("http://hooks\x00.test/hook", OPEN) == "callback_url: must be a valid http(s) URL"
