"""Upstream callbacks: the URL kinema gives the upstream for one task, and the check of its secret.

Each upstream task gets ``<KINEMA_UPSTREAM_CALLBACK_BASE>/upstream/callbacks/<task id>/<token>``, the token
being an HMAC of the task id under kinema's URL-signing key: nothing to store, nothing to guess, and a
token is good for its own task only. A callback only wakes the worker that follows the task, which then
polls at once; what the poll returns is what counts, so a forged or replayed callback can at most cause
one early poll.
"""

from __future__ import annotations

import hashlib
import hmac

from kinema.settings import Settings

PATH = "/upstream/callbacks"


def token(key: bytes, task_id: str) -> str:
    return hmac.new(key, f"upstream-callback\n{task_id}".encode(), hashlib.sha256).hexdigest()[:32]


def valid(key: bytes, task_id: str, offered: str) -> bool:
    return hmac.compare_digest(token(key, task_id).encode(), offered.encode("utf-8", "surrogatepass"))


def callback_url(settings: Settings, task_id: str) -> str | None:
    """The callback URL for ``task_id``, or None when callbacks are off (no callback base is set)."""
    if not settings.upstream_callback_base:
        return None
    base = settings.upstream_callback_base.rstrip("/")
    return f"{base}{PATH}/{task_id}/{token(settings.signing_key(), task_id)}"
