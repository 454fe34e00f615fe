"""Request bodies of the four create endpoints, validated against :class:`~kinema.contract.limits.Limits`.

Field names are exactly the wire names (spec §2–§5). Numbers come from the ``Limits`` passed in the pydantic
validation context, so one model serves every profile. Only cheap shape checks happen here (types, enums,
lengths, cross-field rules, "URL or base64"); decoding and probing the media is ``kinema.media.inputs``.

:func:`parse_request` is the only entry point the HTTP layer needs: it turns every failure into a
:class:`KlingError` — 1200 for a body that is not a JSON object, 1201 with ``"<field path>: <rule>"`` for
everything else — so no pydantic text and no 500 ever reaches a client.
"""

from __future__ import annotations

import json
import math
import re
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from kinema.contract.errors import Code, KlingError, invalid
from kinema.contract.limits import Limits
from kinema.contract.voices import VOICES, is_known_voice

MODEL_NAMES: tuple[str, ...] = (
    "kling-v1",
    "kling-v1-5",
    "kling-v1-6",
    "kling-v2-master",
    "kling-v2-1",
    "kling-v2-1-master",
    "kling-v2-5-turbo",
    "kling-v2-6",
    "kling-v3",
)
MODES: tuple[str, ...] = ("std", "pro")
CAMERA_TYPES: tuple[str, ...] = (
    "simple",
    "down_back",
    "forward_up",
    "right_turn_forward",
    "left_turn_forward",
)
CAMERA_AXES: tuple[str, ...] = ("horizontal", "vertical", "pan", "tilt", "roll", "zoom")
SHOT_TYPES: tuple[str, ...] = ("customize", "intelligence")

_B64_RE = re.compile(r"[A-Za-z0-9+/_\-=\s]+")
_DATA_URI_RE = re.compile(r"data:[\w.+-]+/[\w.+-]+(;[\w.+-]+=[\w.+-]+)*;base64,", re.IGNORECASE)


# --------------------------------------------------------------------------- helpers


def rule(message: str, sub: str = "") -> PydanticCustomError:
    """A rule failure. ``sub`` is a path below the failing location (e.g. ``"config"``) so a model-level
    validator can still name the exact field."""
    return PydanticCustomError("kinema_rule", "{rule}", {"rule": message, "sub": sub})


def _limits(info: ValidationInfo) -> Limits:
    ctx = info.context or {}
    limits = ctx.get("limits")
    return limits if isinstance(limits, Limits) else Limits()


def _blank_to_none(value: Any) -> Any:
    """Clients often send ``""`` for "not set" (``"image_tail": ""``); treat it as absent."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _no_bool_number(value: Any) -> Any:
    """JSON ``true`` is not a number, whatever Python thinks."""
    if isinstance(value, bool):
        raise rule("must be a number")
    return value


def _no_bool_int(value: Any) -> Any:
    if isinstance(value, bool):
        raise rule("must be an integer")
    return value


def _id_to_str(value: Any) -> Any:
    """Task/audio/video ids are numeric strings; some clients send them as JSON integers. Accept both."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _blank_to_none(value)


OptStr = Annotated[str | None, BeforeValidator(_blank_to_none)]
IdStr = Annotated[str | None, BeforeValidator(_id_to_str)]
Number = Annotated[float, BeforeValidator(_no_bool_number)]
Int = Annotated[int, BeforeValidator(_no_bool_int)]


def is_url(value: str) -> bool:
    """The spec's own test: a media string is a URL when it starts with ``http://`` or ``https://``."""
    return value[:8].lower().startswith(("http://", "https://"))


def check_http_url(value: str, max_chars: int) -> str:
    if len(value) > max_chars:
        raise rule(f"must be at most {max_chars} characters, got {len(value)}")
    if not is_url(value):
        raise rule("must be an http(s) URL")
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises on a non-numeric port
    except ValueError as exc:
        raise rule("must be a valid http(s) URL") from exc
    if not parts.hostname or any(c.isspace() for c in value):
        raise rule("must be a valid http(s) URL")
    return value


