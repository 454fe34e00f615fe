"""The video-to-audio create body (``POST …/audio/video-to-audio``, spec §4)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from kinema.contract.requests.fields import (
    AsyncBody,
    IdStr,
    MediaUrl,
    check_len,
    limits_of,
    optional,
    rule,
)


class VideoToAudioCreate(AsyncBody):
    """POST /v1/audio/video-to-audio (spec §4)."""

    video_id: IdStr = optional("id of a generated video, 3..20 s. Exactly one of video_id/video_url.")
    video_url: MediaUrl = optional("http(s) URL of an mp4/mov, <=100 MB, 3..20 s.")
    sound_effect_prompt: str | None = optional("<=200 chars.", maxLength=200)
    bgm_prompt: str | None = optional("Background music, <=200 chars.", maxLength=200)
    asmr_mode: bool = Field(False, description="Emphasise detailed close-up sound.")

    @field_validator("asmr_mode", mode="before")
    @classmethod
    def _asmr(cls, value: Any) -> Any:
        return False if value is None else value

    @field_validator("sound_effect_prompt", "bgm_prompt")
    @classmethod
    def _prompts(cls, value: str | None, info: ValidationInfo) -> str | None:
        return check_len(value, limits_of(info).v2a_prompt_max_chars)

    @model_validator(mode="after")
    def _rules(self) -> VideoToAudioCreate:
        if (self.video_id is None) == (self.video_url is None):
            raise rule("exactly one of video_id and video_url must be set", "video_id")
        return self
