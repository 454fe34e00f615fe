"""The admin commands work against a fresh data folder: keys, tasks, config."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kinema.accounts import account_for_key, secret_for_access_key
from kinema.cli.main import app
from kinema.db.engine import Database
from kinema.settings import get_settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KINEMA_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _db(data_dir: Path) -> Database:
    return Database(f"sqlite:///{(data_dir / 'kinema.db').resolve()}")


def test_keys_create_list_revoke(data_dir: Path) -> None:
    out = runner.invoke(app, ["keys", "create", "--account", "acme", "--name", "ci"])
    assert out.exit_code == 0, out.output
    key = re.search(r"(sk-kinema-\S+)", out.output)
    assert key and account_for_key(_db(data_dir), key.group(1))
    listed = runner.invoke(app, ["keys", "list"])
    assert listed.exit_code == 0 and "acme" in listed.output and key.group(1) not in listed.output
    key_id = re.search(r"key id (\d+)", out.output)
    assert key_id
    assert runner.invoke(app, ["keys", "revoke", key_id.group(1)]).exit_code == 0
    assert account_for_key(_db(data_dir), key.group(1)) is None
    assert runner.invoke(app, ["keys", "revoke", key_id.group(1)]).exit_code == 1


def test_aksk_pair(data_dir: Path) -> None:
    out = runner.invoke(app, ["keys", "create", "--aksk"])
    assert out.exit_code == 0, out.output
    ak = re.search(r"access key: (\S+)", out.output)
    sk = re.search(r"secret key: (\S+)", out.output)
    assert ak and sk
    found = secret_for_access_key(_db(data_dir), ak.group(1))
    assert found is not None and found[1] == sk.group(1)


def test_tasks_and_config_commands(data_dir: Path) -> None:
    out = runner.invoke(app, ["tasks", "list"])
    assert out.exit_code == 0, out.output
    assert runner.invoke(app, ["tasks", "show", "42"]).exit_code == 1
    cfg = runner.invoke(app, ["config"])
    assert cfg.exit_code == 0 and "LIMITS_PROFILE" in cfg.output


def test_tasks_show_prints_the_task_object_the_sdk_reads(data_dir: Path) -> None:
    """``kinema tasks show`` and the SDK share the contract: its output validates as the SDK's task model."""
    import json

    from kinema.accounts import create_api_key
    from kinema.client import VideoToAudioTask
    from kinema.jobs import service
    from kinema.runtime import build_runtime

    rt = build_runtime(get_settings())
    account_id = create_api_key(rt.db, "cli").account_id
    params = {"video_id": "7", "bgm_prompt": "calm piano"}
    task = service.create_task(rt, account_id=account_id, kind="video_to_audio", params=params, inputs={})
    rt.close()
    shown = runner.invoke(app, ["tasks", "show", task.id])
    assert shown.exit_code == 0, shown.output
    parsed = VideoToAudioTask.from_reply(json.loads(shown.output))
    assert parsed.task_id == task.id and parsed.status == "submitted"
    cancelled = runner.invoke(app, ["tasks", "cancel", task.id])
    assert cancelled.exit_code == 0 and f"{task.id}: failed" in cancelled.output
