from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kinema.observe.metrics import metrics_folder
from kinema.settings import Settings
from tests.api.server import STARTED_DATA_DIRS, Server, start_server


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """An S3-compatible server on 127.0.0.1 (moto checks neither signatures nor expiry)."""
    import os

    from moto.server import ThreadedMotoServer

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One shared server with real workers; SSRF guard relaxed so tests can serve inputs from 127.0.0.1.
    Text to video needs a generative pipeline: a tiny random one serves kling-v2-6 (tests/engines/generative);
    every other request runs on the CPU engines as without KINEMA_MODELS."""
    import json

    from tests.engines.generative.tiny import TINY, save_t2v

    t2v = save_t2v(Path(tmp_path_factory.mktemp("models")) / "wan-t2v")
    srv = start_server(
        Path(tmp_path_factory.mktemp("kinema-server")),
        KINEMA_MODELS=json.dumps({"kling-v2-6": {"path": str(t2v), **TINY}}),
        KINEMA_ALLOW_PRIVATE_URLS="true",
        KINEMA_WEBHOOK_SECRET="whsec_dGVzdHNlY3JldHRlc3RzZWNyZXR0ZXN0c2VjcmV0MTI=",
    )
    yield srv
    srv.stop()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Remove the metrics folders (in /dev/shm by default) of the servers this session started."""
    for data_dir in STARTED_DATA_DIRS:
        shutil.rmtree(metrics_folder(Settings(data_dir=data_dir)), ignore_errors=True)
