"""Standard Webhooks signatures (spec §6): ``v1,<base64 HMAC-SHA256(key, "{id}.{ts}.{body}")>``.

The key is the base64-decoded secret without its ``whsec_`` prefix. A receiver rejects timestamps more than
five minutes off, so the sender signs each attempt with the time of that attempt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

PREFIX = "whsec_"
TOLERANCE_S = 300


def _key(secret: str) -> bytes:
    raw = secret.removeprefix(PREFIX)
    try:
        return base64.b64decode(raw, validate=True)
    except ValueError:
        # A secret that is not base64 is used as is: better than refusing to sign at all.
        return raw.encode()


def sign(secret: str, msg_id: str, timestamp: int, body: str | bytes) -> str:
    """The ``webhook-signature`` header value for one message."""
    payload = body.encode() if isinstance(body, str) else body
    signed = f"{msg_id}.{int(timestamp)}.".encode() + payload
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(
    secret: str,
    msg_id: str,
    timestamp: int | str,
    body: str | bytes,
    signature_header: str,
    *,
    now: float | None = None,
    tolerance_s: int = TOLERANCE_S,
) -> bool:
    """Receiver side: True when one of the space-separated ``v1,`` signatures matches and the timestamp is
    within the tolerance (rotation sends several signatures)."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - ts) > tolerance_s:
        return False
    expected = sign(secret, msg_id, ts, body)
    candidates = [part for part in signature_header.split() if part.startswith("v1,")]
    return any(hmac.compare_digest(expected, part) for part in candidates)
