"""The SSRF guard: which URLs it refuses, what it says, and that it pins the connection to what it checked."""

from __future__ import annotations

import asyncio
import ipaddress

import httpx
import pytest

from kinema.net import guard
from kinema.net.addresses import IPAddress
from kinema.net.guard import NOT_ALLOWED, HostUnresolvable, UrlRefused, checked_addresses, pinned_target


def fake_dns(table: dict[str, list[str]]) -> object:
    async def resolve(host: str, port: int) -> list[IPAddress]:
        try:
            return [ipaddress.ip_address(a) for a in table[host]]
        except KeyError:
            raise OSError("no such host") from None

    return resolve


def refusal(url: str, allow_private: bool = False) -> UrlRefused:
    with pytest.raises(UrlRefused) as info:
        asyncio.run(checked_addresses(httpx.URL(url), allow_private=allow_private))
    return info.value


@pytest.fixture(autouse=True)
def dns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        guard,
        "resolve_host",
        fake_dns(
            {
                "public.test": ["93.184.216.34"],
                "internal.test": ["10.1.2.3"],
                "mixed.test": ["93.184.216.34", "127.0.0.1"],  # one private answer is enough to refuse
            }
        ),
    )


@pytest.mark.parametrize(
    "url", ["http://internal.test/", "http://mixed.test/", "http://nowhere.test/", "http://127.0.0.1/"]
)
def test_private_and_unresolvable_hosts_read_the_same(url: str) -> None:
    """The reason names neither the address nor whether the name exists (no DNS oracle)."""
    exc = refusal(url)
    assert exc.reason == NOT_ALLOWED and not isinstance(exc, HostUnresolvable)


def test_allow_private_lets_private_through_but_still_needs_an_address() -> None:
    found = asyncio.run(checked_addresses(httpx.URL("http://internal.test/"), allow_private=True))
    assert found == [ipaddress.ip_address("10.1.2.3")]
    exc = refusal("http://nowhere.test/", allow_private=True)
    assert isinstance(exc, HostUnresolvable) and exc.reason == "host 'nowhere.test' could not be resolved"


@pytest.mark.parametrize(
    ("url", "reason"),
    [("ftp://public.test/", "only http and https URLs are allowed"), ("http:///path", "the URL has no host")],
)
def test_scheme_and_host_are_required(url: str, reason: str) -> None:
    assert refusal(url, allow_private=True).reason == reason


def test_pinned_target_keeps_the_name_for_host_and_tls() -> None:
    target = asyncio.run(
        pinned_target(httpx.URL("https://user:pw@public.test:8443/hook?x=1"), allow_private=False)
    )
    assert str(target.url) == "https://user:pw@93.184.216.34:8443/hook?x=1"
    assert target.host_header == "public.test:8443"
    assert target.extensions == {"sni_hostname": "public.test"}
    plain = asyncio.run(pinned_target(httpx.URL("http://public.test/"), allow_private=False))
    assert plain.host_header == "public.test" and plain.extensions == {}
