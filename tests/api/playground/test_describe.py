"""The playground's description (``kinema.api.playground.describe``): forms come from the kind table, the
request models' schemas and the limits in force, so a new kind needs no page code."""

from __future__ import annotations

from kinema.api.playground.describe import describe, describe_kind
from kinema.contract.kinds import AVATAR, KINDS, TTS, KindSpec, MediaField
from kinema.contract.limits import build_limits
from kinema.contract.requests.fields import AsyncBody, MediaStr, optional
from kinema.contract.vocabulary import TaskKind


def _kind(description: dict, name: str) -> dict:
    return next(k for k in description["kinds"] if k["kind"] == name)


def test_each_kind_carries_its_request_schema_and_media_rules() -> None:
    data = describe(build_limits("kling"), None)
    assert data["prefix"] == "/kling/v1" and data["dev_key"] is None
    for spec in KINDS.values():
        kind = _kind(data, str(spec.kind))
        assert kind["path"] == spec.path and kind["synchronous"] == spec.synchronous
        assert set(kind["schema"]["properties"]) == {
            f.alias or name for name, f in spec.request.model_fields.items()
        }
        assert [m["path"] for m in kind["media"]] == [m.path for m in spec.media]
    avatar = _kind(data, "avatar")
    image, sound = avatar["media"]
    assert image["accept"] == "image/jpeg,image/png,image/webp" and image["max_bytes"] == 10 * 1024 * 1024
    assert sound["duration_s"] == [2.0, 300.0] and "audio/wav" in sound["accept"]
    assert avatar["reuse"] == [{"field": "audio_id", "role": "audio", "duration_s": [2.0, 300.0]}]
    assert avatar["shared_fields"] == ["callback_url", "external_task_id"]


def test_the_numbers_are_the_limits_in_force() -> None:
    narrow = build_limits("cometapi", strict=True)
    avatar = describe_kind(AVATAR, narrow)
    assert avatar["media"][1]["duration_s"] == [2.0, 60.0]
    assert "webp" not in avatar["media"][0]["formats"]  # strict: documented formats only
    assert describe(narrow, None)["limits"]["i2v_prompt_max_chars"] == 500


def test_tts_offers_the_preset_voices_and_has_no_shared_fields() -> None:
    tts = describe_kind(TTS, build_limits("kling"))
    assert "oversea_male1" in tts["suggestions"]["voice_id"] and tts["shared_fields"] == []


class _EchoCreate(AsyncBody):
    """A request model no page code knows about."""

    clip: MediaStr = optional("A clip.")
    loudness: float | None = optional("How loud.")


def test_a_new_kind_is_described_from_its_row_alone() -> None:
    spec = KindSpec(
        kind=TaskKind.TEXT_TO_AUDIO,  # any member: the description reads the row, not the enum
        path="/audio/echo",
        request=_EchoCreate,
        summary="Echo",
        results=("audios",),
        media=(MediaField("clip", "clip", "video"),),
    )
    echo = describe_kind(spec, build_limits("kling"))
    assert echo["path"] == "/audio/echo" and echo["media"][0]["kind"] == "video"
    assert set(echo["schema"]["properties"]) == {"callback_url", "external_task_id", "clip", "loudness"}
    assert {"type": "number"} in echo["schema"]["properties"]["loudness"]["anyOf"]
