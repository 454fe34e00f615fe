"""The image-to-video create body (``POST …/videos/image2video``, spec §3) and its nested objects."""

from __future__ import annotations

import math
from typing import Any

from pydantic import AliasChoices, Field, ValidationInfo, field_validator, model_validator

from kinema.contract.capabilities import duration_unsupported, unsupported
from kinema.contract.limits import Limits
from kinema.contract.model_names import IMAGE2VIDEO_MODELS, check_model
from kinema.contract.requests.fields import (
    MODES,
    Body,
    Int,
    MediaStr,
    Number,
    OptStr,
    VideoPromptBody,
    WatermarkInfo,
    check_mode,
    limits_of,
    one_of,
    optional,
    required_in_schema,
    rule,
)

MODEL_NAMES: tuple[str, ...] = IMAGE2VIDEO_MODELS
CAMERA_TYPES: tuple[str, ...] = (
    "simple",
    "down_back",
    "forward_up",
    "right_turn_forward",
    "left_turn_forward",
)
CAMERA_AXES: tuple[str, ...] = ("horizontal", "vertical", "pan", "tilt", "roll", "zoom")
SHOT_TYPES: tuple[str, ...] = ("customize", "intelligence")


class Trajectory(Body):
    x: Int
    y: Int


class DynamicMask(Body):
    model_config = required_in_schema("mask", "trajectories")
    mask: MediaStr = optional("Motion-brush area: http(s) URL or raw base64 (jpg/jpeg/png).")
    trajectories: list[Trajectory] | None = optional(
        "2..77 points {x, y} in pixels, origin bottom-left.", minItems=2, maxItems=77
    )

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> DynamicMask:
        limits = limits_of(info)
        if self.mask is None:
            raise rule("is required", "mask")
        n = len(self.trajectories or [])
        if not limits.trajectory_min_points <= n <= limits.trajectory_max_points:
            raise rule(
                f"must have {limits.trajectory_min_points} to {limits.trajectory_max_points} points, got {n}",
                "trajectories",
            )
        return self


class CameraConfig(Body):
    horizontal: Number | None = None
    vertical: Number | None = None
    pan: Number | None = None
    tilt: Number | None = None
    roll: Number | None = None
    zoom: Number | None = None

    @field_validator(*CAMERA_AXES)
    @classmethod
    def _range(cls, value: float | None, info: ValidationInfo) -> float | None:
        limits = limits_of(info)
        if value is not None and (
            not math.isfinite(value) or not limits.camera_value_min <= value <= limits.camera_value_max
        ):
            raise rule(f"must be between {limits.camera_value_min:g} and {limits.camera_value_max:g}")
        return value

    def nonzero_axes(self) -> list[str]:
        return [axis for axis in CAMERA_AXES if getattr(self, axis)]


class CameraControl(Body):
    model_config = required_in_schema("type")
    type: OptStr = optional("Camera move.", enum=list(CAMERA_TYPES))
    config: CameraConfig | None = optional("Only for type simple: exactly one non-zero axis in [-10, 10].")

    @field_validator("type")
    @classmethod
    def _type(cls, value: str | None) -> str | None:
        return None if value is None else one_of(value, CAMERA_TYPES)

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


class MultiPrompt(Body):
    index: Int | None = None
    prompt: str | None = None
    duration: str | None = None

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return _normalise_duration(value)

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> MultiPrompt:
        limits = limits_of(info)
        if not (self.prompt or "").strip():
            raise rule("is required", "prompt")
        n, cap = len(self.prompt or ""), limits.multi_prompt_prompt_max_chars
        if n > cap:
            raise rule(f"must be at most {cap} characters, got {n}", "prompt")
        if self.duration is None or int(self.duration) < 1:
            raise rule("is required and must be at least 1", "duration")
        return self


class Element(Body):
    element_id: int | str | None = None

    @model_validator(mode="after")
    def _rules(self) -> Element:
        if self.element_id is None or self.element_id == "":
            raise rule("is required", "element_id")
        return self


class VoiceRef(Body):
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


