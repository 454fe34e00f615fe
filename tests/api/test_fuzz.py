"""Property-based fuzzing of every endpoint from the served OpenAPI schema: no 5xx, always the envelope.

Bounded (``KINEMA_FUZZ_EXAMPLES`` per operation, derandomised) so the default run stays quick; raise it for a
deeper soak.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.api.server import Server

MAX_EXAMPLES = int(os.environ.get("KINEMA_FUZZ_EXAMPLES", "15"))


@pytest.fixture(scope="module")
def fuzz_schema(server: Server) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{server.base}/openapi.json")


schema = schemathesis.pytest.from_fixture("fuzz_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors_and_always_the_envelope(case: schemathesis.Case, server: Server) -> None:
    headers = {**(case.headers or {}), "Authorization": f"Bearer {server.key}"}
    response = case.call(base_url=server.base, headers=headers, timeout=60)
    where = f"{case.method} {case.formatted_path}"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    ctype = response.headers.get("content-type", [""])
    ctype = ctype[0] if isinstance(ctype, list) else ctype
    if case.method.upper() == "HEAD" or (
        case.path.startswith("/files/") and response.status_code in (200, 206, 416)
    ):
        return
    if case.path == "/metrics" and response.status_code == 200:
        assert ctype.startswith("text/plain"), f"{where} answered {ctype!r}, not Prometheus text"
        return
    assert "json" in ctype, f"{where} answered {ctype!r}, not JSON"
    body = response.json()
    assert isinstance(body["code"], int) and isinstance(body["message"], str) and body["request_id"]
    if body["code"] != 0:
        assert "data" not in body and response.status_code >= 400
