"""Executor lookup: plug-ins win over built-ins; failures are reported, never raised as ImportError."""

from __future__ import annotations

import pytest

from kinema.jobs.registry import ExecutorUnavailable, executor_path, get_executor
from kinema.settings import Settings
from tests.support import slow_executor


def test_plugin_wins_over_builtin() -> None:
    settings = Settings(executors={"avatar": "tests.support.slow_executor:execute"})
    assert get_executor("avatar", settings) is slow_executor.execute
    assert executor_path("image2video", settings) == "kinema.jobs.executors.image2video:execute"
    assert executor_path("video_to_audio", Settings()) == "kinema.jobs.executors.video_to_audio:execute"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("kinema.nope_engine:execute", "ModuleNotFoundError"),
        ("tests.support.slow_executor:missing", "has no callable 'missing'"),
        ("no-colon", "is not of the form 'module:function'"),
    ],
)
def test_unavailable(path: str, reason: str) -> None:
    with pytest.raises(ExecutorUnavailable) as err:
        get_executor("avatar", Settings(executors={"avatar": path}))
    assert str(err.value).startswith("the avatar engine is not available: ") and reason in str(err.value)


def test_env_var_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINEMA_EXECUTORS", '{"avatar": "tests.support.slow_executor:execute"}')
    assert get_executor("avatar", Settings()) is slow_executor.execute