def check_media(value: str, limits: Limits) -> str:
    """URL or raw base64 (optionally ``data:…;base64,``-prefixed when allowed). Shape only, not content."""
    if is_url(value):
        return check_http_url(value, limits.url_max_chars)
    body = value
    if value[:5].lower() == "data:":
        if not limits.allow_data_uri:
            raise rule("must be an http(s) URL or raw base64 without a data: URI prefix")
        match = _DATA_URI_RE.match(value)
        if match is None:
            raise rule("data: URI must be of the form data:<type>;base64,<data>")
        body = value[match.end() :]
    if not body or _B64_RE.fullmatch(body) is None:
        raise rule("must be an http(s) URL or base64 data")
    return value


def _check_len(value: str | None, max_chars: int) -> str | None:
    if value is not None and len(value) > max_chars:
        raise rule(f"must be at most {max_chars} characters, got {len(value)}")
    return value


def _f(description: str, *, validate_default: bool = False, **schema: Any) -> Any:
    """An optional field with its documentation (shown in the generated OpenAPI document)."""
    options: dict[str, Any] = {"description": description, "validate_default": validate_default}
    if schema:
        options["json_schema_extra"] = schema
    return Field(None, **options)


def _required(*names: str) -> ConfigDict:
    """Mark fields required in the JSON schema only: the validators enforce it, with Kling's messages."""
    return ConfigDict(json_schema_extra={"required": list(names)})


