"""Fetch a client-supplied media URL without becoming a server-side request forgery (SSRF) tool.

Any URL a client sends makes the server issue a request from inside its network, so every hop goes through
the guard of :mod:`kinema.net.guard` (http/https only; every address the host resolves to must be public
unless ``settings.allow_private_urls``; the connection pinned to the checked address, so DNS rebinding
cannot move it). On top of that:

* redirects are followed by hand, re-checking each hop, at most ``settings.fetch_max_redirects``;
* the body is streamed with a byte cap (a too-large ``Content-Length`` is refused before reading) and the
  whole fetch, DNS included, runs under ``settings.fetch_timeout_s``;
* proxies from the environment are ignored (``trust_env=False``): a proxy would see the URL, not our checks.

Every failure is a ``KlingError`` 1201 ``"<field>: could not fetch URL: <reason>"``; the reason never names
an address the host resolved to, nor carries a transport library's own text.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from kinema.contract.errors import Code, KlingError
from kinema.net.guard import UrlRefused, pinned_target
from kinema.observe import metrics

_REDIRECTS = {301, 302, 303, 307, 308}
_USER_AGENT = "kinema-fetch/1"

#: TLS verification for fetches: ``True`` = httpx's default CA bundle. Tests swap in an ``ssl.SSLContext``
#: trusting their own CA; there is deliberately no setting to turn verification off.
TLS_VERIFY: ssl.SSLContext | bool = True


def _error(field: str, reason: str, category: str) -> KlingError:
    """The client's error; ``category`` (a fixed word, never the URL) is counted for ``/metrics``."""
    metrics.fetch_failure(category)
    return KlingError(Code.INVALID_PARAM, f"{field}: could not fetch URL: {reason}")


async def _stream(
    url: str, *, max_bytes: int, settings: Any, field: str, sink: Callable[[bytes], None]
) -> int:
    max_redirects = int(getattr(settings, "fetch_max_redirects", 3))
    timeout = float(getattr(settings, "fetch_timeout_s", 30.0))
    try:
        current = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise _error(field, "malformed URL", "malformed_url") from exc
    async with httpx.AsyncClient(
        follow_redirects=False, trust_env=False, timeout=httpx.Timeout(timeout), verify=TLS_VERIFY
    ) as client:
        allow_private = bool(getattr(settings, "allow_private_urls", False))
        for _hop in range(max_redirects + 1):
            try:
                target = await pinned_target(current, allow_private=allow_private)
            except UrlRefused as exc:
                raise _error(field, exc.reason, "refused") from exc
            headers = {"Host": target.host_header, "Accept-Encoding": "identity", "User-Agent": _USER_AGENT}
            request = client.build_request("GET", target.url, headers=headers, extensions=target.extensions)
            response = await client.send(request, stream=True)
            try:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    try:
                        current = current.join(response.headers["location"])
                    except (httpx.InvalidURL, ValueError) as exc:
                        raise _error(field, "redirect to a malformed URL", "malformed_url") from exc
                    continue
                if not 200 <= response.status_code < 300:
                    raise _error(field, f"HTTP status {response.status_code}", "http_status")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    too_big = f"larger than {max_bytes} bytes (Content-Length {declared})"
                    raise _error(field, too_big, "too_large")
                total = 0
                async for chunk in response.aiter_bytes():
                    total += len(chunk)
                    if total > max_bytes:
                        raise _error(field, f"larger than {max_bytes} bytes", "too_large")
                    sink(chunk)
                return total
            finally:
                await response.aclose()
    raise _error(field, f"too many redirects (more than {max_redirects})", "too_many_redirects")


async def _guarded(
    url: str, *, max_bytes: int, settings: Any, field: str, sink: Callable[[bytes], None]
) -> int:
    """Run one fetch under the overall deadline and turn transport failures into field errors."""
    timeout = float(getattr(settings, "fetch_timeout_s", 30.0))
    try:
        async with asyncio.timeout(timeout):
            return await _stream(url, max_bytes=max_bytes, settings=settings, field=field, sink=sink)
    except TimeoutError as exc:
        raise _error(field, f"timed out after {timeout:g} s", "timeout") from exc
    except httpx.TimeoutException as exc:
        raise _error(field, f"timed out after {timeout:g} s", "timeout") from exc
    except (httpx.ConnectError, httpx.ProxyError) as exc:
        raise _error(field, "connection failed", "connection") from exc
    except httpx.HTTPError as exc:  # a broken reply: the library's own text is not the client's business
        raise _error(field, "the server's reply could not be read", "unreadable") from exc


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
