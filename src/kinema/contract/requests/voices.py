"""The bodies of the custom-voice routes: ``POST …/general/custom-voices`` and ``…/general/delete-voices``.

They are parsed like every create body, so a malformed one gets the same ``"<field>: <rule>"`` 1201 as
anywhere else. A well-formed create is then refused by the route, since kinema cannot clone a voice
(:data:`~kinema.contract.voices.CLONING_UNSUPPORTED`); checking its shape first means a client learns about
its own mistakes before it learns about the server's limit.
"""

from __future__ import annotations

from pydantic import ValidationInfo, field_validator, model_validator

from kinema.contract.requests.fields import (
    AsyncBody,
    Body,
    IdStr,
    OptStr,
    check_http_url,
    limits_of,
    optional,
    required_in_schema,
    rule,
)
from kinema.contract.voices import CUSTOM_VOICE_NAME_MAX


class CustomVoiceCreate(AsyncBody):
    """POST /v1/general/custom-voices: a voice cloned from a 5–30 s recording or from a kinema video."""

    model_config = required_in_schema("voice_name")

    voice_name: str | None = optional(
        f"Name of the new voice, <={CUSTOM_VOICE_NAME_MAX} chars.", maxLength=CUSTOM_VOICE_NAME_MAX
    )
    voice_url: OptStr = optional("URL of a .mp3/.wav/.mp4/.mov recording, 5-30 s, one clean voice.")
    video_id: IdStr = optional("Id of a generated video whose speech to clone (instead of voice_url).")

    @field_validator("voice_url")
    @classmethod
    def _voice_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else check_http_url(value, limits_of(info).url_max_chars)

    @model_validator(mode="after")
    def _rules(self) -> CustomVoiceCreate:
        name = self.voice_name or ""
        if not name.strip():
            raise rule("is required", "voice_name")
        if len(name) > CUSTOM_VOICE_NAME_MAX:
            raise rule(f"must be at most {CUSTOM_VOICE_NAME_MAX} characters, got {len(name)}", "voice_name")
        if self.voice_url is None and self.video_id is None:
            raise rule("is required (or video_id)", "voice_url")
        if self.voice_url is not None and self.video_id is not None:
            raise rule("give voice_url or video_id, not both", "video_id")
        return self

    @property
    def source_field(self) -> str:
        """The field that names the voice to clone (what a refusal names)."""
        return "voice_url" if self.voice_url is not None else "video_id"


class DeleteVoice(Body):
    """POST /v1/general/delete-voices: delete one custom voice (preset voices cannot be deleted)."""

    model_config = required_in_schema("voice_id")

    voice_id: IdStr = optional("The custom voice to delete.")

    @model_validator(mode="after")
    def _rules(self) -> DeleteVoice:
        if self.voice_id is None:
            raise rule("is required", "voice_id")
        return self
