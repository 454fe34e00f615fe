"""Audio decoding stops at the caller's limit instead of decoding all that a file holds."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kinema.media.audio_io import AudioTooLong, decode_audio
from tests.support.hostile_media import aac_m4a, lying_duration


def test_decoding_stops_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "lying.m4a"
    path.write_bytes(lying_duration(aac_m4a(tmp_path / "long.m4a", 120.0, rate=8000).read_bytes(), 10.0))
    assert len(decode_audio(path, 16000, max_seconds=130.0)) / 16000 == pytest.approx(120.0, abs=0.3)
    start = time.perf_counter()
    with pytest.raises(AudioTooLong, match="longer than 11 s"):
        decode_audio(path, 16000, max_seconds=11.0)
    capped = time.perf_counter() - start
    start = time.perf_counter()
    decode_audio(path, 16000)
    full = time.perf_counter() - start
    assert capped < full / 3  # it stopped near 11 s of 120, not at the end
