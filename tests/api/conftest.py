from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.server import Server, start_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One shared server with real workers; SSRF guard relaxed so tests can serve inputs from 127.0.0.1."""
    srv = start_server(
        Path(tmp_path_factory.mktemp("kinema-server")),
        KINEMA_ALLOW_PRIVATE_URLS="true",
        KINEMA_WEBHOOK_SECRET="whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI=",
    )
    yield srv
    srv.stop()
