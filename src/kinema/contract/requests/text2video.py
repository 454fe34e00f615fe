"""The text-to-video create body (``POST …/videos/text2video``), with the official fields (2026 notes §1.4).

Text to video has no CPU engine: a create is served only when a text-to-video pipeline is configured for its
``model_name`` (``KINEMA_MODELS``, docs/gpu.md); the job layer answers 1203 otherwise. Limits are the
image-to-video ones (same prompt lengths, durations and camera rules), read from the limits in force.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, field_validator, model_validator

from kinema.contract.model_names import TEXT2VIDEO_MODELS, check_model
from kinema.contract.requests.fields import (
    MODES,
    Number,
    OptStr,
    WatermarkInfo,
    check_mode,
    one_of,
    optional,
    required_in_schema,
    rule,
)
from kinema.contract.requests.image2video import SHOT_TYPES, CameraControl, ClipBody, MultiPrompt

ASPECT_RATIOS: tuple[str, ...] = ("16:9", "9:16", "1:1")


class Text2VideoCreate(ClipBody):
    """POST /v1/videos/text2video."""

    model_config = required_in_schema("prompt")

    model_name: OptStr = Field(
        None,
        validation_alias=AliasChoices("model_name", "model"),
        validate_default=True,
        description="Model; default kling-v1. The older name `model` is accepted. Served only when this "
        "server has a text-to-video pipeline for it (KINEMA_MODELS), else code 1203.",
        json_schema_extra={"enum": list(TEXT2VIDEO_MODELS)},
    )
    prompt: str | None = optional("What happens in the clip, <=2500 chars.", maxLength=2500)
    negative_prompt: str | None = optional("<=2500 chars.", maxLength=2500)
    cfg_scale: Number | None = optional("Prompt adherence in [0, 1], default 0.5.", minimum=0, maximum=1)
    mode: OptStr = optional("std (default) or pro.", validate_default=True, enum=list(MODES))
    aspect_ratio: OptStr = optional(
        "16:9 (default), 9:16 or 1:1.", validate_default=True, enum=list(ASPECT_RATIOS)
    )
    duration: str | None = optional('Whole seconds as a string, default "5".', validate_default=True)
    camera_control: CameraControl | None = optional("Camera move (not honoured by the generative engines).")
    multi_shot: bool | None = optional("Multi-shot generation (not honoured by the generative engines).")
    shot_type: OptStr = optional("Required with multi_shot.", enum=list(SHOT_TYPES))
    multi_prompt: list[MultiPrompt] | None = optional("1..6 shots when shot_type is customize.", maxItems=6)
    sound: OptStr = optional("on or off (default).", enum=["on", "off"])
    watermark_info: WatermarkInfo | None = optional('{"enabled": bool}')

    @field_validator("model_name")
    @classmethod
    def _model(cls, value: str | None) -> str:
        return "kling-v1" if value is None else check_model(value, "text2video")




    @field_validator("mode")
    @classmethod
    def _mode(cls, value: str | None) -> str:
        return check_mode(value)

    @field_validator("aspect_ratio")
    @classmethod
    def _aspect(cls, value: str | None) -> str:
        return "16:9" if value is None else one_of(value, ASPECT_RATIOS)





    @model_validator(mode="after")
    def _rules(self) -> Text2VideoCreate:
        if not (self.prompt or "").strip() and not self.multi_shot:
            raise rule("is required", "prompt")
        if self.multi_shot:
            self._check_shots()
        return self
