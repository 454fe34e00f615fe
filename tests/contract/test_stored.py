"""The request as the task row keeps it: media become references to stored inputs, the worker gets the same
typed request back, older rows still load, and a row that breaks the rules in force names the rule."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kinema.contract.errors import KlingError
from kinema.contract.kinds import spec_for
from kinema.contract.limits import Limits, build_limits
from kinema.contract.parsing import parse_request
from kinema.contract.requests import AvatarCreate, Image2VideoCreate, VideoToAudioCreate
from kinema.contract.stored import StoredRequestError, request_from_row, stored_request

B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
URL = "https://cdn.example.com/a.png"
TRAJ = [{"x": 1, "y": 2}, {"x": 3, "y": 4}]


def parse(kind: str, body: dict[str, Any], limits: Limits | None = None) -> Any:
    return parse_request(spec_for(kind).request, json.dumps(body), limits or Limits())


def test_media_become_input_references_and_row_columns_stay_out() -> None:
    req = parse(
        "image2video",
        {
            "image": B64,
            "static_mask": URL,
            "dynamic_masks": [{"mask": B64, "trajectories": TRAJ}, {"mask": URL, "trajectories": TRAJ}],
            "callback_url": "https://hook.example/x",
            "external_task_id": "ext-1",
            "prompt": "wind",
        },
    )
    stored = stored_request(spec_for("image2video"), req)
    assert stored["image"] == "input:image" and stored["static_mask"] == "input:static_mask"
    assert [m["mask"] for m in stored["dynamic_masks"]] == ["input:dynamic_mask_0", "input:dynamic_mask_1"]
    assert stored["dynamic_masks"][1]["trajectories"] == TRAJ and stored["prompt"] == "wind"
    assert stored["image_tail"] is None and stored["duration"] == "5" and stored["mode"] == "std"
    assert "callback_url" not in stored and "external_task_id" not in stored
    assert B64 not in json.dumps(stored)  # no payload in the row


@pytest.mark.parametrize(
    ("kind", "body", "refs"),
    [
        (
            "avatar",
            {"image": B64, "sound_file": URL, "prompt": "nod"},
            {"image": "image", "sound_file": "audio"},
        ),
        ("avatar", {"image": B64, "audio_id": 42}, {"image": "image"}),
        (
            "image2video",
            {"image_tail": B64, "duration": 10, "mode": "pro", "model_name": "kling-v2-1"},
            {"image_tail": "image_tail"},
        ),
        ("video_to_audio", {"video_url": URL, "asmr_mode": True}, {"video_url": "video"}),
        ("video_to_audio", {"video_id": "7", "bgm_prompt": "jazz"}, {}),
        ("tts", {"text": "hello", "voice_id": "oversea_male1", "voice_language": "en"}, {}),
    ],
)
def test_the_worker_gets_the_same_request_back(kind: str, body: dict[str, Any], refs: dict[str, str]) -> None:
    req = parse(kind, body)
    spec = spec_for(kind)
    inputs = {name: f"acct/inputs/x-{name}" for name in refs.values()}
    back = request_from_row(kind, stored_request(spec, req), inputs, Limits())
    assert type(back) is spec.request
    expected = req.model_dump(exclude={"callback_url", "external_task_id"})
    expected.update({field: f"input:{name}" for field, name in refs.items()})
    assert back.model_dump(exclude={"callback_url", "external_task_id"}) == expected


def test_a_client_cannot_send_an_input_reference() -> None:
    with pytest.raises(KlingError, match=r"^image: must be an http\(s\) URL or base64 data"):
        parse("avatar", {"image": "input:image", "audio_id": "1"})


def test_a_payload_in_a_stored_row_is_refused() -> None:
    with pytest.raises(StoredRequestError, match=r"image: must reference a stored input"):
        request_from_row("avatar", {"image": B64, "audio_id": "1"}, {"image": "k"}, Limits())


def test_rows_written_before_requests_were_stored_whole_still_load() -> None:
    """The old params: the model dump without media fields; dynamic_masks reduced to their trajectories."""
    avatar = {"audio_id": None, "prompt": "smile", "mode": "pro", "watermark_info": None}
    got = request_from_row("avatar", avatar, {"image": "k1", "audio": "k2"}, Limits())
    assert isinstance(got, AvatarCreate)
    assert (got.image, got.sound_file, got.mode) == ("input:image", "input:audio", "pro")
    by_id = request_from_row("avatar", {**avatar, "audio_id": "9"}, {"image": "k", "audio": "a"}, Limits())
    assert isinstance(by_id, AvatarCreate) and by_id.sound_file is None and by_id.audio_id == "9"

    i2v = {"model_name": "kling-v1", "mode": "std", "duration": "5", "prompt": "x", "dynamic_masks": []}
    i2v["dynamic_masks"] = [{"trajectories": TRAJ}]
    got = request_from_row(
        "image2video", i2v, {"image": "k", "static_mask": "s", "dynamic_mask_0": "m"}, Limits()
    )
    assert isinstance(got, Image2VideoCreate) and got.dynamic_masks
    assert (got.image, got.static_mask, got.dynamic_masks[0].mask) == (
        "input:image",
        "input:static_mask",
        "input:dynamic_mask_0",
    )

    v2a = {"video_id": None, "sound_effect_prompt": "rain", "bgm_prompt": None, "asmr_mode": False}
    got = request_from_row("video_to_audio", v2a, {"video": "k"}, Limits())
    assert isinstance(got, VideoToAudioCreate) and got.video_url == "input:video"


def test_a_row_that_breaks_the_limits_in_force_names_the_rule() -> None:
    raised = build_limits("kling", overrides={"i2v_duration_max_s": 20})
    stored = stored_request(
        spec_for("image2video"),
        parse("image2video", {"image": B64, "duration": "20", "model_name": "kling-v3"}, raised),
    )
    assert request_from_row("image2video", stored, {"image": "k"}, raised)
    with pytest.raises(StoredRequestError) as err:
        request_from_row("image2video", stored, {"image": "k"}, Limits())
    assert str(err.value) == (
        'the request no longer passes this server\'s limits: duration: must be from "3" to "15", got "20"'
    )


def test_an_unknown_kind_is_a_stored_request_error() -> None:
    with pytest.raises(StoredRequestError, match="unknown task kind 'no_such_kind'"):
        request_from_row("no_such_kind", {}, {}, Limits())
