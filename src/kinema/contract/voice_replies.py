"""The replies of the voice routes (``GET …/general/presets-voices``, ``GET …/general/custom-voices``), as
pydantic models: they document those replies in ``/openapi.json`` and type them in the SDK.

Upstream's voice lists reuse the task object's outline (K1, 2026 notes §1.4): ``data`` is a list of entries,
each ``{task_id, task_status, task_status_msg, task_result: {voices: [...]}, created_at, updated_at}`` with
one voice in ``voices``. A preset voice was never made by a task, so its entry's ``task_id`` is a stable
name of the voice (``preset-<language>-<voice_id>``) and its times are those of the voice catalogue.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from kinema.contract.responses import EpochMs, Reply, _Reply
from kinema.contract.voices import CATALOGUE_TIME_MS, PRESET_OWNER, PresetVoice


class VoiceEntry(_Reply):
    """One voice in ``task_result.voices``."""

    voice_id: str = Field(description="The id TTS (`voice_id`), lip-sync and `voice_list` take.")
    voice_name: str = Field(description="Display name (Chinese for zh voices, English for en voices).")
    trial_url: str = Field(
        description="A short sample of the voice saying a fixed sentence in its language (MP3, signed and "
        "expiring). On this server it is synthesised by kinema's own TTS the first time it is fetched."
    )
    owned_by: str = Field(description='"kling" for the preset library, else the creator\'s id.')
    voice_language: Literal["zh", "en"] | SkipJsonSchema[None] = Field(
        None,
        description="kinema extension, always sent by kinema: the `voice_language` this voice speaks (an id "
        "listed for both languages appears once per language). Strict clients ignore it.",
    )


class VoiceResult(_Reply):
    """``task_result`` of a voice entry: the one voice."""

    voices: list[VoiceEntry]


class VoiceListItem(_Reply):
    """One entry of a voice list (the task object's outline, as upstream sends it)."""

    task_id: str = Field(description='A preset voice\'s stable name: "preset-<language>-<voice_id>".')
    task_status: Literal["succeed"] = Field(description="Listed voices are ready to use.")
    task_status_msg: str = Field(description='"" for a ready voice.')
    task_result: VoiceResult
    created_at: EpochMs
    updated_at: EpochMs


class VoiceListReply(Reply[list[VoiceListItem]]):
    """A page of voices, in the voice sheet's order (zh, then en); empty past the last page."""


def preset_entry(voice: PresetVoice, trial_url: str) -> dict[str, Any]:
    """The list entry of one preset voice, as the routes send it (key order as upstream's)."""
    return {
        "task_id": f"preset-{voice.voice_language}-{voice.voice_id}",
        "task_status": "succeed",
        "task_status_msg": "",
        "task_result": {
            "voices": [
                {
                    "voice_id": voice.voice_id,
                    "voice_name": voice.voice_name,
                    "trial_url": trial_url,
                    "owned_by": PRESET_OWNER,
                    "voice_language": voice.voice_language,
                }
            ]
        },
        "created_at": CATALOGUE_TIME_MS,
        "updated_at": CATALOGUE_TIME_MS,
    }
