"""Standard-Webhooks signatures against the spec's test vector (spec §6)."""

from __future__ import annotations

from kinema.webhooks.signing import sign, verify

SECRET = "whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI="
MSG_ID = "9876543210"
TS = 1781080794
BODY = (
    '{"id":"1234567890","status":"succeeded","message":"",'
    '"create_time":1781080778802,"update_time":1781080794151}'
)
EXPECTED = "v1,UsKlJP00XoQyOn410NM9xv34sP+Gl0jnOO9Lcpr7NJ4="


def test_spec_vector() -> None:
    assert sign(SECRET, MSG_ID, TS, BODY) == EXPECTED
    assert sign(SECRET, MSG_ID, TS, BODY.encode()) == EXPECTED


def test_verify() -> None:
    assert verify(SECRET, MSG_ID, str(TS), BODY, EXPECTED, now=TS + 10)
    assert verify(SECRET, MSG_ID, TS, BODY, f"v1,bm9wZQ== {EXPECTED}", now=TS)  # rotation: several signatures
    assert not verify(SECRET, MSG_ID, TS, BODY + " ", EXPECTED, now=TS)  # body changed
    assert not verify(SECRET, "other", TS, BODY, EXPECTED, now=TS)
    assert not verify(SECRET, MSG_ID, TS, BODY, EXPECTED, now=TS + 301)  # too old
    assert not verify(SECRET, MSG_ID, "x", BODY, EXPECTED, now=TS)
    assert not verify("whsec_b3RoZXI=", MSG_ID, TS, BODY, EXPECTED, now=TS)
