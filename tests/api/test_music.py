"""Music from the SoundFont over HTTP: the bgm_prompt's words change what plays, and the record says which
synth played it (``music_source`` in the audio's stored record; the oscillator synth when the setting says
``none``)."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest
from scipy.io import wavfile
from scipy.signal import butter, sosfilt
from sqlalchemy import select

from kinema.db.models import Asset
from kinema.engines.video_to_audio.fluid import find_soundfont
from tests.api.server import Server, start_server, wait_for
from tests.support.file_server import serve_files

V2A = "/kling/v1/audio/video-to-audio"
T2A = "/kling/v1/audio/text-to-audio"
RATE = 48_000

pytestmark = pytest.mark.skipif(
    find_soundfont("auto") is None, reason="fluidsynth + Debian's SoundFont not installed (scripts/setup.sh)"
)


def _still_clip(seconds: float = 4.0, fps: int = 24) -> bytes:
    """A still textured picture: no motion events, so the music is most of what is heard."""
    rng = np.random.default_rng(0)
    picture = np.repeat(rng.uniform(60, 160, (240, 320, 1)), 3, axis=2).astype(np.uint8)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "still.mp4"
        with av.open(str(path), "w") as c:
            s = c.add_stream("libx264", rate=fps)
            s.width, s.height, s.pix_fmt = 320, 240, "yuv420p"
            for _ in range(int(seconds * fps)):
                for p in s.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                    c.mux(p)
            for p in s.encode(None):
                c.mux(p)
        return path.read_bytes()


@pytest.fixture(scope="module")
def still_url() -> Iterator[str]:
    with serve_files({"still.mp4": _still_clip()}, "video/mp4") as files:
        yield f"{files.base}/still.mp4"


def _band_shares(wav: bytes) -> tuple[float, float]:
    """Shares of the energy below 150 Hz (kick drum, bass) and above 2 kHz (cymbals, distorted guitar)."""
    rate, data = wavfile.read(io.BytesIO(wav))
    x = data.astype(np.float64).mean(axis=1)
    total = float(np.sum(x**2)) + 1e-12
    low = sosfilt(butter(4, 150, "lowpass", fs=rate, output="sos"), x)
    high = sosfilt(butter(4, 2000, "highpass", fs=rate, output="sos"), x)
    return float(np.sum(low**2)) / total, float(np.sum(high**2)) / total


def _score(server: Server, still_url: str, bgm: str) -> tuple[dict, bytes, dict]:
    with server.client() as c:
        created = c.post(V2A, json={"video_url": still_url, "bgm_prompt": bgm}).json()
        assert created["code"] == 0, created
        done = wait_for(c, f"{V2A}/{created['data']['task_id']}", timeout=180)
        assert done["task_status"] == "succeed", done["task_status_msg"]
        wav = c.get(done["task_result"]["audios"][0]["url_wav"]).content
    return done, wav, _record(server, done["task_id"])


def _record(server: Server, task_id: str) -> dict:
    with server.db.read() as session:
        asset = session.scalar(select(Asset).where(Asset.task_id == task_id, Asset.role == "audio_wav"))
        assert asset is not None
        return dict(asset.extra)


def test_calm_piano_and_rock_band_sound_different_and_both_come_from_the_soundfont(
    server: Server, still_url: str
) -> None:
    _, calm_wav, calm = _score(server, still_url, "calm piano")
    _, rock_wav, rock = _score(server, still_url, "rock band")
    assert (calm["music"], calm["music_source"]) == ("calm", "soundfont")
    assert (rock["music"], rock["music_source"]) == ("rock", "soundfont")
    calm_low, calm_high = _band_shares(calm_wav)
    rock_low, rock_high = _band_shares(rock_wav)
    assert rock_low > 2.5 * calm_low, (calm_low, rock_low)  # kick drum and picked bass
    assert rock_high > 2.0 * calm_high, (calm_high, rock_high)  # cymbals and distortion
    for extra in (calm, rock):
        assert abs(extra["lufs"] + 16.0) <= 0.3


def test_text_to_audio_music_comes_from_the_soundfont(server: Server) -> None:
    with server.client() as c:
        created = c.post(T2A, json={"prompt": "jazz piano", "duration": 3.0}).json()
        assert created["code"] == 0, created
        done = wait_for(c, f"{T2A}/{created['data']['task_id']}", timeout=120)
        assert done["task_status"] == "succeed", done["task_status_msg"]
    record = _record(server, done["task_id"])
    assert (record["music"], record["music_source"]) == ("jazz", "soundfont")


def test_the_setting_none_falls_back_to_the_oscillator_synth(tmp_path: Path, still_url: str) -> None:
    srv = start_server(tmp_path / "srv", KINEMA_SOUNDFONT="none", KINEMA_ALLOW_PRIVATE_URLS="true")
    try:
        _, wav, record = _score(srv, still_url, "rock band")
    finally:
        srv.stop()
    assert (record["music"], record["music_source"]) == ("rock", "oscillator")
    assert wav[:4] == b"RIFF"
