"""Property-based fuzzing of every endpoint from the served OpenAPI schema: no 5xx, always the envelope."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.schemas import BaseOpenAPISchema

from tests.api.server import Server

MAX_EXAMPLES = int(os.environ.get("KINEMA_FUZZ_EXAMPLES", "12"))


@pytest.fixture(scope="module")
def fuzz_schema(server: Server) -> BaseOpenAPISchema:
    return schemathesis.from_uri(f"{server.base}/openapi.json", base_url=server.base)


schema = schemathesis.from_pytest_fixture("fuzz_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors_and_always_the_envelope(case: schemathesis.Case, server: Server) -> None:
    response = case.call(headers={"Authorization": f"Bearer {server.key}"}, timeout=60)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
    ctype = response.headers.get("content-type", "")
    if "json" in ctype:
        body = response.json()
        if isinstance(body, dict) and "code" in body:
            assert isinstance(body["code"], int) and isinstance(body["message"], str) and body["request_id"]
            if body["code"] != 0:
                assert "data" not in body
    elif not case.path.startswith(("/files/", "/docs")):
        pytest.fail(f"{case.method} {case.path} answered {ctype!r}, not JSON")
