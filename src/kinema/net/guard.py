"""The server-side request forgery (SSRF) guard shared by media fetches and callback deliveries.

A URL from a client makes the server connect from inside its network, so before each connection:

* only ``http``/``https`` with a host;
* the host is resolved here and **every** address it resolves to must be public
  (:func:`kinema.net.addresses.is_public_ip`) unless private addresses are allowed (``allow_private``, the
  ``KINEMA_ALLOW_PRIVATE_URLS`` setting, for trusted networks);
* the connection is **pinned** to the checked address (:func:`pinned_target`: the URL's host is replaced by
  the IP; ``Host`` and the TLS server name still carry the real name, so certificates are checked against
  it), so a DNS answer that changes between check and connect (DNS rebinding) cannot move the request.

A refusal says only :data:`NOT_ALLOWED`: neither the address a name resolved to nor whether it resolved at
all, or the guard would be a DNS oracle for internal names (issue 13, item 11).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any

import httpx

from kinema.net.addresses import IPAddress, is_public_ip

NOT_ALLOWED = "address not allowed: non-public or unresolvable host"


class UrlRefused(Exception):
    """The guard will not connect to this URL. ``reason`` is safe to show the client who sent the URL."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class HostUnresolvable(UrlRefused):
    """The host has no address, where private addresses are allowed (guarded, this reads as NOT_ALLOWED)."""


@dataclass(frozen=True)
class Target:
    """Where to connect for one request: the URL with its host replaced by the checked address."""

    url: httpx.URL
    host_header: str  # the URL's own host[:port], sent as Host
    extensions: dict[str, Any] = field(default_factory=dict)  # TLS server name for https


async def resolve_host(host: str, port: int) -> list[IPAddress]:
    """All addresses of ``host`` (an IP literal resolves to itself). Raises ``OSError`` when unresolvable."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    out: list[IPAddress] = []
    for info in infos:
        addr = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if addr not in out:
            out.append(addr)
    if not out:
        raise OSError("no address")
    return out


def _host_and_port(url: httpx.URL) -> tuple[str, int]:
    if url.scheme not in ("http", "https"):
        raise UrlRefused("only http and https URLs are allowed")
    if not url.host:
        raise UrlRefused("the URL has no host")
    return url.host, url.port or (443 if url.scheme == "https" else 80)


async def checked_addresses(url: httpx.URL, *, allow_private: bool) -> list[IPAddress]:
    """The addresses ``url``'s host resolves to, all of them allowed; raises :class:`UrlRefused` otherwise."""
    host, port = _host_and_port(url)
    try:
        addrs = await resolve_host(host, port)
    except (OSError, UnicodeError) as exc:
        if allow_private:
            raise HostUnresolvable(f"host {host!r} could not be resolved") from exc
        raise UrlRefused(NOT_ALLOWED) from exc
    if not allow_private and not all(is_public_ip(addr) for addr in addrs):
        raise UrlRefused(NOT_ALLOWED)
    return addrs


async def pinned_target(url: httpx.URL, *, allow_private: bool) -> Target:
    """Check ``url`` and pin it to the first checked address. Resolve again for every request (and every
    redirect hop): an earlier answer says nothing about the next one."""
    addrs = await checked_addresses(url, allow_private=allow_private)
    extensions: dict[str, Any] = {}
    if url.scheme == "https":
        extensions["sni_hostname"] = url.host
    return Target(url.copy_with(host=str(addrs[0])), url.netloc.decode("ascii"), extensions)
