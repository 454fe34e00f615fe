"""A model an endpoint does not serve is code 1203 (HTTP 404) naming the model, not a 1201 (issue 14,
item 3)."""

from __future__ import annotations

import json

import pytest

from kinema.contract.errors import Code, KlingError
from kinema.contract.limits import Limits
from kinema.contract.model_names import IMAGE2VIDEO_MODELS, MODELS_BY_ENDPOINT, check_model
from kinema.contract.parsing import parse_request
from kinema.contract.requests import Image2VideoCreate

I2V = {"image": "https://example.com/a.png"}


def _refusal(body: dict[str, object]) -> KlingError:
    with pytest.raises(KlingError) as info:
        parse_request(Image2VideoCreate, json.dumps(body), Limits())
    return info.value


@pytest.mark.parametrize("name", IMAGE2VIDEO_MODELS)
def test_every_listed_model_is_accepted(name: str) -> None:
    req = parse_request(
        Image2VideoCreate, f'{{"image": "https://e.com/a.png", "model_name": "{name}"}}', Limits()
    )
    assert req.model_name == name


@pytest.mark.parametrize(
    ("field", "name", "why"),
    [
        ("model_name", "kling-v9", "does not exist or is retired"),
        ("model", "kling-v0-legacy", "does not exist or is retired"),  # the older field name is named as sent
        ("model_name", "kling-video-o1", "is served by omni-video only"),
        ("model_name", "KLING-V1", "does not exist or is retired"),  # names are case-sensitive upstream
    ],
)
def test_unknown_model_is_1203_naming_it(field: str, name: str, why: str) -> None:
    err = _refusal({**I2V, field: name})
    assert err.code == Code.NOT_FOUND and err.http_status == 404
    assert err.message.startswith(f"{field}: model {name!r} {why}; image2video serves kling-v1, ")


def test_unknown_model_outranks_other_faults() -> None:
    err = _refusal({"model_name": "kling-v9", "mode": "turbo"})  # no image and a bad mode as well
    assert err.code == Code.NOT_FOUND and "'kling-v9'" in err.message


def test_a_non_string_model_is_still_a_1201() -> None:
    err = _refusal({**I2V, "model_name": 3})
    assert err.code == Code.INVALID_PARAM and err.message == "model_name: must be a string"


def test_the_table_lists_every_model_once_per_endpoint() -> None:
    for endpoint, names in MODELS_BY_ENDPOINT.items():
        assert len(set(names)) == len(names), endpoint
        assert check_model(names[0], endpoint) == names[0]
