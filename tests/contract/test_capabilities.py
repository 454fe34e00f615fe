"""The capability table (contract/capabilities.py) as Image2VideoCreate applies it: one row per model, mode,
duration and feature that the 2026 capability map decides, accepted or refused with field, model and mode."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kinema.contract.capabilities import IMAGE2VIDEO_CAPS, duration_unsupported, unsupported
from kinema.contract.errors import Code, KlingError
from kinema.contract.limits import PROFILES, Limits, build_limits
from kinema.contract.model_names import IMAGE2VIDEO_MODELS
from kinema.contract.parsing import parse_request
from kinema.contract.requests.image2video import Image2VideoCreate

KLING = PROFILES["kling"]
STRICT = build_limits("kling", strict=True)
URL = "https://example.com/a.png"
MASK = {"dynamic_masks": [{"mask": URL, "trajectories": [{"x": 1, "y": 1}, {"x": 2, "y": 2}]}]}
CAMERA = {"camera_control": {"type": "simple", "config": {"zoom": 5}}}
SHOTS = {
    "multi_shot": True,
    "shot_type": "customize",
    "multi_prompt": [
        {"index": 1, "prompt": "a", "duration": "2"},
        {"index": 2, "prompt": "b", "duration": "3"},
    ],
}

#: (id, model or None for the default, mode, duration, extra fields, refused field or None, message part)
CASES: list[tuple[str, str | None, str, str, dict[str, Any], str | None, str]] = [
    # durations: 5/10 everywhere but kling-v3
    ("v1-5s", None, "std", "5", {}, None, ""),
    ("v1-10s-pro", None, "pro", "10", {}, None, ""),
    ("v1-3s", None, "std", "3", {}, "duration", 'kling-v1 supports "5" or "10" (mode std), got "3"'),
    ("v2-6-7s", "kling-v2-6", "pro", "7", {}, "duration", 'kling-v2-6 supports "5" or "10" (mode pro)'),
    ("v3-3s", "kling-v3", "std", "3", {}, None, ""),
    ("v3-15s-pro", "kling-v3", "pro", "15", {}, None, ""),
    # last frame
    ("v1-tail-5s", None, "std", "5", {"image_tail": URL}, None, ""),
    ("v1-tail-10s", None, "pro", "10", {"image_tail": URL}, "image_tail", "only in mode std/pro at 5 s"),
    ("v1-5-tail-std", "kling-v1-5", "std", "5", {"image_tail": URL}, "image_tail", "only in mode pro"),
    ("v1-6-tail-pro-10", "kling-v1-6", "pro", "10", {"image_tail": URL}, None, ""),
    (
        "v2-master-tail",
        "kling-v2-master",
        "std",
        "5",
        {"image_tail": URL},
        "image_tail",
        "kling-v2-master does not support a last frame (mode std)",
    ),
    (
        "v2-1-master-tail",
        "kling-v2-1-master",
        "pro",
        "5",
        {"image_tail": URL},
        "image_tail",
        "does not support",
    ),
    ("v2-1-tail-pro", "kling-v2-1", "pro", "5", {"image_tail": URL}, None, ""),
    ("v2-5-tail-std", "kling-v2-5-turbo", "std", "5", {"image_tail": URL}, "image_tail", "only in mode pro"),
    ("v3-tail-std-3s", "kling-v3", "std", "3", {"image_tail": URL}, None, ""),
    # motion brush
    ("v1-brush", None, "std", "5", MASK, None, ""),
    ("v1-brush-10s", None, "std", "10", MASK, "dynamic_masks", "at 5 s (mode std, duration 10)"),
    ("v1-static-10s", None, "std", "10", {"static_mask": URL}, "static_mask", "the motion brush"),
    ("v1-5-brush-pro", "kling-v1-5", "pro", "5", MASK, None, ""),
    ("v1-5-brush-std", "kling-v1-5", "std", "5", MASK, "dynamic_masks", "only in mode pro at 5 s"),
    ("v3-brush", "kling-v3", "pro", "5", MASK, "dynamic_masks", "kling-v3 does not support the motion brush"),
    # camera control
    ("v1-camera", None, "std", "5", CAMERA, None, ""),
    ("v1-5-camera-pro", "kling-v1-5", "pro", "5", CAMERA, None, ""),
    ("v1-5-camera-pro-10", "kling-v1-5", "pro", "10", CAMERA, "camera_control", "only in mode pro at 5 s"),
    ("v2-6-camera", "kling-v2-6", "pro", "5", CAMERA, "camera_control", "does not support camera control"),
    # sound
    ("v2-6-sound-pro", "kling-v2-6", "pro", "5", {"sound": "on"}, None, ""),
    ("v2-6-sound-std", "kling-v2-6", "std", "5", {"sound": "on"}, "sound", 'sound "on" only in mode pro'),
    ("v3-sound-std", "kling-v3", "std", "5", {"sound": "on"}, None, ""),
    ("v1-sound", None, "std", "5", {"sound": "on"}, "sound", 'kling-v1 does not support sound "on"'),
    ("v1-sound-off", None, "std", "5", {"sound": "off"}, None, ""),
    # multi-shot, elements, voices
    ("v3-multishot", "kling-v3", "std", "5", SHOTS, None, ""),
    ("v2-6-multishot", "kling-v2-6", "pro", "5", SHOTS, "multi_shot", "does not support multi-shot"),
    ("v3-elements", "kling-v3", "pro", "5", {"element_list": [{"element_id": 1}]}, None, ""),
    (
        "v1-elements",
        None,
        "std",
        "5",
        {"element_list": [{"element_id": 1}]},
        "element_list",
        "element control",
    ),
    ("v2-6-voice-pro", "kling-v2-6", "pro", "5", {"voice_list": [{"voice_id": "a"}]}, None, ""),
    (
        "v2-6-voice-std",
        "kling-v2-6",
        "std",
        "5",
        {"voice_list": [{"voice_id": "a"}]},
        "voice_list",
        "mode pro",
    ),
    ("v3-voice", "kling-v3", "pro", "5", {"voice_list": [{"voice_id": "a"}]}, "voice_list", "voice control"),
]


def _body(model: str | None, mode: str, duration: str, extra: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"image": URL, "mode": mode, "duration": duration, **extra}
    if model is not None:
        body["model_name"] = model
    return body


@pytest.mark.parametrize(
    ("model", "mode", "duration", "extra", "field", "part"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_capability_map(
    model: str | None, mode: str, duration: str, extra: dict[str, Any], field: str | None, part: str
) -> None:
    raw = json.dumps(_body(model, mode, duration, extra))
    if field is None:
        req = parse_request(Image2VideoCreate, raw, KLING)
        assert req.model_name == (model or "kling-v1") and req.duration == duration
        return
    with pytest.raises(KlingError) as err:
        parse_request(Image2VideoCreate, raw, KLING)
    assert err.value.code == Code.INVALID_PARAM and err.value.http_status == 400
    message = err.value.message
    assert message.startswith(f"{field}: {model or 'kling-v1'} "), message
    assert f"(mode {mode}" in message and part in message, message


def test_every_image2video_model_has_a_row_and_only_v3_has_the_open_range() -> None:
    assert set(IMAGE2VIDEO_CAPS) == set(IMAGE2VIDEO_MODELS)
    assert [m for m, caps in IMAGE2VIDEO_CAPS.items() if caps.durations is None] == ["kling-v3"]
    for model in IMAGE2VIDEO_MODELS:
        assert (
            duration_unsupported(model, "std", "5") is None
            and duration_unsupported(model, "pro", "10") is None
        )


def test_the_helpers_say_none_when_allowed() -> None:
    assert unsupported("kling-v2-6", "sound", "pro", "10") is None
    assert unsupported("kling-v2-6", "sound", "std", "10") == (
        'kling-v2-6 supports sound "on" only in mode pro (mode std, duration 10)'
    )


def test_strict_still_narrows_kling_v3_to_5_and_10() -> None:
    raw = json.dumps({"image": URL, "model_name": "kling-v3", "duration": "7"})
    assert parse_request(Image2VideoCreate, raw, KLING).duration == "7"
    with pytest.raises(KlingError, match=r'duration: must be "5" or "10"'):
        parse_request(Image2VideoCreate, raw, STRICT)


def test_an_override_widens_kling_v3_but_not_the_5_10_models() -> None:
    wide = build_limits("kling", overrides={"i2v_duration_min_s": 1, "i2v_duration_max_s": 20})
    v3 = json.dumps({"image": URL, "model_name": "kling-v3", "duration": "20"})
    assert parse_request(Image2VideoCreate, v3, wide).duration == "20"
    with pytest.raises(KlingError, match=r'duration: must be from "3" to "15"'):
        parse_request(Image2VideoCreate, v3, Limits())
    v1 = json.dumps({"image": URL, "duration": "20"})
    with pytest.raises(KlingError, match=r'duration: kling-v1 supports "5" or "10" \(mode std\), got "20"'):
        parse_request(Image2VideoCreate, v1, wide)


def test_a_request_without_model_name_is_kling_v1_with_its_defaults() -> None:
    req = parse_request(Image2VideoCreate, json.dumps({"image": URL}), KLING)
    assert (req.model_name, req.mode, req.duration) == ("kling-v1", "std", "5")
