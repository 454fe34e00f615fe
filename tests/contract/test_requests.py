"""Conformance of the create bodies: for each rule one accepted and one rejected example.

A rejection must be a KlingError with code 1201 whose message starts with the field path and states the rule.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kinema.contract.errors import Code, KlingError
from kinema.contract.limits import PROFILES, Limits, build_limits
from kinema.contract.requests import (
    AvatarCreate,
    Image2VideoCreate,
    TextToAudioCreate,
    TtsCreate,
    VideoExtendCreate,
    VideoToAudioCreate,
    parse_page,
    parse_request,
)

KLING = PROFILES["kling"]
COMET = PROFILES["cometapi"]
STRICT = build_limits("kling", strict=True)
COMET_STRICT = build_limits("cometapi", strict=True)

B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
URL = "https://cdn.example.com/a.png"
AV = {"image": URL, "audio_id": "123"}
I2V = {"image": URL}
#: Models whose capabilities (contract/capabilities.py) include multi-shot, 3..15 s, voices.
V3 = {**I2V, "model_name": "kling-v3"}
V26_PRO = {**I2V, "model_name": "kling-v2-6", "mode": "pro"}
V2A = {"video_id": "v1"}
T2A = {"prompt": "rain on a tin roof", "duration": 5}
TTS = {"text": "hello", "voice_id": "oversea_male1", "voice_language": "en"}
EXT = {"video_id": "914919190112902203"}


def traj(n: int) -> list[dict[str, int]]:
    return [{"x": i, "y": i} for i in range(n)]


def cam(kind: str, config: dict[str, Any] | None) -> dict[str, Any]:
    return {**I2V, "camera_control": {"type": kind, "config": config}}


def parse(model: type, body: Any, limits: Limits = KLING) -> Any:
    return parse_request(model, json.dumps(body).encode(), limits)


# (id, model, body, limits, expected_field or None when accepted, rule fragment)
CASES: list[tuple[str, type, Any, Limits, str | None, str]] = [
    # ---- avatar
    ("avatar-ok-audio_id", AvatarCreate, AV, KLING, None, ""),
    ("avatar-ok-sound_file", AvatarCreate, {"image": B64, "sound_file": URL}, KLING, None, ""),
    ("avatar-image-missing", AvatarCreate, {"audio_id": "1"}, KLING, "image", "is required"),
    ("avatar-image-number", AvatarCreate, {"image": 5, "audio_id": "1"}, KLING, "image", "must be a string"),
    (
        "avatar-neither-audio",
        AvatarCreate,
        {"image": URL},
        KLING,
        "audio_id",
        "exactly one of audio_id and sound_file",
    ),
    ("avatar-both-audio", AvatarCreate, {**AV, "sound_file": URL}, KLING, "audio_id", "exactly one"),
    ("avatar-empty-sound_file-is-absent", AvatarCreate, {**AV, "sound_file": ""}, KLING, None, ""),
    (
        "avatar-image-not-media",
        AvatarCreate,
        {**AV, "image": "ftp://x/y.png"},
        KLING,
        "image",
        "URL or base64",
    ),
    ("avatar-prompt-2500", AvatarCreate, {**AV, "prompt": "a" * 2500}, KLING, None, ""),
    (
        "avatar-prompt-2501",
        AvatarCreate,
        {**AV, "prompt": "a" * 2501},
        KLING,
        "prompt",
        "at most 2500 characters",
    ),
    ("avatar-mode-pro", AvatarCreate, {**AV, "mode": "pro"}, KLING, None, ""),
    ("avatar-mode-bad", AvatarCreate, {**AV, "mode": "fast"}, KLING, "mode", "must be one of std, pro"),
    ("avatar-watermark", AvatarCreate, {**AV, "watermark_info": {"enabled": True}}, KLING, None, ""),
    ("avatar-watermark-null", AvatarCreate, {**AV, "watermark_info": None}, KLING, None, ""),
    (
        "avatar-watermark-bad",
        AvatarCreate,
        {**AV, "watermark_info": {"enabled": "x"}},
        KLING,
        "watermark_info.enabled",
        "boolean",
    ),
    (
        "avatar-callback-ok",
        AvatarCreate,
        {**AV, "callback_url": "http://hooks.example.com/k"},
        KLING,
        None,
        "",
    ),
    (
        "avatar-callback-bad",
        AvatarCreate,
        {**AV, "callback_url": "file:///etc/passwd"},
        KLING,
        "callback_url",
        "http(s) URL",
    ),
    (
        "avatar-callback-nohost",
        AvatarCreate,
        {**AV, "callback_url": "https://"},
        KLING,
        "callback_url",
        "URL",
    ),
    ("avatar-extid-ok", AvatarCreate, {**AV, "external_task_id": "e" * 256}, KLING, None, ""),
    (
        "avatar-extid-long",
        AvatarCreate,
        {**AV, "external_task_id": "e" * 257},
        KLING,
        "external_task_id",
        "at most 256",
    ),
    ("avatar-data-uri-ok", AvatarCreate, {**AV, "image": "data:image/png;base64," + B64}, KLING, None, ""),
    (
        "avatar-data-uri-strict",
        AvatarCreate,
        {**AV, "image": "data:image/png;base64," + B64},
        STRICT,
        "image",
        "data: URI",
    ),
    ("avatar-prompt-optional-comet", AvatarCreate, AV, COMET, None, ""),
    ("avatar-prompt-required-comet-strict", AvatarCreate, AV, COMET_STRICT, "prompt", "is required"),
    ("avatar-comet-prompt-2500", AvatarCreate, {**AV, "prompt": "p" * 2500}, COMET, None, ""),
    # ---- image2video
    ("i2v-ok-minimal", Image2VideoCreate, I2V, KLING, None, ""),
    ("i2v-tail-only", Image2VideoCreate, {"image_tail": URL}, KLING, None, ""),
    ("i2v-no-image", Image2VideoCreate, {"prompt": "x"}, KLING, "image", "image or image_tail is required"),
    (
        "i2v-tail-only-comet-strict",
        Image2VideoCreate,
        {"image_tail": URL},
        COMET_STRICT,
        "image",
        "is required",
    ),
    ("i2v-model-alias", Image2VideoCreate, {**I2V, "model": "kling-v2-6"}, KLING, None, ""),
    ("i2v-prompt-2500", Image2VideoCreate, {**I2V, "prompt": "a" * 2500}, KLING, None, ""),
    ("i2v-prompt-2501", Image2VideoCreate, {**I2V, "prompt": "a" * 2501}, KLING, "prompt", "at most 2500"),
    ("i2v-prompt-500-comet", Image2VideoCreate, {**I2V, "prompt": "a" * 500}, COMET, None, ""),
    ("i2v-prompt-501-comet", Image2VideoCreate, {**I2V, "prompt": "a" * 501}, COMET, "prompt", "at most 500"),
    ("i2v-neg-200-comet", Image2VideoCreate, {**I2V, "negative_prompt": "a" * 200}, COMET, None, ""),
    (
        "i2v-neg-201-comet",
        Image2VideoCreate,
        {**I2V, "negative_prompt": "a" * 201},
        COMET,
        "negative_prompt",
        "at most 200",
    ),
    (
        "i2v-neg-2501",
        Image2VideoCreate,
        {**I2V, "negative_prompt": "a" * 2501},
        KLING,
        "negative_prompt",
        "at most 2500",
    ),
    ("i2v-cfg-ok", Image2VideoCreate, {**I2V, "cfg_scale": 1}, KLING, None, ""),
    ("i2v-cfg-high", Image2VideoCreate, {**I2V, "cfg_scale": 1.5}, KLING, "cfg_scale", "between 0 and 1"),
    (
        "i2v-cfg-string",
        Image2VideoCreate,
        {**I2V, "cfg_scale": "abc"},
        KLING,
        "cfg_scale",
        "must be a number",
    ),
    ("i2v-mode-bad", Image2VideoCreate, {**I2V, "mode": "max"}, KLING, "mode", "std, pro"),
    ("i2v-duration-10", Image2VideoCreate, {**I2V, "duration": "10"}, STRICT, None, ""),
    ("i2v-duration-7-strict", Image2VideoCreate, {**I2V, "duration": "7"}, STRICT, "duration", '"5" or "10"'),
    ("i2v-duration-7-permissive", Image2VideoCreate, {**V3, "duration": "7"}, KLING, None, ""),
    ("i2v-duration-16", Image2VideoCreate, {**V3, "duration": "16"}, KLING, "duration", 'from "3" to "15"'),
    ("i2v-duration-word", Image2VideoCreate, {**I2V, "duration": "five"}, KLING, "duration", "whole seconds"),
    (
        "i2v-duration-fraction",
        Image2VideoCreate,
        {**I2V, "duration": 5.5},
        KLING,
        "duration",
        "whole seconds",
    ),
    ("i2v-static-mask", Image2VideoCreate, {**I2V, "static_mask": B64}, KLING, None, ""),
    (
        "i2v-static-mask-bad",
        Image2VideoCreate,
        {**I2V, "static_mask": "not base64!"},
        KLING,
        "static_mask",
        "URL or base64",
    ),
    (
        "i2v-masks-ok",
        Image2VideoCreate,
        {**I2V, "dynamic_masks": [{"mask": URL, "trajectories": traj(2)}]},
        KLING,
        None,
        "",
    ),
    (
        "i2v-masks-77",
        Image2VideoCreate,
        {**I2V, "dynamic_masks": [{"mask": URL, "trajectories": traj(77)}]},
        KLING,
        None,
        "",
    ),
    (
        "i2v-masks-78",
        Image2VideoCreate,
        {**I2V, "dynamic_masks": [{"mask": URL, "trajectories": traj(78)}]},
        KLING,
        "dynamic_masks[0].trajectories",
        "must have 2 to 77 points, got 78",
    ),
    (
        "i2v-masks-1pt",
        Image2VideoCreate,
        {
            **I2V,
            "dynamic_masks": [{"mask": URL, "trajectories": traj(2)}, {"mask": URL, "trajectories": traj(1)}],
        },
        KLING,
        "dynamic_masks[1].trajectories",
        "must have 2 to 77 points, got 1",
    ),
    (
        "i2v-masks-no-mask",
        Image2VideoCreate,
        {**I2V, "dynamic_masks": [{"trajectories": traj(2)}]},
        KLING,
        "dynamic_masks[0].mask",
        "is required",
    ),
    (
        "i2v-masks-float-xy",
        Image2VideoCreate,
        {**I2V, "dynamic_masks": [{"mask": URL, "trajectories": [{"x": 1.5, "y": 0}, {"x": 1, "y": 1}]}]},
        KLING,
        "dynamic_masks[0].trajectories[0].x",
        "must be an integer",
    ),
    (
        "i2v-masks-6",
        Image2VideoCreate,
        {**I2V, "dynamic_masks": [{"mask": URL, "trajectories": traj(2)}] * 6},
        KLING,
        None,
        "",
    ),
    (
        "i2v-masks-7",
        Image2VideoCreate,
        {**I2V, "dynamic_masks": [{"mask": URL, "trajectories": traj(2)}] * 7},
        KLING,
        "dynamic_masks",
        "at most 6 entries, got 7",
    ),
    (
        "i2v-masks-not-list",
        Image2VideoCreate,
        {**I2V, "dynamic_masks": {"mask": URL}},
        KLING,
        "dynamic_masks",
        "must be an array",
    ),
    (
        "i2v-cam-simple",
        Image2VideoCreate,
        cam("simple", {"zoom": 5, "pan": 0, "tilt": None}),
        KLING,
        None,
        "",
    ),
    (
        "i2v-cam-simple-two",
        Image2VideoCreate,
        cam("simple", {"zoom": 5, "pan": 1}),
        KLING,
        "camera_control.config",
        "exactly one of horizontal, vertical, pan, tilt, roll, zoom must be non-zero",
    ),
    (
        "i2v-cam-simple-none",
        Image2VideoCreate,
        cam("simple", None),
        KLING,
        "camera_control.config",
        "exactly one",
    ),
    (
        "i2v-cam-range",
        Image2VideoCreate,
        cam("simple", {"roll": -10.5}),
        KLING,
        "camera_control.config.roll",
        "between -10 and 10",
    ),
    ("i2v-cam-preset", Image2VideoCreate, cam("down_back", None), KLING, None, ""),
    ("i2v-cam-preset-empty", Image2VideoCreate, cam("forward_up", {}), KLING, None, ""),
    (
        "i2v-cam-preset-config",
        Image2VideoCreate,
        cam("left_turn_forward", {"zoom": 3}),
        KLING,
        "camera_control.config",
        "empty or null",
    ),
    (
        "i2v-cam-type-bad",
        Image2VideoCreate,
        cam("orbit", None),
        KLING,
        "camera_control.type",
        "must be one of",
    ),
    (
        "i2v-cam-type-missing",
        Image2VideoCreate,
        {**I2V, "camera_control": {"config": {"zoom": 1}}},
        KLING,
        "camera_control.type",
        "is required",
    ),
    (
        "i2v-group-tail-cam",
        Image2VideoCreate,
        {**cam("down_back", None), "image_tail": URL},
        KLING,
        "camera_control",
        "mutually exclusive",
    ),
    (
        "i2v-group-tail-mask",
        Image2VideoCreate,
        {**I2V, "image_tail": URL, "static_mask": URL},
        KLING,
        "static_mask",
        "mutually exclusive",
    ),
    (
        "i2v-group-mask-cam",
        Image2VideoCreate,
        {**cam("down_back", None), "dynamic_masks": [{"mask": URL, "trajectories": traj(2)}]},
        KLING,
        "camera_control",
        "mutually exclusive",
    ),
    (
        "i2v-unknown-field-ignored",
        Image2VideoCreate,
        {**I2V, "aspect_ratio": "16:9", "foo": 1},
        KLING,
        None,
        "",
    ),
    (
        "i2v-multishot-ok",
        Image2VideoCreate,
        {
            **V3,
            "multi_shot": True,
            "shot_type": "customize",
            "duration": "10",
            "multi_prompt": [
                {"index": 1, "prompt": "a", "duration": "4"},
                {"index": 2, "prompt": "b", "duration": 6},
            ],
        },
        KLING,
        None,
        "",
    ),
    (
        "i2v-multishot-sum",
        Image2VideoCreate,
        {
            **I2V,
            "multi_shot": True,
            "shot_type": "customize",
            "duration": "10",
            "multi_prompt": [{"index": 1, "prompt": "a", "duration": "4"}],
        },
        KLING,
        "multi_prompt",
        "add up to duration 10",
    ),
    (
        "i2v-multishot-no-type",
        Image2VideoCreate,
        {**I2V, "multi_shot": True},
        KLING,
        "shot_type",
        "is required",
    ),
    (
        "i2v-multishot-bad-type",
        Image2VideoCreate,
        {**I2V, "multi_shot": True, "shot_type": "auto"},
        KLING,
        "shot_type",
        "customize, intelligence",
    ),
    (
        "i2v-multishot-tail",
        Image2VideoCreate,
        {"image": URL, "image_tail": URL, "multi_shot": True, "shot_type": "intelligence"},
        KLING,
        "image_tail",
        "multi_shot",
    ),
    (
        "i2v-multiprompt-long",
        Image2VideoCreate,
        {
            **I2V,
            "multi_shot": True,
            "shot_type": "customize",
            "duration": "5",
            "multi_prompt": [{"index": 1, "prompt": "a" * 513, "duration": "5"}],
        },
        KLING,
        "multi_prompt[0].prompt",
        "at most 512",
    ),
    ("i2v-elements-3", Image2VideoCreate, {**V3, "element_list": [{"element_id": 1}] * 3}, KLING, None, ""),
    (
        "i2v-elements-4",
        Image2VideoCreate,
        {**I2V, "element_list": [{"element_id": 1}] * 4},
        KLING,
        "element_list",
        "at most 3",
    ),
    (
        "i2v-voices-3",
        Image2VideoCreate,
        {**I2V, "voice_list": [{"voice_id": "a"}] * 3},
        KLING,
        "voice_list",
        "at most 2",
    ),
    (
        "i2v-voices-elements",
        Image2VideoCreate,
        {**I2V, "voice_list": [{"voice_id": "a"}], "element_list": [{"element_id": "e"}]},
        KLING,
        "voice_list",
        "element_list",
    ),
    (
        "i2v-voice-ref-sound-on",
        Image2VideoCreate,
        {**V26_PRO, "voice_list": [{"voice_id": "a"}], "prompt": "<<<voice_1>>> says hi", "sound": "on"},
        KLING,
        None,
        "",
    ),
    (
        "i2v-voice-ref-sound-off",
        Image2VideoCreate,
        {**I2V, "voice_list": [{"voice_id": "a"}], "prompt": "<<<voice_1>>> says hi"},
        KLING,
        "sound",
        '"on"',
    ),
    ("i2v-sound-bad", Image2VideoCreate, {**I2V, "sound": "loud"}, KLING, "sound", "on or off"),
    # ---- video to audio
    ("v2a-ok-id", VideoToAudioCreate, V2A, KLING, None, ""),
    (
        "v2a-ok-url",
        VideoToAudioCreate,
        {"video_url": "https://v.example.com/c.mp4", "asmr_mode": True},
        KLING,
        None,
        "",
    ),
    ("v2a-neither", VideoToAudioCreate, {"bgm_prompt": "jazz"}, KLING, "video_id", "exactly one of video_id"),
    ("v2a-both", VideoToAudioCreate, {"video_id": "1", "video_url": URL}, KLING, "video_id", "exactly one"),
    ("v2a-url-not-http", VideoToAudioCreate, {"video_url": B64}, KLING, "video_url", "http(s) URL"),
    ("v2a-sfx-200", VideoToAudioCreate, {**V2A, "sound_effect_prompt": "s" * 200}, KLING, None, ""),
    (
        "v2a-sfx-201",
        VideoToAudioCreate,
        {**V2A, "sound_effect_prompt": "s" * 201},
        KLING,
        "sound_effect_prompt",
        "at most 200",
    ),
    ("v2a-bgm-201", VideoToAudioCreate, {**V2A, "bgm_prompt": "s" * 201}, KLING, "bgm_prompt", "at most 200"),
    ("v2a-asmr-bad", VideoToAudioCreate, {**V2A, "asmr_mode": "maybe"}, KLING, "asmr_mode", "boolean"),
    # ---- text to audio
    ("t2a-ok", TextToAudioCreate, T2A, KLING, None, ""),
    ("t2a-ok-edges", TextToAudioCreate, {"prompt": "p" * 200, "duration": 10.0}, KLING, None, ""),
    ("t2a-ok-one-decimal", TextToAudioCreate, {**T2A, "duration": 3.1}, KLING, None, ""),
    ("t2a-ok-cometapi", TextToAudioCreate, {**T2A, "duration": 7.5}, COMET_STRICT, None, ""),
    ("t2a-prompt-missing", TextToAudioCreate, {"duration": 5}, KLING, "prompt", "is required"),
    ("t2a-prompt-blank", TextToAudioCreate, {**T2A, "prompt": "  "}, KLING, "prompt", "is required"),
    ("t2a-prompt-201", TextToAudioCreate, {**T2A, "prompt": "p" * 201}, KLING, "prompt", "at most 200"),
    ("t2a-duration-missing", TextToAudioCreate, {"prompt": "rain"}, KLING, "duration", "is required"),
    (
        "t2a-duration-low",
        TextToAudioCreate,
        {**T2A, "duration": 2.9},
        KLING,
        "duration",
        "between 3.0 and 10.0",
    ),
    ("t2a-duration-high", TextToAudioCreate, {**T2A, "duration": 10.1}, KLING, "duration", "between 3.0"),
    ("t2a-duration-2dp", TextToAudioCreate, {**T2A, "duration": 4.25}, KLING, "duration", "one decimal"),
    (
        "t2a-duration-bool",
        TextToAudioCreate,
        {**T2A, "duration": True},
        KLING,
        "duration",
        "must be a number",
    ),
    ("t2a-duration-text", TextToAudioCreate, {**T2A, "duration": "long"}, KLING, "duration", "number"),
    # ---- video extend
    ("ext-ok", VideoExtendCreate, EXT, KLING, None, ""),
    ("ext-ok-int-id", VideoExtendCreate, {"video_id": 914919190112902203}, KLING, None, ""),
    (
        "ext-ok-all",
        VideoExtendCreate,
        {
            **EXT,
            "prompt": "p" * 2500,
            "negative_prompt": "n" * 2500,
            "cfg_scale": 1,
            "watermark_info": {"enabled": True},
            "callback_url": "https://cb.example/x",
            "external_task_id": "e1",
        },
        KLING,
        None,
        "",
    ),
    ("ext-video_id-missing", VideoExtendCreate, {"prompt": "more"}, KLING, "video_id", "is required"),
    ("ext-video_id-blank", VideoExtendCreate, {"video_id": ""}, KLING, "video_id", "is required"),
    ("ext-prompt-2501", VideoExtendCreate, {**EXT, "prompt": "p" * 2501}, KLING, "prompt", "at most 2500"),
    (
        "ext-prompt-cometapi-501",
        VideoExtendCreate,
        {**EXT, "prompt": "p" * 501},
        COMET,
        "prompt",
        "at most 500",
    ),
    (
        "ext-negative-cometapi-201",
        VideoExtendCreate,
        {**EXT, "negative_prompt": "n" * 201},
        COMET,
        "negative_prompt",
        "at most 200",
    ),
    ("ext-cfg-high", VideoExtendCreate, {**EXT, "cfg_scale": 1.5}, KLING, "cfg_scale", "between 0 and 1"),
    ("ext-cfg-bool", VideoExtendCreate, {**EXT, "cfg_scale": True}, KLING, "cfg_scale", "must be a number"),
    (
        "ext-watermark-bad",
        VideoExtendCreate,
        {**EXT, "watermark_info": {"enabled": "maybe"}},
        KLING,
        "watermark_info.enabled",
        "boolean",
    ),
    (
        "ext-callback-bad",
        VideoExtendCreate,
        {**EXT, "callback_url": "ftp://x"},
        KLING,
        "callback_url",
        "http",
    ),
    # ---- tts
    ("tts-ok", TtsCreate, TTS, KLING, None, ""),
    ("tts-default-zh", TtsCreate, {"text": "你好", "voice_id": "ai_kaiya"}, KLING, None, ""),
    (
        "tts-voice-wrong-language",
        TtsCreate,
        {"text": "x", "voice_id": "oversea_male1"},
        KLING,
        "voice_id",
        "Voice id not found",
    ),
    ("tts-voice-missing", TtsCreate, {"text": "x"}, KLING, "voice_id", "is required"),
    (
        "tts-text-missing",
        TtsCreate,
        {"voice_id": "AOT", "voice_language": "en"},
        KLING,
        "text",
        "is required",
    ),
    ("tts-text-1000", TtsCreate, {**TTS, "text": "t" * 1000}, KLING, None, ""),
    ("tts-text-1001", TtsCreate, {**TTS, "text": "t" * 1001}, KLING, "text", "at most 1000"),
    ("tts-language-bad", TtsCreate, {**TTS, "voice_language": "fr"}, KLING, "voice_language", "zh, en"),
    (
        "tts-speed-bad-type",
        TtsCreate,
        {**TTS, "voice_speed": "fast"},
        KLING,
        "voice_speed",
        "must be a number",
    ),
    ("tts-speed-bool", TtsCreate, {**TTS, "voice_speed": True}, KLING, "voice_speed", "must be a number"),
]


@pytest.mark.parametrize(
    ("model", "body", "limits", "field", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_conformance(model: type, body: Any, limits: Limits, field: str | None, fragment: str) -> None:
    if field is None:
        parse(model, body, limits)
        return
    with pytest.raises(KlingError) as info:
        parse(model, body, limits)
    err = info.value
    assert err.code == Code.INVALID_PARAM and err.http_status == 400
    assert err.message.startswith(f"{field}: "), err.message
    assert fragment in err.message, err.message
    assert "pydantic" not in err.message and "Input should" not in err.message


def test_normalised_values() -> None:
    req = parse(Image2VideoCreate, {**I2V, "model": "kling-v1-6", "duration": 10, "aspect_ratio": "1:1"})
    assert (req.model_name, req.duration, req.mode) == ("kling-v1-6", "10", "std")
    assert not hasattr(req, "aspect_ratio")
    default = parse(Image2VideoCreate, {**I2V, "model_name": ""})
    assert (default.model_name, default.duration, default.cfg_scale) == ("kling-v1", "5", None)
    tts = parse(TtsCreate, {"text": "x", "voice_id": "ai_kaiya"})
    assert (tts.voice_language, tts.voice_speed) == ("zh", 1.0)
    t2a = parse(TextToAudioCreate, {**T2A, "duration": 3.3000000000000003})
    assert t2a.duration == 3.3 and t2a.callback_url is None
    av = parse(AvatarCreate, {**AV, "image_tail": "ignored", "sound_file": ""})
    assert av.sound_file is None and av.mode == "std"


@pytest.mark.parametrize(
    ("given_speed", "expected"), [(0.1, 0.8), (5, 2.0), (1.26, 1.3), (0.8, 0.8), (-3, 0.8)]
)
def test_tts_speed_is_clamped_and_rounded(given_speed: float, expected: float) -> None:
    assert parse(TtsCreate, {**TTS, "voice_speed": given_speed}).voice_speed == expected


@pytest.mark.parametrize(
    "raw", [b"{", b"", b"\xff\xfe", b"NaN", b'{"image": NaN}', b"[]", b'"x"', b"null", b"3"]
)
def test_malformed_or_non_object_body_is_1200(raw: bytes) -> None:
    with pytest.raises(KlingError) as info:
        parse_request(AvatarCreate, raw, KLING)
    assert info.value.code == Code.BAD_REQUEST


def test_override_changes_a_rule() -> None:
    lim = build_limits("kling", overrides={"trajectory_max_points": 10})
    body = {**I2V, "dynamic_masks": [{"mask": URL, "trajectories": traj(11)}]}
    with pytest.raises(KlingError, match="2 to 10 points, got 11"):
        parse(Image2VideoCreate, body, lim)


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
_FIELDS = [
    "image",
    "image_tail",
    "audio_id",
    "sound_file",
    "prompt",
    "mode",
    "duration",
    "cfg_scale",
    "dynamic_masks",
    "camera_control",
    "static_mask",
    "video_id",
    "video_url",
    "text",
    "voice_id",
    "voice_speed",
    "voice_language",
    "watermark_info",
    "callback_url",
    "multi_prompt",
    "multi_shot",
]


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.sampled_from(_FIELDS), _json, max_size=6),
    st.sampled_from([AvatarCreate, Image2VideoCreate, VideoToAudioCreate, TtsCreate]),
)
def test_any_json_object_gives_a_model_or_a_1201(body: dict[str, Any], model: type) -> None:
    try:
        parse(model, body)
    except KlingError as err:
        assert err.code == Code.INVALID_PARAM
        assert ": " in err.message and "Input should" not in err.message


def test_parse_page() -> None:
    assert parse_page(None, None, KLING) == (1, 30)
    assert parse_page("", "", KLING) == (1, 30)
    assert parse_page("1000", "500", KLING) == (1000, 500)
    for num, size, name in [
        ("0", None, "pageNum"),
        ("1001", None, "pageNum"),
        ("x", None, "pageNum"),
        (None, "501", "pageSize"),
        (None, "0", "pageSize"),
        (None, "2.5", "pageSize"),
    ]:
        with pytest.raises(KlingError) as info:
            parse_page(num, size, KLING)
        assert info.value.code == Code.INVALID_PARAM and info.value.message.startswith(f"{name}: ")
