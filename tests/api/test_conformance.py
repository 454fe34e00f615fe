"""Every rejection rule of the contract, replayed over real HTTP: HTTP 400, code 1201, the field named first.

The cases are the contract's own table (``tests/contract/test_requests.py``, one accepted and one rejected
example per rule, checked there against the parser); here the rejected ones under the default profile go
through the running server, so routing, body reading and error mapping are part of what is checked. The
accepted cases with real media are the end-to-end tests of each job.
"""

from __future__ import annotations

from typing import Any

import pytest

from kinema.contract.kinds import KINDS, PREFIXES
from tests.api.server import Server
from tests.contract.test_requests import CASES, KLING

#: Each kind's create path, from the kind table, alternating the two prefixes so both are exercised.
PATHS: dict[type, str] = {
    spec.request: PREFIXES[i % len(PREFIXES)] + spec.path for i, spec in enumerate(KINDS.values())
}

REJECTED = [c for c in CASES if c[3] is KLING and c[4] is not None]


@pytest.mark.parametrize(
    ("model", "body", "field", "fragment"),
    [(c[1], c[2], c[4], c[5]) for c in REJECTED],
    ids=[c[0] for c in REJECTED],
)
def test_rejected_over_http(server: Server, model: type, body: Any, field: str, fragment: str) -> None:
    with server.client() as c:
        r = c.post(PATHS[model], json=body)
    payload = r.json()
    assert r.status_code == 400, payload
    assert payload["code"] == 1201 and payload["request_id"] and "data" not in payload
    assert payload["message"].startswith(f"{field}: ") and fragment in payload["message"], payload["message"]


@pytest.mark.parametrize("prefix", ["/kling/v1", "/v1"])
def test_unknown_model_is_404_1203_over_http(server: Server, prefix: str) -> None:
    """Issue 14, item 3: "the requested resource does not exist, such as the model" in the official table."""
    with server.client() as c:
        r = c.post(
            f"{prefix}/videos/image2video/",
            json={"image": "https://example.com/a.png", "model": "kling-v1-9"},
        )
    payload = r.json()
    assert r.status_code == 404, payload
    assert payload["code"] == 1203 and payload["request_id"] and "data" not in payload
    assert payload["message"].startswith(
        "model: model 'kling-v1-9' does not exist or is retired; image2video serves"
    )
