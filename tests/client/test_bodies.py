"""The typed create arguments match their request models (names, kinds, types), and become the right body:
media files base64-encoded wherever the kind table puts media, nested models and mappings as JSON, a ready
model sent as the fields it was given."""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import pytest
from pydantic import BaseModel

from kinema.client import bodies
from kinema.client.core import (
    AVATAR_CALLS,
    IMAGE2VIDEO_CALLS,
    TEXT_TO_AUDIO_CALLS,
    TTS_CALLS,
    VIDEO_EXTEND_CALLS,
    VIDEO_TO_AUDIO_CALLS,
    Calls,
)
from kinema.contract.kinds import IMAGE2VIDEO, TTS
from kinema.contract.requests import (
    CameraConfig,
    CameraControl,
    Image2VideoCreate,
    TtsCreate,
    VideoToAudioCreate,
)

TYPED: list[Calls[Any, Any]] = [
    AVATAR_CALLS,
    IMAGE2VIDEO_CALLS,
    VIDEO_EXTEND_CALLS,
    VIDEO_TO_AUDIO_CALLS,
    TEXT_TO_AUDIO_CALLS,
    TTS_CALLS,
]


def _alternatives(hint: Any) -> list[Any]:
    """The members of a union (``None`` left out), a ``Literal`` standing for the type of its values, an
    ``Annotated`` type for the type it annotates."""
    if get_origin(hint) is Annotated:
        return _alternatives(get_args(hint)[0])
    if get_origin(hint) in (typing.Union, types.UnionType):
        return [alt for arg in get_args(hint) for alt in _alternatives(arg)]
    if get_origin(hint) is Literal:
        return sorted({type(value) for value in get_args(hint)}, key=str)
    return [] if hint is type(None) else [hint]


def _covers(param: Any, model: Any) -> bool:
    """Whether a parameter alternative takes every value of a model alternative (lists element-wise)."""
    if get_origin(model) is list:
        if get_origin(param) not in (list, Sequence):
            return False
        return _accepts(get_args(param)[0], get_args(model)[0])
    return param is model


def _accepts(param: Any, model: Any) -> bool:
    return all(any(_covers(p, m) for p in _alternatives(param)) for m in _alternatives(model))


@pytest.mark.parametrize("calls", TYPED, ids=lambda c: c.spec.sdk_name)
def test_create_parameters_are_the_request_fields_and_vice_versa(calls: Calls[Any, Any]) -> None:
    params = inspect.signature(calls.body).parameters
    model_fields = calls.spec.request.model_fields
    deprecated = set(bodies.DEPRECATED_TTS_NAMES) if calls.spec is TTS else set()
    assert set(params) - deprecated == set(model_fields)
    first, *rest = params.values()
    # the main input (or a ready model), by position or by its wire name
    assert first.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    for param in rest:
        assert param.kind is inspect.Parameter.KEYWORD_ONLY or (
            calls.spec is TTS and param.name == "voice_id"
        )
        assert param.default is None or bodies.TTS_DEFAULTS.get(param.name) == param.default


@pytest.mark.parametrize("calls", TYPED, ids=lambda c: c.spec.sdk_name)
def test_create_parameters_take_every_type_their_field_takes(calls: Calls[Any, Any]) -> None:
    hints = typing.get_type_hints(calls.body)
    for name, field in calls.spec.request.model_fields.items():
        assert _accepts(hints[name], field.annotation), f"{calls.spec.sdk_name}.{name}: {hints[name]}"
    first = next(iter(inspect.signature(calls.body).parameters))
    assert calls.spec.request in _alternatives(hints[first])  # a ready model is accepted too


def test_the_type_check_itself_catches_a_narrower_parameter() -> None:
    assert not _accepts(str | None, float | None)
    assert not _accepts(Sequence[CameraControl], list[CameraConfig])
    assert _accepts(Sequence[CameraConfig | dict[str, Any]] | None, list[CameraConfig] | None)


