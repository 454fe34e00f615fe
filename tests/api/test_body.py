"""Request bodies: text no store can hold (lone surrogates, NUL) is a 1201 naming the field, before anything
is stored; the byte pre-scan never lets such text through, whatever the spelling or encoding."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from kinema.accounts import create_api_key
from kinema.api.body import NUL_RULE, check_text, find_bad_text, may_hold_bad_text
from kinema.contract.errors import Code, KlingError
from tests.api.media import png_b64
from tests.api.server import Server

I2V = "/kling/v1/videos/image2video"
JSON = {"content-type": "application/json"}


def _spellings(value: object) -> list[bytes]:
    """Every way a client can put ``value`` on the wire that Python's JSON reader accepts."""
    ascii_text = json.dumps(value)  # escapes: \\udfff, \\u0000
    raw_text = json.dumps(value, ensure_ascii=False)
    return [
        ascii_text.encode(),
        re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), ascii_text).encode(),
        raw_text.encode("utf-8", "surrogatepass"),  # the UTF-8 bytes of a surrogate
        raw_text.encode("utf-16", "surrogatepass"),  # with a byte-order mark
        raw_text.encode("utf-16-le", "surrogatepass"),
        raw_text.encode("utf-16-be", "surrogatepass"),
        raw_text.encode("utf-32", "surrogatepass"),
    ]


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"external_task_id": "x\udfffy"}, "external_task_id"),
        ({"callback_url": "http://example.com/\ud800"}, "callback_url"),
        ({"prompt": "a\x00b"}, "prompt"),
        ({"dynamic_masks": [{"mask": "ok"}, {"mask": "iVBOR\udc00"}]}, "dynamic_masks[1].mask"),
        ({"camera_control": {"config": {"zoom\x00": 1}}}, "camera_control.config"),
        (["\udfff"], "[0]"),
    ],
)
def test_bad_text_is_found_in_every_spelling(body: object, path: str) -> None:
    for raw in _spellings(body):
        assert may_hold_bad_text(raw), raw[:80]
        with pytest.raises(KlingError) as refused:
            check_text(raw)
        assert refused.value.code == Code.INVALID_PARAM
        assert refused.value.message.startswith(f"{path}: "), refused.value.message


def test_storable_text_passes() -> None:
    body = {"prompt": "雨の中 🌧️ 😀 é", "external_task_id": "a\\ud800b", "n": [1, None, True]}
    for raw in _spellings(body):
        check_text(raw)  # an escaped backslash before "ud800" is no escape
    check_text(b'{"prompt":"\\ud83d\\ude00"}')  # an escaped surrogate pair is one proper character
    assert not may_hold_bad_text(json.dumps({"image": "QUJD" * 100_000, "prompt": "a/b"}).encode())
    check_text(b"{not json")  # left to the endpoint's parser (1200)


def _holds_bad_text(value: object) -> bool:
    """The oracle: brute force over every string and key of the parsed body."""
    if isinstance(value, str):
        return any(0xD800 <= ord(c) <= 0xDFFF or c == "\x00" for c in value)
    if isinstance(value, dict):
        return any(_holds_bad_text(k) or _holds_bad_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_bad_text(v) for v in value)
    return False


def test_random_text_agrees_with_the_walk() -> None:
    """Property: for random strings mixing surrogates, NUL, ASCII and other planes, in every spelling, the
    check refuses exactly the bodies whose parsed text holds a surrogate or a NUL."""
    rng = random.Random(13)
    pools = [(0x20, 0x7E), (0xD800, 0xDFFF), (0x0, 0x1F), (0x4E00, 0x4E80), (0x1F300, 0x1F320)]
    for _ in range(300):
        chars = [chr(rng.randint(*rng.choice(pools))) for _ in range(rng.randint(0, 6))]
        text = "".join(chars)
        body = {"prompt": "p", "nested": [{"value": text}]}
        for raw in _spellings(body):
            if _holds_bad_text(json.loads(raw)):
                with pytest.raises(KlingError):
                    check_text(raw)
            else:
                check_text(raw)
    assert find_bad_text({"a": ["x", {"b": "\x00"}]}) == ("a[1].b", NUL_RULE)


def _inputs_of(server: Server, account_id: str) -> list[Path]:
    return sorted(p for p in (server.data_dir / "blobs" / account_id).rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ('"external_task_id":"x\\udfffy"', "external_task_id"),
        ('"callback_url":"http://example.com/\\ud800"', "callback_url"),
        ('"prompt":"a\\u0000b"', "prompt"),
        ('"negative_prompt":"\\uDFFF"', "negative_prompt"),
    ],
)
def test_create_refuses_bad_text_and_stores_nothing(server: Server, fields: str, path: str) -> None:
    cred = create_api_key(server.db, f"text-{path}")
    assert cred.api_key
    raw = '{"image":"%s",%s}' % (png_b64(320, 320), fields)  # noqa: UP031 - raw JSON escapes on purpose
    with server.client(cred.api_key) as c:
        r = c.post(I2V, content=raw, headers=JSON)
    body = r.json()
    assert r.status_code == 400 and body["code"] == 1201, body
    assert body["message"].startswith(f"{path}: "), body["message"]
    assert _inputs_of(server, cred.account_id) == []


def test_utf8_surrogate_bytes_are_refused_too(server: Server) -> None:
    raw = b'{"image":"' + png_b64(320, 320).encode() + b'","prompt":"a\xed\xa0\x80b"}'
    with server.client() as c:
        r = c.post(I2V, content=raw, headers=JSON)
    assert r.status_code == 400 and r.json()["message"].startswith("prompt: must be valid Unicode text")


def test_a_proper_surrogate_pair_is_accepted(server: Server) -> None:
    raw = '{"image":"%s","prompt":"rain \\ud83c\\udf27 falls"}' % png_b64(320, 320)  # noqa: UP031
    with server.client() as c:
        r = c.post(I2V, content=raw, headers=JSON)
    assert r.status_code == 200 and r.json()["code"] == 0, r.text
