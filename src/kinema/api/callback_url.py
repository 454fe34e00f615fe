"""The create-time check of ``callback_url``: the SSRF guard that media URLs get, before anything is stored.

Without it any key holder could make the workers POST to ``127.0.0.1``, ``localhost``,
``[::ffff:127.0.0.1]`` or ``2130706433`` and read the outcome in the callbacks log (issue 13, item 1). The
sender checks again at every delivery (DNS can change in between); this check turns the obvious cases into
a 1201 the client sees at once. With ``allow_private_urls`` (trusted networks) nothing is resolved here.
"""

from __future__ import annotations

import asyncio

import httpx

from kinema.contract.errors import invalid
from kinema.net.guard import NOT_ALLOWED, UrlRefused, checked_addresses
from kinema.settings import Settings

FIELD = "callback_url"


async def check_callback_url(url: str | None, settings: Settings) -> None:
    """Raise 1201 ``callback_url: …`` unless ``url`` is absent or may be called back. The look-up runs under
    ``webhook_timeout_s``, the deadline a delivery would have; a name that does not resolve in time is
    refused like one that does not resolve at all."""
    if not url:
        return
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise invalid(FIELD, "must be a valid http(s) URL") from exc
    if settings.allow_private_urls:
        return
    try:
        async with asyncio.timeout(settings.webhook_timeout_s):
            await checked_addresses(parsed, allow_private=False)
    except UrlRefused as exc:
        raise invalid(FIELD, exc.reason) from exc
    except TimeoutError as exc:
        raise invalid(FIELD, NOT_ALLOWED) from exc
