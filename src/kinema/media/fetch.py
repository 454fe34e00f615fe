"""Fetch a client-supplied media URL without becoming a server-side request forgery (SSRF) tool.

Any URL a client sends makes the server issue a request from inside its network, so every hop is checked:

* only ``http``/``https``;
* the host is resolved here and **every** address it resolves to must be public (no loopback, private,
  link-local, multicast, reserved, unspecified, shared/CGNAT, or IPv6 forms that embed such an IPv4 address:
  IPv4-mapped, 6to4, Teredo, NAT64) unless ``settings.allow_private_urls``;
* the connection is **pinned** to the checked address (the URL's host is replaced by the IP; ``Host`` and
  TLS SNI/certificate checks still use the real name), so a DNS answer that changes between check and
  connect (DNS rebinding) cannot redirect the request;
* redirects are followed by hand, re-checking each hop, at most ``settings.fetch_max_redirects``;
* the body is streamed with a byte cap (a too-large ``Content-Length`` is refused before reading) and the
  whole fetch, DNS included, runs under ``settings.fetch_timeout_s``;
* proxies from the environment are ignored (``trust_env=False``): a proxy would see the URL, not our checks.

Every failure is a ``KlingError`` 1201 ``"<field>: could not fetch URL: <reason>"``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from kinema.contract.errors import Code, KlingError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_REDIRECTS = {301, 302, 303, 307, 308}
_USER_AGENT = "kinema-fetch/1"

#: TLS verification for fetches: ``True`` = httpx's default CA bundle. Tests swap in an ``ssl.SSLContext``
#: trusting their own CA; there is deliberately no setting to turn verification off.
TLS_VERIFY: ssl.SSLContext | bool = True


def _error(field: str, reason: str) -> KlingError:
    return KlingError(Code.INVALID_PARAM, f"{field}: could not fetch URL: {reason}")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, Teredo client, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_ip(ip: IPAddress) -> bool:
    """True when ``ip`` is a globally routable unicast address (the only kind a fetch may reach)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # the socket really talks IPv4 to the embedded address
            return is_public_ip(ip.ipv4_mapped)
        inner = embedded_ipv4(ip)
        if inner is not None and not is_public_ip(inner):
            return False
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


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


async def _checked_target(url: httpx.URL, settings: Any, field: str) -> tuple[httpx.URL, dict[str, Any]]:
    """Validate one hop and return the pinned URL plus the request extensions (TLS server name)."""
    if url.scheme not in ("http", "https"):
        raise _error(field, "only http and https URLs are allowed")
    host = url.host
    if not host:
        raise _error(field, "the URL has no host")
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        addrs = await resolve_host(host, port)
    except (OSError, UnicodeError) as exc:
        raise _error(field, f"host {host!r} could not be resolved") from exc
    if not getattr(settings, "allow_private_urls", False):
        for addr in addrs:
            if not is_public_ip(addr):
                raise _error(field, f"host {host!r} resolves to a non-public address ({addr})")
    pinned = url.copy_with(host=str(addrs[0]))
    extensions: dict[str, Any] = {}
    if url.scheme == "https":
        extensions["sni_hostname"] = host
    return pinned, extensions


async def _stream(
    url: str, *, max_bytes: int, settings: Any, field: str, sink: Callable[[bytes], None]
) -> int:
    max_redirects = int(getattr(settings, "fetch_max_redirects", 3))
    timeout = float(getattr(settings, "fetch_timeout_s", 30.0))
    try:
        current = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise _error(field, "malformed URL") from exc
    async with httpx.AsyncClient(
        follow_redirects=False, trust_env=False, timeout=httpx.Timeout(timeout), verify=TLS_VERIFY
    ) as client:
        for _hop in range(max_redirects + 1):
            pinned, extensions = await _checked_target(current, settings, field)
            headers = {
                "Host": current.netloc.decode("ascii"),
                "Accept-Encoding": "identity",
                "User-Agent": _USER_AGENT,
            }
            request = client.build_request("GET", pinned, headers=headers, extensions=extensions)
            response = await client.send(request, stream=True)
            try:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    try:
                        current = current.join(response.headers["location"])
                    except (httpx.InvalidURL, ValueError) as exc:
                        raise _error(field, "redirect to a malformed URL") from exc
                    continue
                if not 200 <= response.status_code < 300:
                    raise _error(field, f"HTTP status {response.status_code}")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise _error(field, f"larger than {max_bytes} bytes (Content-Length {declared})")
                total = 0
                async for chunk in response.aiter_bytes():
                    total += len(chunk)
                    if total > max_bytes:
                        raise _error(field, f"larger than {max_bytes} bytes")
                    sink(chunk)
                return total
            finally:
                await response.aclose()
    raise _error(field, f"too many redirects (more than {max_redirects})")


async def _guarded(
    url: str, *, max_bytes: int, settings: Any, field: str, sink: Callable[[bytes], None]
) -> int:
    """Run one fetch under the overall deadline and turn transport failures into field errors."""
    timeout = float(getattr(settings, "fetch_timeout_s", 30.0))
    try:
        async with asyncio.timeout(timeout):
            return await _stream(url, max_bytes=max_bytes, settings=settings, field=field, sink=sink)
    except TimeoutError as exc:
        raise _error(field, f"timed out after {timeout:g} s") from exc
    except httpx.TimeoutException as exc:
        raise _error(field, f"timed out after {timeout:g} s") from exc
    except (httpx.ConnectError, httpx.ProxyError) as exc:
        raise _error(field, f"connection failed ({exc})" if str(exc) else "connection failed") from exc
    except httpx.HTTPError as exc:
        raise _error(field, f"{type(exc).__name__}: {exc}".rstrip(": ")) from exc


async def fetch_url(url: str, *, max_bytes: int, settings: Any, field: str = "url") -> bytes:
    """GET ``url`` into memory, at most ``max_bytes``. See the module doc for what is refused."""
    parts: list[bytes] = []
    await _guarded(url, max_bytes=max_bytes, settings=settings, field=field, sink=parts.append)
    return b"".join(parts)


async def fetch_to_file(url: str, dest: Path, *, max_bytes: int, settings: Any, field: str = "url") -> int:
    """GET ``url`` straight into ``dest`` (no whole-body buffer; for 100 MB videos). Returns the size.

    A partial file is removed when the fetch fails.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        with dest.open("wb") as handle:

            def write(chunk: bytes) -> None:
                handle.write(chunk)

            return await _guarded(url, max_bytes=max_bytes, settings=settings, field=field, sink=write)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
