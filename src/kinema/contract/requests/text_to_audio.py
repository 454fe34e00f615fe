"""The text-to-audio create body (``POST …/audio/text-to-audio``): a prompt and a length in seconds.

Upstream takes ``duration`` as a JSON number from 3.0 to 10.0 with at most one decimal; a second decimal
is rejected rather than rounded, so the audio is never a length the caller did not ask for.
"""

from __future__ import annotations

import math

from pydantic import ValidationInfo, field_validator, model_validator

from kinema.contract.requests.fields import (
    AsyncBody,
    Number,
    limits_of,
    optional,
    required_in_schema,
    rule,
)


class TextToAudioCreate(AsyncBody):
    """POST /v1/audio/text-to-audio."""

    model_config = required_in_schema("prompt", "duration")

    prompt: str | None = optional("The sounds and/or music to make, <=200 chars.", maxLength=200)
    duration: Number | None = optional(
        "Length in seconds, 3.0..10.0, at most one decimal.", minimum=3.0, maximum=10.0, multipleOf=0.1
    )

    @field_validator("duration")
    @classmethod
    def _duration(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is None:
            return None
        limits = limits_of(info)
        low, high = limits.t2a_duration_min_s, limits.t2a_duration_max_s
        if not math.isfinite(value) or not low <= value <= high:
            raise rule(f"must be between {low:.1f} and {high:.1f} seconds, got {value:g}")
        if abs(value * 10 - round(value * 10)) > 1e-6:
            raise rule(f"must have at most one decimal, got {value:g}")
        return round(value, 1)

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> TextToAudioCreate:
        if not (self.prompt or "").strip():
            raise rule("is required", "prompt")
        limit = limits_of(info).t2a_prompt_max_chars
        if len(self.prompt or "") > limit:
            raise rule(f"must be at most {limit} characters, got {len(self.prompt or '')}", "prompt")
        if self.duration is None:
            raise rule("is required", "duration")
        return self