class ClipBody(VideoPromptBody):
    """The rules image to video and text to video share (one place): ``duration`` (a string of whole seconds
    within the limits profile's range), ``sound``, ``shot_type`` and the multi-shot fields that go with it.
    Each subclass declares the fields with its own descriptions."""

    @field_validator("duration", mode="before", check_fields=False)
    @classmethod
    def _duration_shape(cls, value: Any) -> Any:
        return _normalise_duration(value)

    @field_validator("duration", check_fields=False)
    @classmethod
    def _duration(cls, value: str | None, info: ValidationInfo) -> str:
        limits = limits_of(info)
        if value is None:
            return "5"
        if limits.i2v_duration_only_5_10:
            if value not in ("5", "10"):
                raise rule(f'must be "5" or "10", got "{value}"')
        elif not limits.i2v_duration_min_s <= int(value) <= limits.i2v_duration_max_s:
            low, high = limits.i2v_duration_min_s, limits.i2v_duration_max_s
            raise rule(f'must be from "{low}" to "{high}", got "{value}"')
        return value

    @field_validator("shot_type", check_fields=False)
    @classmethod
    def _shot_type(cls, value: str | None) -> str | None:
        return None if value is None else one_of(value, SHOT_TYPES)

    @field_validator("sound", check_fields=False)
    @classmethod
    def _sound(cls, value: str | None) -> str | None:
        if value is not None and value not in ("on", "off"):
            raise rule(f"must be on or off, got {value!r}")
        return value

    def _check_shots(self) -> None:
        """With ``multi_shot``: a ``shot_type``; ``intelligence`` cuts the prompt, so it needs one;
        ``customize`` needs ``multi_prompt`` whose durations add up to ``duration`` (as upstream checks)."""
        prompt, shot_type = getattr(self, "prompt", None), getattr(self, "shot_type", None)
        if shot_type is None:
            raise rule("is required when multi_shot is true", "shot_type")
        if shot_type == "intelligence" and not (prompt or "").strip():
            raise rule("is required when shot_type is intelligence (it is cut into the shots)", "prompt")
        if shot_type == "customize":
            shots = getattr(self, "multi_prompt", None)
            if not shots:
                raise rule("is required when shot_type is customize", "multi_prompt")
            total = sum(int(p.duration or 0) for p in shots)
            duration = getattr(self, "duration", None)
            if str(total) != duration:
                raise rule(f"durations must add up to duration {duration}, got {total}", "multi_prompt")


_LIST_CAPS = {
    "multi_prompt": "multi_prompt_max",
    "element_list": "element_list_max",
    "voice_list": "voice_list_max",
}


