"""Image to video and text to video share their clip rules (``ClipBody``): duration, sound and the multi-shot
fields are refused the same way, naming the same field, on both kinds."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from kinema.contract.errors import KlingError
from kinema.contract.limits import PROFILES
from kinema.contract.parsing import parse_request
from kinema.contract.requests import Image2VideoCreate, Text2VideoCreate

KINDS: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (Image2VideoCreate, {"image": "https://example.com/a.png", "model_name": "kling-v3"}),
    (Text2VideoCreate, {"prompt": "a cat dances", "model_name": "kling-v3"}),
]
SHOTS = {"multi_shot": True, "shot_type": "customize", "duration": "5"}


@pytest.mark.parametrize(("model", "base"), KINDS, ids=["image2video", "text2video"])
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"duration": "99"}, "duration"),
        ({"duration": "4.5"}, "duration"),
        ({"sound": "loud"}, "sound"),
        ({"multi_shot": True}, "shot_type"),
        ({"multi_shot": True, "shot_type": "random"}, "shot_type"),
        ({**SHOTS}, "multi_prompt"),
        ({**SHOTS, "multi_prompt": [{"index": 1, "prompt": "a", "duration": "2"}]}, "multi_prompt"),
        ({"multi_shot": True, "shot_type": "intelligence", "prompt": ""}, "prompt"),
    ],
)
def test_both_kinds_refuse_the_same_clip_fields(
    model: type[BaseModel], base: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    with pytest.raises(KlingError) as err:
        parse_request(model, json.dumps({**base, **body}), PROFILES["kling"])
    assert err.value.code == 1201 and err.value.message.startswith(f"{field}:"), err.value.message


@pytest.mark.parametrize(("model", "base"), KINDS, ids=["image2video", "text2video"])
def test_both_kinds_take_a_number_for_duration_and_default_to_5(model: type[BaseModel], base: dict) -> None:
    assert (
        parse_request(model, json.dumps({**base, "duration": 7}), PROFILES["kling"]).duration
        == "7"
    )
    assert parse_request(model, json.dumps(base), PROFILES["kling"]).duration == "5"
