"""The text-to-speech create body (``POST …/audio/tts``, spec §5)."""

from __future__ import annotations

import math

from pydantic import ValidationInfo, field_validator, model_validator

from kinema.contract.requests.fields import (
    Body,
    Number,
    OptStr,
    limits_of,
    one_of,
    optional,
    required_in_schema,
    rule,
)
from kinema.contract.voices import VOICES, is_known_voice


class TtsCreate(Body):
    """POST /v1/audio/tts (spec §5). ``voice_speed`` out of range is clamped, not rejected (S2, C4)."""

    model_config = required_in_schema("text", "voice_id")

    text: str | None = optional("Text to speak, <=1000 chars.", maxLength=1000)
    voice_id: OptStr = optional("A preset voice of voice_language.")
    voice_language: OptStr = optional("zh (default) or en.", validate_default=True, enum=["zh", "en"])
    voice_speed: Number | None = optional(
        "0.8..2.0, default 1.0; out-of-range values are clamped.", validate_default=True
    )

    @field_validator("voice_language")
    @classmethod
    def _language(cls, value: str | None) -> str:
        return "zh" if value is None else one_of(value, tuple(VOICES))

    @field_validator("voice_speed")
    @classmethod
    def _speed(cls, value: float | None, info: ValidationInfo) -> float:
        limits = limits_of(info)
        if value is None:
            return 1.0
        if not math.isfinite(value):
            raise rule("must be a finite number")
        return round(min(max(value, limits.tts_speed_min), limits.tts_speed_max), 1)

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> TtsCreate:
        limits = limits_of(info)
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
