"""``client.preset_voices()`` (sync and async): the voices of a page as the contract's model, their trial
samples downloadable with ``client.download``, and paging checked before sending."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from kinema.client import AsyncClient, Client, InvalidRequestError
from kinema.contract.voice_replies import VoiceEntry
from kinema.contract.voices import VOICES
from tests.api.server import Server


def test_sync_preset_voices_and_a_trial_download(server: Server, tmp_path: Path) -> None:
    with Client(server.base, api_key=server.key) as k:
        voices = k.preset_voices(page_size=1000)
        assert all(isinstance(v, VoiceEntry) for v in voices)
        assert len(voices) == sum(len(ids) for ids in VOICES.values())
        second = k.preset_voices(page_num=2, page_size=10)
        assert [v.voice_id for v in second] == [v.voice_id for v in voices[10:20]]
        en = next(v for v in voices if v.voice_language == "en")
        mp3 = k.download(en.trial_url, tmp_path / "trial.mp3")
        assert mp3.read_bytes()[:3] in (b"ID3", b"\xff\xfb", b"\xff\xf3") and mp3.stat().st_size > 5000
        with pytest.raises(InvalidRequestError, match="pageSize"):
            k.preset_voices(page_size=1001)  # refused before sending, as the server would


def test_async_preset_voices(server: Server) -> None:
    async def run() -> list[VoiceEntry]:
        async with AsyncClient(server.base, api_key=server.key, prefix="/v1") as k:
            return await k.preset_voices(page_size=5)

    voices = asyncio.run(run())
    assert [v.voice_id for v in voices] == list(VOICES["zh"][:5])
    assert {v.owned_by for v in voices} == {"kling"}