def test_media_fields_take_paths_bytes_and_file_names_anywhere_the_table_lists_them(tmp_path: Path) -> None:
    face = tmp_path / "face.png"
    face.write_bytes(b"\x89PNG")
    raw = bodies.image2video(
        face,
        image_tail=None,
        static_mask=None,
        dynamic_masks=[(b"\x89PNG", [(1, 2), (3, 4)]), {"mask": str(face), "trajectories": []}],
        duration=5,
    )
    body = bodies.encode_media(IMAGE2VIDEO, raw)
    assert body == {
        "image": "iVBORw==",
        "duration": "5",
        "dynamic_masks": [
            {"mask": "iVBORw==", "trajectories": [{"x": 1, "y": 2}, {"x": 3, "y": 4}]},
            {"mask": "iVBORw==", "trajectories": []},
        ],
    }
    url = "https://example.com/a.png"
    assert bodies.encode_media(IMAGE2VIDEO, bodies.image2video(url)) == {"image": url}


def test_nested_models_and_mappings_become_json() -> None:
    control = CameraControl(type="simple", config=CameraConfig(zoom=5))
    body = bodies.image2video("https://e.com/a.png", camera_control=control, watermark_info={"enabled": True})
    assert body["camera_control"] == {"type": "simple", "config": {"zoom": 5.0}}
    assert body["watermark_info"] == {"enabled": True}


def test_a_ready_model_is_sent_as_the_fields_it_was_given() -> None:
    request = Image2VideoCreate(image="https://e.com/a.png", prompt="pan", model="kling-v2-1")
    assert bodies.image2video(request) == {
        "model_name": "kling-v2-1",
        "image": "https://e.com/a.png",
        "prompt": "pan",
    }
    speech = TtsCreate(text="hi", voice_id="AOT", voice_language="en")
    assert bodies.tts(speech) == {"text": "hi", "voice_id": "AOT", "voice_language": "en"}


def test_a_model_and_fields_together_or_the_wrong_model_are_type_errors() -> None:
    request = VideoToAudioCreate(video_id="5")
    with pytest.raises(TypeError, match=r"not both \(also got \['bgm_prompt'\]\)"):
        bodies.video_to_audio(request, bgm_prompt="jazz")
    with pytest.raises(TypeError, match="expected a AvatarCreate, got a VideoToAudioCreate"):
        bodies.avatar(request)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not both"):
        bodies.tts(TtsCreate(text="hi", voice_id="AOT", voice_language="en"), voice_speed=1.5)


def test_tts_old_keyword_names_still_work_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning) as caught:
        body = bodies.tts("hi", "AOT", language="zh", speed=1.5)
    assert sorted(str(w.message) for w in caught) == [
        "tts(language=…) is deprecated: use voice_language=…",
        "tts(speed=…) is deprecated: use voice_speed=…",
    ]
    assert body == {"text": "hi", "voice_id": "AOT", "voice_language": "zh", "voice_speed": 1.5}


def test_a_kind_without_a_typed_builder_gets_a_checked_generic_one() -> None:
    build = bodies.generic(TTS)
    assert build(text="hi", voice_id="AOT", voice_speed=None) == {"text": "hi", "voice_id": "AOT"}
    speech = TtsCreate(text="hi", voice_id="AOT", voice_language="en")
    assert build(speech) == {"text": "hi", "voice_id": "AOT", "voice_language": "en"}
    with pytest.raises(TypeError, match=r"unexpected keyword arguments \['colour'\]"):
        build(text="hi", colour="red")
    with pytest.raises(TypeError, match="positional argument must be a TtsCreate"):
        build("hi")  # type: ignore[arg-type]


def test_plain_leaves_media_for_encoding_and_drops_unset_nested_values() -> None:
    class Box(BaseModel):
        a: int | None = None
        b: int | None = None

    assert bodies.plain({"x": Box(a=1), "y": (Path("p"), b"b"), "z": None}) == {
        "x": {"a": 1},
        "y": [Path("p"), b"b"],
    }


def test_the_main_input_can_be_given_by_its_wire_name_too() -> None:
    """A Kling user writes ``create(image=...)``: the first field is a field like the others."""
    by_name = bodies.image2video(image="https://example.com/a.png", duration=5)
    by_position = bodies.image2video("https://example.com/a.png", duration=5)
    assert by_name == by_position == {"image": "https://example.com/a.png", "duration": "5"}
    assert bodies.tts(text="hi", voice_id="AOT")["text"] == "hi"
    assert bodies.video_to_audio(video_url="https://example.com/v.mp4")["video_url"].endswith("v.mp4")
    assert bodies.avatar(image="https://example.com/f.png", audio_id="1")["image"].endswith("f.png")
    assert bodies.text_to_audio(prompt="rain", duration=5)["prompt"] == "rain"
