"""Real lengths, frame counts and rates from the packets, whatever the headers claim."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from kinema.media.audio_io import decode_audio
from kinema.media.av_probe import AvRejected, probe_av
from tests.media.helpers import aac_bytes, mp3_bytes, mp4_bytes, wav_bytes
from tests.support.hostile_media import aac_m4a, fast_video, lying_duration


def _shrink_sample_durations(data: bytes) -> bytes:
    """Rewrite every ``stts`` entry to last one tick: the timestamps then say the audio is a blip."""
    buf = bytearray(data)
    at = buf.find(b"stts")
    count = struct.unpack(">I", buf[at + 8 : at + 12])[0]
    for i in range(count):
        entry = at + 12 + 8 * i
        buf[entry + 4 : entry + 8] = struct.pack(">I", 1)
    return bytes(buf)


def test_normal_files_measure_what_the_decoder_gives(tmp_path: Path) -> None:
    for name, data in {
        "wav": wav_bytes(tmp_path, 3.0),
        "mp3": mp3_bytes(tmp_path, 2.5),
        "m4a": aac_bytes(tmp_path, 2.5, "ipod"),
        "adts": aac_bytes(tmp_path, 2.5, "adts"),
    }.items():
        path = tmp_path / f"x.{name}"
        path.write_bytes(data)
        decoded = len(decode_audio(path, 16000)) / 16000
        info = probe_av(data, "audio")
        assert info.duration_s == pytest.approx(decoded, abs=0.07), name
        assert info.frames is None and not info.cut_short


def test_header_claims_do_not_shorten_audio(tmp_path: Path) -> None:
    real = aac_m4a(tmp_path / "long.m4a", 20.0).read_bytes()
    claims_3s = lying_duration(real, 3.0)
    assert probe_av(claims_3s, "audio").duration_s == pytest.approx(20.0, abs=0.1)
    blips = _shrink_sample_durations(claims_3s)
    assert probe_av(blips, "audio").duration_s == pytest.approx(20.0, abs=0.2)  # counted, not timed
    stopped = probe_av(claims_3s, "audio", stop_after_s=5.0)
    assert stopped.cut_short and 5.0 < stopped.duration_s < 5.5


def test_header_claims_do_not_shorten_video(tmp_path: Path) -> None:
    claims_5s = lying_duration(mp4_bytes(tmp_path, 30.0, fps=5), 5.0)
    info = probe_av(claims_5s, "video")
    assert info.duration_s == pytest.approx(30.0, abs=0.01)
    assert (info.frames, info.fps, info.width, info.height) == (150, pytest.approx(5.0), 64, 48)


def test_frame_rate_and_count_are_measured(tmp_path: Path) -> None:
    fast = fast_video(tmp_path / "fast.mp4", fps=1000, seconds=3.0).read_bytes()
    info = probe_av(fast, "video")
    assert info.frames == 3000 and info.fps == pytest.approx(1000, rel=0.01)
    stopped = probe_av(fast, "video", stop_after_frames=500)
    assert stopped.cut_short and stopped.frames == 501 and stopped.fps == pytest.approx(1000, rel=0.01)


def test_missing_or_broken_streams_are_refused(tmp_path: Path) -> None:
    with pytest.raises(AvRejected, match="no video stream"):
        probe_av(aac_bytes(tmp_path, 3.0, "mp4"), "video")
    with pytest.raises(AvRejected, match="could not be decoded"):
        probe_av(b"RIFF\x00\x00\x00\x00WAVEjunk" * 10, "audio")