class _Body(BaseModel):
    """Common config: unknown fields (``aspect_ratio``…) are ignored, as upstream does."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class _Tail(_Body):
    """``callback_url`` and ``external_task_id``: shared by the three asynchronous endpoints."""

    callback_url: OptStr = _f("http(s) URL that receives a POST with the task object on every status change.")
    external_task_id: IdStr = _f(
        "Your own id for the task (unique per account, <=256 chars); usable to query."
    )

    @field_validator("callback_url")
    @classmethod
    def _callback(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else check_http_url(value, _limits(info).callback_url_max_chars)

    @field_validator("external_task_id")
    @classmethod
    def _external_id(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _check_len(value, _limits(info).external_task_id_max_chars)


class WatermarkInfo(_Body):
    enabled: bool | None = _f("Return a watermarked copy too.")


def _check_mode(value: str | None) -> str:
    if value is None:
        return "std"
    if value not in MODES:
        raise rule(f"must be one of {', '.join(MODES)}, got {value!r}")
    return value


# --------------------------------------------------------------------------- avatar


class AvatarCreate(_Tail):
    """POST /v1/videos/avatar/image2video (spec §2)."""

    model_config = _required("image")

    image: OptStr = _f(
        "Portrait: http(s) URL or raw base64 (jpg/jpeg/png, <=10 MB, sides >=300 px, aspect 1:2.5..2.5:1)."
    )
    audio_id: IdStr = _f("id of a TTS result (audios[].id), 2..300 s. Exactly one of audio_id/sound_file.")
    sound_file: OptStr = _f("http(s) URL or raw base64 of mp3/wav/m4a/aac, <=5 MB, 2..300 s.")
    prompt: str | None = _f("Actions, emotion and camera, <=2500 chars.", maxLength=2500)
    mode: OptStr = _f("std (default) or pro.", validate_default=True, enum=list(MODES))
    watermark_info: WatermarkInfo | None = _f('{"enabled": bool}')

    @field_validator("image", "sound_file")
    @classmethod
    def _media(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else check_media(value, _limits(info))

    @field_validator("prompt")
    @classmethod
    def _prompt(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _check_len(value, _limits(info).avatar_prompt_max_chars)

    @field_validator("mode")
    @classmethod
    def _mode(cls, value: str | None) -> str:
        return _check_mode(value)

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> AvatarCreate:
        limits = _limits(info)
        if self.image is None:
            raise rule("is required", "image")
        if (self.audio_id is None) == (self.sound_file is None):
            raise rule("exactly one of audio_id and sound_file must be set", "audio_id")
        if limits.require_avatar_prompt and not (self.prompt or "").strip():
            raise rule("is required", "prompt")
        return self


# --------------------------------------------------------------------------- image2video


class Trajectory(_Body):
    x: Int
    y: Int


class DynamicMask(_Body):
    model_config = _required("mask", "trajectories")
    mask: OptStr = _f("Motion-brush area: http(s) URL or raw base64 (jpg/jpeg/png).")
    trajectories: list[Trajectory] | None = _f(
        "2..77 points {x, y} in pixels, origin bottom-left.", minItems=2, maxItems=77
    )

    @field_validator("mask")
    @classmethod
    def _mask(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else check_media(value, _limits(info))

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> DynamicMask:
        limits = _limits(info)
        if self.mask is None:
            raise rule("is required", "mask")
        n = len(self.trajectories or [])
        if not limits.trajectory_min_points <= n <= limits.trajectory_max_points:
            raise rule(
                f"must have {limits.trajectory_min_points} to {limits.trajectory_max_points} points, got {n}",
                "trajectories",
            )
        return self


class CameraConfig(_Body):
    horizontal: Number | None = None
    vertical: Number | None = None
    pan: Number | None = None
    tilt: Number | None = None
    roll: Number | None = None
    zoom: Number | None = None

    @field_validator(*CAMERA_AXES)
    @classmethod
    def _range(cls, value: float | None, info: ValidationInfo) -> float | None:
        limits = _limits(info)
        if value is not None and (
            not math.isfinite(value) or not limits.camera_value_min <= value <= limits.camera_value_max
        ):
            raise rule(f"must be between {limits.camera_value_min:g} and {limits.camera_value_max:g}")
        return value

    def nonzero_axes(self) -> list[str]:
        return [axis for axis in CAMERA_AXES if getattr(self, axis)]


class CameraControl(_Body):
    model_config = _required("type")
    type: OptStr = _f("Camera move.", enum=list(CAMERA_TYPES))
    config: CameraConfig | None = _f("Only for type simple: exactly one non-zero axis in [-10, 10].")

    @field_validator("type")
    @classmethod
    def _type(cls, value: str | None) -> str | None:
        if value is not None and value not in CAMERA_TYPES:
            raise rule(f"must be one of {', '.join(CAMERA_TYPES)}, got {value!r}")
        return value

    @model_validator(mode="after")
    def _rules(self) -> CameraControl:
        if self.type is None:
            raise rule("is required", "type")
        axes = self.config.nonzero_axes() if self.config is not None else []
        if self.type == "simple":
            if len(axes) != 1:
                raise rule(f"exactly one of {', '.join(CAMERA_AXES)} must be non-zero", "config")
        elif axes:
            raise rule(f"must be empty or null when type is {self.type!r}", "config")
        return self


class MultiPrompt(_Body):
    index: Int | None = None
    prompt: str | None = None
    duration: str | None = None

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return _normalise_duration(value)

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> MultiPrompt:
        limits = _limits(info)
        if not (self.prompt or "").strip():
            raise rule("is required", "prompt")
        n, cap = len(self.prompt or ""), limits.multi_prompt_prompt_max_chars
        if n > cap:
            raise rule(f"must be at most {cap} characters, got {n}", "prompt")
        if self.duration is None or int(self.duration) < 1:
            raise rule("is required and must be at least 1", "duration")
        return self


class Element(_Body):
    element_id: int | str | None = None

    @model_validator(mode="after")
    def _rules(self) -> Element:
        if self.element_id is None or self.element_id == "":
            raise rule("is required", "element_id")
        return self


class VoiceRef(_Body):
    voice_id: OptStr = None

    @model_validator(mode="after")
    def _rules(self) -> VoiceRef:
        if self.voice_id is None:
            raise rule("is required", "voice_id")
        return self


def _normalise_duration(value: Any) -> Any:
    """Durations are strings on the wire (``"5"``) but many clients send ``5``: accept integral numbers."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise rule('must be a string holding whole seconds, e.g. "5"')
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if math.isfinite(number) and number.is_integer():
            return str(int(number))
    raise rule('must be a string holding whole seconds, e.g. "5"')


_LIST_CAPS = {
    "multi_prompt": "multi_prompt_max",
    "element_list": "element_list_max",
    "voice_list": "voice_list_max",
}