class Image2VideoCreate(ClipBody):
    """POST /v1/videos/image2video (spec §3)."""

    model_name: OptStr = Field(
        None,
        validation_alias=AliasChoices("model_name", "model"),
        validate_default=True,
        description="Model; default kling-v1. The older name `model` is accepted. "
        "A name not listed here: code 1203 (HTTP 404).",
        json_schema_extra={"enum": list(MODEL_NAMES)},
    )
    image: MediaStr = optional(
        "First frame: http(s) URL or raw base64 (jpg/jpeg/png, <=10 MB, sides >=300 px, aspect 1:2.5..2.5:1)."
    )
    image_tail: MediaStr = optional(
        "Last frame: http(s) URL or raw base64 (jpg/jpeg/png, <=10 MB, sides >=300 px)."
    )
    prompt: str | None = optional("<=2500 chars (500 on the cometapi profile).", maxLength=2500)
    negative_prompt: str | None = optional("<=2500 chars (200 on the cometapi profile).", maxLength=2500)
    cfg_scale: Number | None = optional("Prompt adherence in [0, 1], default 0.5.", minimum=0, maximum=1)
    mode: OptStr = optional("std (default) or pro.", validate_default=True, enum=list(MODES))
    duration: str | None = optional(
        'Whole seconds as a string, default "5": "5" or "10", or "3".."15" on kling-v3 (strict: 5 or 10).',
        validate_default=True,
    )
    static_mask: MediaStr = optional("Motion-brush static area (same aspect as image).")
    dynamic_masks: list[DynamicMask] | None = optional("<=6 motion-brush groups.", maxItems=6)
    camera_control: CameraControl | None = optional("Camera move; excludes image_tail and masks.")
    multi_shot: bool | None = optional(
        "kling-v3: the clip is cut into shots (hard cuts), each with its own prompt-driven motion."
    )
    shot_type: OptStr = optional(
        "Required with multi_shot: customize (multi_prompt) or intelligence (prompt cut at sentences and "
        '"then", equal lengths).',
        enum=list(SHOT_TYPES),
    )
    multi_prompt: list[MultiPrompt] | None = optional(
        "1..6 shots {index, prompt, duration} when shot_type is customize; durations add up to duration "
        "(prompt is then ignored).",
        maxItems=6,
    )
    element_list: list[Element] | None = optional("<=3 {element_id}.", maxItems=3)
    voice_list: list[VoiceRef] | None = optional("<=2 {voice_id}, referenced as <<<voice_1>>>.", maxItems=2)
    sound: OptStr = optional("on or off (default).", enum=["on", "off"])
    watermark_info: WatermarkInfo | None = optional('{"enabled": bool}')

    @field_validator("model_name")
    @classmethod
    def _model(cls, value: str | None) -> str:
        return "kling-v1" if value is None else check_model(value, "image2video")




    @field_validator("mode")
    @classmethod
    def _mode(cls, value: str | None) -> str:
        return check_mode(value)



    @field_validator("dynamic_masks")
    @classmethod
    def _masks(cls, value: list[DynamicMask] | None, info: ValidationInfo) -> list[DynamicMask] | None:
        limits = limits_of(info)
        if value is not None and len(value) > limits.dynamic_masks_max:
            raise rule(f"must have at most {limits.dynamic_masks_max} entries, got {len(value)}")
        return value or None


    @field_validator("multi_prompt", "element_list", "voice_list")
    @classmethod
    def _list_caps(cls, value: list[Any] | None, info: ValidationInfo) -> list[Any] | None:
        """Each of these lists has a maximum length in the limits (``<field>_max`` below)."""
        cap = getattr(limits_of(info), _LIST_CAPS[str(info.field_name)])
        if value is not None and len(value) > cap:
            raise rule(f"must have at most {cap} entries, got {len(value)}")
        return value or None


    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> Image2VideoCreate:
        """The rules across fields, in the order a client reads them: inputs, controls, shots, voices."""
        self._check_first_frame(limits_of(info))
        self._check_one_control()
        self._check_multi_shot()
        if self.element_list and self.voice_list:
            raise rule("cannot be combined with element_list", "voice_list")
        if self.voice_list and "<<<voice_" in (self.prompt or "") and self.sound != "on":
            raise rule('must be "on" when the prompt references voice_list entries', "sound")
        self._check_capabilities()
        return self

    def _check_capabilities(self) -> None:
        """The model, mode and duration must offer every feature used (contract/capabilities.py)."""
        model, mode, duration = self.model_name or "kling-v1", self.mode or "std", self.duration or "5"
        why = duration_unsupported(model, mode, duration)
        if why is not None:
            raise rule(why, "duration")
        for feature, fieldname in self._features_used():
            why = unsupported(model, feature, mode, duration)
            if why is not None:
                raise rule(why, fieldname)

    def _features_used(self) -> list[tuple[str, str]]:
        """(capability feature, the request field that asks for it) for each feature this request uses."""
        brush = "dynamic_masks" if self.dynamic_masks is not None else "static_mask"
        present = {
            ("image_tail", "image_tail"): self.image_tail is not None,
            ("motion_brush", brush): self.static_mask is not None or self.dynamic_masks is not None,
            ("camera_control", "camera_control"): self.camera_control is not None,
            ("sound", "sound"): self.sound == "on",
            ("multi_shot", "multi_shot"): bool(self.multi_shot),
            ("element_list", "element_list"): bool(self.element_list),
            ("voice_list", "voice_list"): bool(self.voice_list),
        }
        return [pair for pair, used in present.items() if used]

    def _check_first_frame(self, limits: Limits) -> None:
        if self.image is None and (limits.require_i2v_image or self.image_tail is None):
            text = "is required" if limits.require_i2v_image else "image or image_tail is required"
            raise rule(text, "image")

    def _check_one_control(self) -> None:
        """A last frame, the motion brush and a camera move are mutually exclusive."""
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

    def _check_multi_shot(self) -> None:
        if not self.multi_shot:
            return
        if self.image_tail is not None:
            raise rule("is not supported when multi_shot is true", "image_tail")
        self._check_shots()
