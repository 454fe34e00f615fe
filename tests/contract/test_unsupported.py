"""task_info.unsupported_fields: which accepted fields have no effect, decided from the request alone."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kinema.contract.capabilities import honours_cfg_scale
from kinema.contract.errors import KlingError
from kinema.contract.limits import PROFILES
from kinema.contract.model_names import IMAGE2VIDEO_MODELS
from kinema.contract.parsing import parse_request
from kinema.contract.requests import AvatarCreate, Image2VideoCreate, VideoExtendCreate, VideoToAudioCreate
from kinema.contract.unsupported import unsupported_fields
from kinema.engines.image2video.settings import settings_for

URL = "https://example.com/a.png"
KLING = PROFILES["kling"]
CUSTOM: dict[str, Any] = {
    "multi_shot": True,
    "shot_type": "customize",
    "multi_prompt": [
        {"index": 1, "prompt": "zoom in", "duration": "2"},
        {"index": 2, "prompt": "pan left", "duration": "3"},
    ],
}


def _i2v(**body: Any) -> list[str]:
    req = parse_request(Image2VideoCreate, json.dumps({"image": URL, **body}), KLING)
    return unsupported_fields("image2video", req)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, []),
        ({"prompt": "waves", "cfg_scale": 0.8}, []),  # kling-v1 honours cfg_scale
        ({"model_name": "kling-v2-6", "mode": "pro", "voice_list": [{"voice_id": "v1"}]}, ["voice_list"]),
        ({"model_name": "kling-v3", "element_list": [{"element_id": 7}]}, ["element_list"]),
        ({"model_name": "kling-v2-1", "cfg_scale": 0.3}, ["cfg_scale"]),
        ({"model_name": "kling-v3", "sound": "on", "multi_shot": False}, []),  # other helpers make these real
        # two frames: the clip is interpolated, so the prompt's motion words change nothing
        (
            {"image_tail": URL, "prompt": "run", "negative_prompt": "blur", "cfg_scale": 0.4},
            ["prompt", "negative_prompt", "cfg_scale"],
        ),
        ({"image_tail": URL}, []),
        # multi-shot: customize cuts by multi_prompt, so prompt is ignored; intelligence cuts the prompt
        ({"model_name": "kling-v3", **CUSTOM, "prompt": "a cat"}, ["prompt"]),
        ({"model_name": "kling-v3", **CUSTOM}, []),
        (
            {"model_name": "kling-v3", "multi_shot": True, "shot_type": "intelligence", "prompt": "a. b"},
            [],
        ),
        # the shot fields without multi_shot: true cut nothing
        ({"shot_type": "customize", "multi_prompt": CUSTOM["multi_prompt"]}, ["shot_type", "multi_prompt"]),
        (
            {"model_name": "kling-v3", "multi_shot": True, "shot_type": "intelligence", "prompt": "a"}
            | {"multi_prompt": CUSTOM["multi_prompt"]},
            ["multi_prompt"],
        ),
    ],
)
def test_image2video_fields_without_effect(body: dict[str, Any], expected: list[str]) -> None:
    assert _i2v(**body) == expected


def test_kinds_that_honour_every_field_report_nothing() -> None:
    avatar = parse_request(
        AvatarCreate, json.dumps({"image": URL, "sound_file": URL, "prompt": "smile", "mode": "pro"}), KLING
    )
    v2a = parse_request(
        VideoToAudioCreate, json.dumps({"video_url": URL, "asmr_mode": True, "bgm_prompt": "x"}), KLING
    )
    assert unsupported_fields("avatar", avatar) == unsupported_fields("video_to_audio", v2a) == []


@pytest.mark.parametrize("model", IMAGE2VIDEO_MODELS)
def test_the_engine_and_the_report_agree_on_cfg_scale(model: str) -> None:
    assert settings_for(model, "std").honours_cfg == honours_cfg_scale(model)
    assert ("cfg_scale" in _i2v(model_name=model, cfg_scale=0.5)) != honours_cfg_scale(model)


def _extend(**body: Any) -> list[str]:
    req = parse_request(VideoExtendCreate, json.dumps({"video_id": "123", **body}), KLING)
    return unsupported_fields("video_extend", req)


def test_video_extend_takes_the_official_examples_model_and_mode_but_reports_them() -> None:
    """Upstream's extend examples send ``model_name`` and ``mode``; the continuation keeps the parent's
    size, so both are accepted and reported, never silently dropped."""
    assert _extend(prompt="keep going") == []
    assert _extend(model_name="kling-v1", mode="pro", prompt="keep going") == ["model_name", "mode"]
    assert _extend(model="kling-v1-6") == ["model_name"]  # the older field name


def test_video_extend_refuses_a_model_that_does_not_exist() -> None:
    with pytest.raises(KlingError) as err:
        parse_request(VideoExtendCreate, json.dumps({"video_id": "1", "model_name": "kling-v9"}), KLING)
    assert err.value.code == 1203 and "kling-v9" in err.value.message
    with pytest.raises(KlingError) as err:
        parse_request(VideoExtendCreate, json.dumps({"video_id": "1", "mode": "max"}), KLING)
    assert err.value.code == 1201 and "mode" in err.value.message
