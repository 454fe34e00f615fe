"""What every executor shares: reading the render mode of a stored request."""

from __future__ import annotations

import pytest

from kinema.contract.vocabulary import Mode
from kinema.engines.base import EngineInputError
from kinema.jobs.executors.base import mode_param


def test_mode_defaults_to_std_and_comes_back_typed() -> None:
    assert mode_param({}) is Mode.STD
    assert mode_param({"mode": None}) is Mode.STD
    assert mode_param({"mode": "pro"}) is Mode.PRO


@pytest.mark.parametrize("value", ["ultra", "PRO", 1, ["std"]])
def test_an_unknown_mode_fails_the_task_naming_the_field(value: object) -> None:
    with pytest.raises(EngineInputError, match=r"^mode: must be 'std' or 'pro', got "):
        mode_param({"mode": value})
