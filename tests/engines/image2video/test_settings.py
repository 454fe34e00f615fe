"""The engine's model table and the contract's model list are the same set of names."""

from __future__ import annotations

from kinema.contract.requests import MODEL_NAMES
from kinema.engines.image2video.settings import MOTION_SCALE, settings_for


def test_every_contract_model_has_engine_settings() -> None:
    assert set(MOTION_SCALE) == set(MODEL_NAMES)


def test_unknown_model_falls_back_to_v1_and_pro_is_larger() -> None:
    assert settings_for("no-such-model", "std") == settings_for("kling-v1", "std")
    assert settings_for("kling-v3", "pro").short_side > settings_for("kling-v3", "std").short_side
    assert not settings_for("kling-v2-6", "std").honours_cfg and settings_for("kling-v1-6", "std").honours_cfg
