"""Profiles, strict mode and overrides resolve to the documented numbers; typos fail at start-up."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kinema.contract.limits import PROFILES, Limits, build_limits, limits_from_settings
from kinema.settings import Settings


def test_kling_profile_is_the_permissive_official_reading() -> None:
    lim = PROFILES["kling"]
    assert lim.image_max_bytes == 10 * 1024 * 1024
    assert lim.image_min_side_px == 300
    assert lim.image_aspect_min == pytest.approx(0.4) and lim.image_aspect_max == 2.5
    assert (lim.avatar_audio_min_s, lim.avatar_audio_max_s) == (2.0, 300.0)
    assert lim.sound_file_max_bytes == 5 * 1024 * 1024
    assert (lim.i2v_prompt_max_chars, lim.i2v_negative_prompt_max_chars) == (2500, 2500)
    assert (lim.i2v_duration_min_s, lim.i2v_duration_max_s, lim.i2v_duration_only_5_10) == (3, 15, False)
    assert (lim.trajectory_min_points, lim.trajectory_max_points, lim.dynamic_masks_max) == (2, 77, 6)
    assert (lim.v2a_video_min_s, lim.v2a_video_max_s, lim.v2a_video_max_bytes) == (
        3.0,
        20.0,
        100 * 1024 * 1024,
    )
    assert (lim.tts_text_max_chars, lim.tts_speed_min, lim.tts_speed_max) == (1000, 0.8, 2.0)
    assert (lim.page_num_max, lim.page_size_max, lim.page_size_default) == (1000, 500, 30)
    assert lim.allow_data_uri and not lim.strict and not lim.require_avatar_prompt


def test_cometapi_profile_narrows_audio_and_prompts() -> None:
    lim = PROFILES["cometapi"]
    assert lim.avatar_audio_max_s == 60.0
    assert (lim.i2v_prompt_max_chars, lim.i2v_negative_prompt_max_chars) == (500, 200)
    assert not lim.require_avatar_prompt  # only strict turns the CometAPI "required" reading on


def test_strict_switches() -> None:
    kling = build_limits("kling", strict=True)
    assert kling.strict and not kling.allow_data_uri and not kling.allow_extra_formats
    assert kling.i2v_duration_only_5_10 and not kling.require_avatar_prompt
    assert kling.avatar_audio_max_s == 300.0  # numbers of the profile are kept
    comet = build_limits("cometapi", strict=True)
    assert comet.require_avatar_prompt and comet.require_i2v_image and comet.avatar_audio_max_s == 60.0


def test_limits_from_settings_applies_profile_strict_and_overrides() -> None:
    settings = Settings(
        limits_profile="cometapi",
        strict=True,
        limit_overrides={"avatar_audio_max_s": 120, "page_size_max": 100, "allow_data_uri": 1},
    )
    lim = limits_from_settings(settings)
    assert lim.avatar_audio_max_s == 120.0
    assert lim.page_size_max == 100 and isinstance(lim.page_size_max, int)
    assert lim.allow_data_uri is True and lim.strict
    assert limits_from_settings(Settings()) == PROFILES["kling"]


def test_unknown_override_or_profile_fails_loudly() -> None:
    with pytest.raises(ValueError, match="avatar_audio_max"):
        build_limits("kling", overrides={"avatar_audio_max": 10})
    with pytest.raises(ValueError, match="profile"):
        build_limits("openai")
    with pytest.raises(ValueError, match="integer"):
        build_limits("kling", overrides={"page_size_max": 10.5})
    with pytest.raises(ValueError, match="0/1"):
        build_limits("kling", overrides={"strict": 2})


def test_limits_are_frozen() -> None:
    with pytest.raises(ValidationError):
        Limits().image_max_bytes = 1  # type: ignore[misc]


def test_every_limit_is_documented() -> None:
    """docs/limits.md is the operator's reference for ``limit_overrides``: no name may be missing."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "limits.md").read_text()
    missing = [name for name in Limits.model_fields if f"`{name}`" not in doc]
    assert missing == []