class Image2VideoCreate(_Tail):
    """POST /v1/videos/image2video (spec §3)."""

    model_name: OptStr = Field(
        None,
        validation_alias=AliasChoices("model_name", "model"),
        validate_default=True,
        description="Model; default kling-v1. The older name `model` is accepted.",
        json_schema_extra={"enum": list(MODEL_NAMES)},
    )
    image: OptStr = _f(
        "First frame: http(s) URL or raw base64 (jpg/jpeg/png, <=10 MB, sides >=300 px, aspect 1:2.5..2.5:1)."
    )
    image_tail: OptStr = _f("Last frame: http(s) URL or raw base64 (jpg/jpeg/png, <=10 MB, sides >=300 px).")
    prompt: str | None = _f("<=2500 chars (500 on the cometapi profile).", maxLength=2500)
    negative_prompt: str | None = _f("<=2500 chars (200 on the cometapi profile).", maxLength=2500)
    cfg_scale: Number | None = _f("Prompt adherence in [0, 1], default 0.5.", minimum=0, maximum=1)
    mode: OptStr = _f("std (default) or pro.", validate_default=True, enum=list(MODES))
    duration: str | None = _f(
        'Whole seconds as a string, default "5" ("3".."15"; strict: 5 or 10).', validate_default=True
    )
    static_mask: OptStr = _f("Motion-brush static area (same aspect as image).")
    dynamic_masks: list[DynamicMask] | None = _f("<=6 motion-brush groups.", maxItems=6)
    camera_control: CameraControl | None = _f("Camera move; excludes image_tail and masks.")
    multi_shot: bool | None = _f("v3 multi-shot generation.")
    shot_type: OptStr = _f("Required with multi_shot.", enum=list(SHOT_TYPES))
    multi_prompt: list[MultiPrompt] | None = _f("1..6 shots when shot_type is customize.", maxItems=6)
    element_list: list[Element] | None = _f("<=3 {element_id}.", maxItems=3)
    voice_list: list[VoiceRef] | None = _f("<=2 {voice_id}, referenced as <<<voice_1>>>.", maxItems=2)
    sound: OptStr = _f("on or off (default).", enum=["on", "off"])
    watermark_info: WatermarkInfo | None = _f('{"enabled": bool}')

    @field_validator("model_name")
    @classmethod
    def _model(cls, value: str | None) -> str:
        if value is None:
            return "kling-v1"
        if value not in MODEL_NAMES:
            raise rule(f"must be one of {', '.join(MODEL_NAMES)}, got {value!r}")
        return value

    @field_validator("image", "image_tail", "static_mask")
    @classmethod
    def _media(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else check_media(value, _limits(info))

    @field_validator("prompt")
    @classmethod
    def _prompt(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _check_len(value, _limits(info).i2v_prompt_max_chars)

    @field_validator("negative_prompt")
    @classmethod
    def _negative(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _check_len(value, _limits(info).i2v_negative_prompt_max_chars)

    @field_validator("cfg_scale")
    @classmethod
    def _cfg(cls, value: float | None, info: ValidationInfo) -> float | None:
        limits = _limits(info)
        low, high = limits.cfg_scale_min, limits.cfg_scale_max
        if value is not None and (not math.isfinite(value) or not low <= value <= high):
            raise rule(f"must be between {limits.cfg_scale_min:g} and {limits.cfg_scale_max:g}")
        return value

    @field_validator("mode")
    @classmethod
    def _mode(cls, value: str | None) -> str:
        return _check_mode(value)

    @field_validator("duration", mode="before")
    @classmethod
    def _duration_shape(cls, value: Any) -> Any:
        return _normalise_duration(value)

    @field_validator("duration")
    @classmethod
    def _duration(cls, value: str | None, info: ValidationInfo) -> str:
        limits = _limits(info)
        if value is None:
            return "5"
        if limits.i2v_duration_only_5_10:
            if value not in ("5", "10"):
                raise rule(f'must be "5" or "10", got "{value}"')
        elif not limits.i2v_duration_min_s <= int(value) <= limits.i2v_duration_max_s:
            low, high = limits.i2v_duration_min_s, limits.i2v_duration_max_s
            raise rule(f'must be from "{low}" to "{high}", got "{value}"')
        return value

    @field_validator("dynamic_masks")
    @classmethod
    def _masks(cls, value: list[DynamicMask] | None, info: ValidationInfo) -> list[DynamicMask] | None:
        limits = _limits(info)
        if value is not None and len(value) > limits.dynamic_masks_max:
            raise rule(f"must have at most {limits.dynamic_masks_max} entries, got {len(value)}")
        return value or None

    @field_validator("shot_type")
    @classmethod
    def _shot_type(cls, value: str | None) -> str | None:
        if value is not None and value not in SHOT_TYPES:
            raise rule(f"must be one of {', '.join(SHOT_TYPES)}, got {value!r}")
        return value

    @field_validator("multi_prompt", "element_list", "voice_list")
    @classmethod
    def _list_caps(cls, value: list[Any] | None, info: ValidationInfo) -> list[Any] | None:
        """Each of these lists has a maximum length in the limits (``<field>_max`` below)."""
        cap = getattr(_limits(info), _LIST_CAPS[str(info.field_name)])
        if value is not None and len(value) > cap:
            raise rule(f"must have at most {cap} entries, got {len(value)}")
        return value or None

    @field_validator("sound")
    @classmethod
    def _sound(cls, value: str | None) -> str | None:
        if value is not None and value not in ("on", "off"):
            raise rule(f"must be on or off, got {value!r}")
        return value

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> Image2VideoCreate:
        limits = _limits(info)
        if self.image is None and (limits.require_i2v_image or self.image_tail is None):
            text = "is required" if limits.require_i2v_image else "image or image_tail is required"
            raise rule(text, "image")
        groups = {
            "image_tail": self.image_tail is not None,
            "static_mask/dynamic_masks": self.static_mask is not None or self.dynamic_masks is not None,
            "camera_control": self.camera_control is not None,
        }
        used = [name for name, present in groups.items() if present]
        if len(used) > 1:
            raise rule(
                f"cannot be combined with {used[0]}; image_tail, static_mask/dynamic_masks and "
                "camera_control are mutually exclusive",
                used[1].split("/")[0],
            )
        if self.multi_shot:
            if self.image_tail is not None:
                raise rule("is not supported when multi_shot is true", "image_tail")
            if self.shot_type is None:
                raise rule("is required when multi_shot is true", "shot_type")
            if self.shot_type == "customize":
                if not self.multi_prompt:
                    raise rule("is required when shot_type is customize", "multi_prompt")
                total = sum(int(p.duration or 0) for p in self.multi_prompt)
                if str(total) != self.duration:
                    text = f"durations must add up to duration {self.duration}, got {total}"
                    raise rule(text, "multi_prompt")
        if self.element_list and self.voice_list:
            raise rule("cannot be combined with element_list", "voice_list")
        if self.voice_list and "<<<voice_" in (self.prompt or "") and self.sound != "on":
            raise rule('must be "on" when the prompt references voice_list entries', "sound")
        return self


# --------------------------------------------------------------------------- video to audio


class VideoToAudioCreate(_Tail):
    """POST /v1/audio/video-to-audio (spec §4)."""

    video_id: IdStr = _f("id of a generated video, 3..20 s. Exactly one of video_id/video_url.")
    video_url: OptStr = _f("http(s) URL of an mp4/mov, <=100 MB, 3..20 s.")
    sound_effect_prompt: str | None = _f("<=200 chars.", maxLength=200)
    bgm_prompt: str | None = _f("Background music, <=200 chars.", maxLength=200)
    asmr_mode: bool = Field(False, description="Emphasise detailed close-up sound.")

    @field_validator("asmr_mode", mode="before")
    @classmethod
    def _asmr(cls, value: Any) -> Any:
        return False if value is None else value

    @field_validator("video_url")
    @classmethod
    def _url(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else check_http_url(value, _limits(info).url_max_chars)

    @field_validator("sound_effect_prompt", "bgm_prompt")
    @classmethod
    def _prompts(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _check_len(value, _limits(info).v2a_prompt_max_chars)

    @model_validator(mode="after")
    def _rules(self) -> VideoToAudioCreate:
        if (self.video_id is None) == (self.video_url is None):
            raise rule("exactly one of video_id and video_url must be set", "video_id")
        return self


# --------------------------------------------------------------------------- tts


class TtsCreate(_Body):
    """POST /v1/audio/tts (spec §5). ``voice_speed`` out of range is clamped, not rejected (S2, C4)."""

    model_config = _required("text", "voice_id")

    text: str | None = _f("Text to speak, <=1000 chars.", maxLength=1000)
    voice_id: OptStr = _f("A preset voice of voice_language.")
    voice_language: OptStr = _f("zh (default) or en.", validate_default=True, enum=["zh", "en"])
    voice_speed: Number | None = _f(
        "0.8..2.0, default 1.0; out-of-range values are clamped.", validate_default=True
    )

    @field_validator("voice_language")
    @classmethod
    def _language(cls, value: str | None) -> str:
        if value is None:
            return "zh"
        if value not in VOICES:
            raise rule(f"must be one of {', '.join(VOICES)}, got {value!r}")
        return value

    @field_validator("voice_speed")
    @classmethod
    def _speed(cls, value: float | None, info: ValidationInfo) -> float:
        limits = _limits(info)
        if value is None:
            return 1.0
        if not math.isfinite(value):
            raise rule("must be a finite number")
        return round(min(max(value, limits.tts_speed_min), limits.tts_speed_max), 1)

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> TtsCreate:
        limits = _limits(info)
        if not (self.text or "").strip():
            raise rule("is required", "text")
        if len(self.text or "") > limits.tts_text_max_chars:
            n = len(self.text or "")
            raise rule(f"must be at most {limits.tts_text_max_chars} characters, got {n}", "text")
        if self.voice_id is None:
            raise rule("is required", "voice_id")
        language = self.voice_language or "zh"
        if not is_known_voice(self.voice_id, language):
            raise rule(f"Voice id not found for voice_language {language!r}", "voice_id")
        return self


# --------------------------------------------------------------------------- entry points

ModelT = TypeVar("ModelT", bound=BaseModel)

_TYPE_RULES: dict[str, str] = {
    "missing": "is required",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_type": "must be a boolean",
    "bool_parsing": "must be a boolean",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be an array",
    "string_unicode": "must be a valid string",
}


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "body"


def error_from_validation(exc: ValidationError) -> KlingError:
    """Map the first pydantic error to ``"<field path>: <rule>"`` (code 1201); never pydantic's own text."""
    err = exc.errors(include_url=False, include_input=False)[0]
    loc = tuple(part for part in err["loc"] if not (isinstance(part, str) and part.startswith("function-")))
    ctx = err.get("ctx") or {}
    kind = err["type"]
    if kind == "kinema_rule":
        sub = str(ctx.get("sub", ""))
        if sub:
            loc = (*loc, *sub.split("."))
        text = str(ctx.get("rule", "invalid value"))
    elif kind in _TYPE_RULES:
        text = _TYPE_RULES[kind]
    elif kind == "value_error":
        text = str(ctx.get("error", "invalid value"))
    else:
        text = f"invalid value ({kind})"
    return invalid(_path(loc), text)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_request(model_cls: type[ModelT], raw: bytes | str, limits: Limits) -> ModelT:
    """Parse and validate one create body. 1200 for malformed JSON / non-object, 1201 for any rule."""
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise KlingError(Code.BAD_REQUEST, "request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise KlingError(Code.BAD_REQUEST, "request body must be a JSON object")
    try:
        return model_cls.model_validate(body, context={"limits": limits})
    except ValidationError as exc:
        raise error_from_validation(exc) from None


def parse_page(page_num: str | None, page_size: str | None, limits: Limits) -> tuple[int, int]:
    """``pageNum``/``pageSize`` query parameters: defaults 1 and ``page_size_default``; 1201 when bad."""

    def one(name: str, value: str | None, default: int, maximum: int) -> int:
        if value is None or not value.strip():
            return default
        text = value.strip()
        if not re.fullmatch(r"[+-]?\d{1,12}", text) or not 1 <= int(text) <= maximum:
            raise invalid(name, f"must be an integer from 1 to {maximum}, got {value!r}")
        return int(text)

    return (
        one("pageNum", page_num, 1, limits.page_num_max),
        one("pageSize", page_size, limits.page_size_default, limits.page_size_max),
    )


__all__ = [
    "CAMERA_AXES",
    "CAMERA_TYPES",
    "MODEL_NAMES",
    "MODES",
    "AvatarCreate",
    "CameraConfig",
    "CameraControl",
    "DynamicMask",
    "Element",
    "Image2VideoCreate",
    "MultiPrompt",
    "Trajectory",
    "TtsCreate",
    "VideoToAudioCreate",
    "VoiceRef",
    "WatermarkInfo",
    "check_media",
    "error_from_validation",
    "is_url",
    "parse_page",
    "parse_request",
]
