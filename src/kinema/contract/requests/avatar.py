"""The talking-avatar create body (``POST …/videos/avatar/image2video``, spec §2)."""

from __future__ import annotations

from pydantic import ValidationInfo, field_validator, model_validator

from kinema.contract.requests.fields import (
    MODES,
    AsyncBody,
    IdStr,
    MediaStr,
    OptStr,
    WatermarkInfo,
    check_len,
    check_mode,
    limits_of,
    optional,
    required_in_schema,
    rule,
)


class AvatarCreate(AsyncBody):
    """POST /v1/videos/avatar/image2video (spec §2)."""

    model_config = required_in_schema("image")

    image: MediaStr = optional(
        "Portrait: http(s) URL or raw base64 (jpg/jpeg/png, <=10 MB, sides >=300 px, aspect 1:2.5..2.5:1)."
    )
    audio_id: IdStr = optional(
        "id of a TTS result (audios[].id), 2..300 s. Exactly one of audio_id/sound_file."
    )
    sound_file: MediaStr = optional("http(s) URL or raw base64 of mp3/wav/m4a/aac, <=5 MB, 2..300 s.")
    prompt: str | None = optional("Actions, emotion and camera, <=2500 chars.", maxLength=2500)
    mode: OptStr = optional("std (default) or pro.", validate_default=True, enum=list(MODES))
    watermark_info: WatermarkInfo | None = optional('{"enabled": bool}')

    @field_validator("prompt")
    @classmethod
    def _prompt(cls, value: str | None, info: ValidationInfo) -> str | None:
        return check_len(value, limits_of(info).avatar_prompt_max_chars)

    @field_validator("mode")
    @classmethod
    def _mode(cls, value: str | None) -> str:
        return check_mode(value)

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> AvatarCreate:
        limits = limits_of(info)
        if self.image is None:
            raise rule("is required", "image")
        if (self.audio_id is None) == (self.sound_file is None):
            raise rule("exactly one of audio_id and sound_file must be set", "audio_id")
        if limits.require_avatar_prompt and not (self.prompt or "").strip():
            raise rule("is required", "prompt")
        return self
