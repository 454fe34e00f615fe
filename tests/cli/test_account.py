"""``kinema keys budget`` sets an account's unit budget, arrears and IP allow-list; ``kinema keys list``
shows them; ``kinema account costs`` prints the account's resource packs as the API would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kinema.accounts.policy import find_account_id, rules_of
from kinema.cli.main import app
from kinema.db.engine import Database
from kinema.jobs import service
from kinema.runtime import build_runtime
from kinema.settings import get_settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("KINEMA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "250")  # rich tables: wide enough that no cell wraps
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _db(data_dir: Path) -> Database:
    return Database(f"sqlite:///{(data_dir / 'kinema.db').resolve()}")


def _ok(*args: str) -> str:
    out = runner.invoke(app, list(args))
    assert out.exit_code == 0, out.output
    return out.output


def test_budget_arrears_and_ips_are_set_listed_and_cleared(data_dir: Path) -> None:
    _ok("keys", "create", "--account", "acme")
    shown = _ok("keys", "budget", "acme", "--units", "100", "--valid-days", "30", "--arrears")
    assert "0 / 100" in shown and "yes" in shown
    _ok("keys", "budget", "acme", "--allow-ip", "10.0.0.0/8", "--allow-ip", "192.168.1.7")
    db = _db(data_dir)
    account_id = find_account_id(db, "acme")
    assert account_id
    rules = rules_of(db, account_id)
    assert (rules.budget, rules.arrears) == (10_000, True)
    assert rules.allowed_ips == ("10.0.0.0/8", "192.168.1.7/32")
    assert rules.expires_at == rules.started_at + 30 * 86_400_000  # type: ignore[operator]

    rt = build_runtime(get_settings())
    _ok("keys", "budget", "acme", "--no-arrears")
    service.create_task(rt, account_id=account_id, kind="image2video", params={"mode": "pro"}, inputs={})
    rt.close()
    listed = _ok("keys", "list")
    assert "3.5 / 100" in listed and "10.0.0.0/8, 192.168.1.7/32" in listed

    _ok("keys", "budget", "acme", "--clear", "--any-ip")
    rules = rules_of(db, account_id)
    assert (rules.budget, rules.allowed_ips, rules.arrears) == (None, (), False)


def test_bad_values_are_refused_with_a_message(data_dir: Path) -> None:
    for args, text in [
        (["--units", "-3"], "must be a number >= 0"),
        (["--units", "1.234"], "at most two decimals"),
        (["--allow-ip", "10.0.0.300"], "not an IP address or CIDR"),
        (["--valid-days", "5"], "needs a budget"),
    ]:
        out = runner.invoke(app, ["keys", "budget", "acme", *args])
        assert out.exit_code == 2 and text in out.output, (args, out.output)


def test_account_costs_prints_the_api_reply(data_dir: Path) -> None:
    _ok("keys", "budget", "acme", "--units", "12.5")
    data = json.loads(_ok("account", "costs", "acme"))
    assert data["code"] == 0 and data["msg"] == "success"
    [pack] = data["resource_pack_subscribe_infos"]
    assert (pack["total_quantity"], pack["remaining_quantity"], pack["status"]) == (12.5, 12.5, "online")
    before = json.loads(_ok("account", "costs", "acme", "--end-time", "1"))
    assert before["resource_pack_subscribe_infos"] == []
    assert runner.invoke(app, ["account", "costs", "nobody"]).exit_code == 1
