"""Executor lookup: plug-ins win over built-ins; failures are reported, never raised as ImportError."""

from __future__ import annotations

import pytest

from kinema.jobs.registry import ExecutorUnavailable, executor_path, get_executor, warm_up
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


def test_warm_up_calls_the_executor_modules_hook(monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    """Each listed kind's executor module gets its ``warm_up()`` called; a failing one is logged, not raised,
    and a module without a hook is skipped."""
    called: list[str] = []
    monkeypatch.setattr(slow_executor, "warm_up", lambda: called.append("slow"), raising=False)
    settings = Settings(executors={"avatar": "tests.support.slow_executor:execute",
                                   "image2video": "kinema.jobs.executors.image2video:execute"})
    warm_up(["avatar", "image2video"], settings)
    assert called == ["slow"]

    def broken() -> None:
        raise RuntimeError("no model here")

    monkeypatch.setattr(slow_executor, "warm_up", broken)
    with caplog.at_level("WARNING"):
        warm_up(["avatar", "no_such_kind"], settings)
    assert "warming up the avatar engine failed" in caplog.text
    assert "warming up the no_such_kind engine failed" in caplog.text


def test_the_avatar_executor_has_a_warm_up_hook() -> None:
    from kinema.jobs.executors import avatar

    assert callable(avatar.warm_up) and "avatar" in Settings().warm_kinds
