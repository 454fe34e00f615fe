"""The SDK takes its families, paths and default prefix from the kind table; no path is copied from the
server, and a kind without a hand-written body builder still gets a checked one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_type_hints

import httpx
import pytest

from kinema.client import AsyncClient, Client
from kinema.client.aio import AsyncFamily
from kinema.client.core import BODY_BUILDERS, FAMILIES, build_body, generic_body
from kinema.client.sync import Family
from kinema.contract.kinds import PREFIXES, TTS, queued_kinds


def test_families_are_the_queued_kinds_on_both_clients() -> None:
    assert list(FAMILIES.values()) == list(queued_kinds())
    with Client("http://kinema.test", api_key="k") as k:
        assert all(getattr(k, name)._spec is spec for name, spec in FAMILIES.items())
    # The annotations only help type checkers; each names a family of the table (a new kind works without).
    for client, family in ((Client, Family), (AsyncClient, AsyncFamily)):
        typed = {name for name, hint in get_type_hints(client).items() if hint is family}
        assert typed and typed <= set(FAMILIES)


def test_requests_go_to_the_table_paths_under_the_default_prefix() -> None:
    seen: list[tuple[str, str, Any]] = []

    def reply(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        seen.append((request.method, request.url.path, body))
        data = {"task_id": "1", "task_status": "submitted"}
        return httpx.Response(200, json={"code": 0, "message": "", "request_id": "r", "data": data})

    with Client("http://kinema.test", api_key="k", transport=httpx.MockTransport(reply)) as k:
        for name, spec in FAMILIES.items():
            getattr(k, name).get("1")
            assert seen[-1][:2] == ("GET", PREFIXES[0] + spec.path + "/1")
        k.video_to_audio.create(video_id="5", bgm_prompt="jazz")
        assert seen[-1][2] == {"video_id": "5", "bgm_prompt": "jazz"}
        k.tts("hi", voice_id="AOT")
        assert seen[-1][1] == PREFIXES[0] + TTS.path


def test_a_kind_without_a_hand_written_builder_gets_a_checked_generic_one() -> None:
    assert TTS.kind not in BODY_BUILDERS
    body = build_body(TTS, (), {"text": "hi", "voice_id": "AOT", "voice_speed": None})
    assert body == {"text": "hi", "voice_id": "AOT"}
    with pytest.raises(TypeError, match=r"unexpected keyword arguments \['colour'\]"):
        generic_body(TTS, {"text": "hi", "colour": "red"})
    with pytest.raises(TypeError, match="keyword arguments only"):
        build_body(TTS, ("hi",), {})


def test_generic_builder_encodes_media_fields(tmp_path: Path) -> None:
    avatar = FAMILIES["avatar"]
    face = tmp_path / "face.png"
    face.write_bytes(b"\x89PNG")
    body = generic_body(avatar, {"image": face, "audio_id": "3"})
    assert body == {"image": "iVBORw==", "audio_id": "3"}
