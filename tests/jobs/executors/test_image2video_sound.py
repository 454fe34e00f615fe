"""``sound: "on"`` on image to video: the one video carries an AAC soundtrack made from the clip and the
prompt's sound words, exactly the clip's length and mastered like video-to-audio; ``off`` stays silent."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import pytest
from skimage import data

from kinema.contract.limits import Limits
from kinema.contract.stored import request_from_row
from kinema.engines.video_to_audio.evaluate import spectral_centroid
from kinema.engines.video_to_audio.master import loudness
from kinema.jobs.executors.base import JobContext, OutputFile
from kinema.jobs.executors.image2video import RENDER_SHARE, execute
from kinema.media.audio_io import decode_audio

RATE = 48_000
AAC_FRAME_S = 1024 / RATE


def _ctx(tmp: Path, progress: list[float] | None = None, **fields: Any) -> JobContext:
    """The context a worker builds for an image2video row with these fields (a 320×212 photo)."""
    image = tmp / "image.png"
    cv2.imwrite(str(image), cv2.cvtColor(cv2.resize(data.chelsea(), (320, 212)), cv2.COLOR_RGB2BGR))
    row = {"model_name": "kling-v2-6", "mode": "pro", "duration": "5", **fields}
    request = request_from_row("image2video", row, {"image": str(image)}, Limits())
    seen = progress if progress is not None else []
    return JobContext("t1", "image2video", request, {"image": image}, tmp, seen.append, seed=3)


def _streams(path: Path) -> dict[str, Any]:
    with av.open(str(path)) as c:
        video = c.streams.video[0]
        audio = next((s for s in c.streams if s.type == "audio"), None)
        out: dict[str, Any] = {"video_s": float(video.duration * video.time_base), "audio": None}
        if audio is not None:
            out["audio"] = {
                "codec": audio.codec_context.name,
                "rate": audio.rate,
                "channels": audio.channels,
                "seconds": float(audio.duration * audio.time_base),
            }
        return out


def _packets(path: Path) -> list[bytes]:
    with av.open(str(path)) as c:
        return [bytes(p) for p in c.demux(video=0) if p.size]


@pytest.fixture(scope="module")
def waves(tmp_path_factory: pytest.TempPathFactory) -> tuple[OutputFile, list[float]]:
    """One kling-v2-6 pro 5 s task with sound on and sound words in the prompt, and its progress reports."""
    progress: list[float] = []
    ctx = _ctx(tmp_path_factory.mktemp("waves"), progress, sound="on", prompt="waves crash on the beach")
    (video,) = execute(ctx)
    return video, progress


def test_sound_on_gives_one_video_with_an_aac_track_of_the_clips_length(
    waves: tuple[OutputFile, list[float]],
) -> None:
    video, _ = waves
    assert video.role == "video" and video.duration_s == pytest.approx(5.0)
    streams = _streams(video.path)
    assert streams["video_s"] == pytest.approx(5.0)
    assert streams["audio"] is not None
    assert streams["audio"]["codec"] == "aac" and streams["audio"]["rate"] == RATE
    assert streams["audio"]["channels"] == 2
    assert abs(streams["audio"]["seconds"] - streams["video_s"]) <= AAC_FRAME_S
    decoded = decode_audio(video.path, RATE, mono=False)
    assert abs(len(decoded) / RATE - streams["video_s"]) <= AAC_FRAME_S


def test_the_track_is_mastered_like_video_to_audio_and_never_silent(
    waves: tuple[OutputFile, list[float]],
) -> None:
    video, _ = waves
    audio = decode_audio(video.path, RATE, mono=False).astype(np.float64)
    assert abs(loudness(audio, RATE) + 16.0) <= 2.0
    assert float(np.abs(audio).max()) <= 10 ** (-0.5 / 20)  # −1 dBTP before AAC, a little slack after
    rms_db = [20 * np.log10(np.sqrt(np.mean(audio[i * RATE : (i + 1) * RATE] ** 2))) for i in range(5)]
    assert min(rms_db) > -35.0, rms_db  # every second carries sound, not only an onset
    record = video.extra["sound"]
    assert record["sound_effect_prompt"] == "waves crash beach" and record["bgm_prompt"] == "no music"
    assert record["beds"] == ["surf"] and record["music"] == "none"
    assert abs(record["lufs"] + 16.0) <= 1.0 and record["true_peak_db"] <= -1.0
    # the render's facts are kept: kling-v2-6 pro is 1080p 24 fps, so the 320x212 photo is scaled up
    assert (video.extra["width"], video.extra["height"], video.extra["fps"]) == (1630, 1080, 24)


def test_the_picture_is_the_render_copied_untouched(waves: tuple[OutputFile, list[float]]) -> None:
    video, _ = waves
    silent = video.path.with_name("image2video_silent.mp4")
    assert _streams(silent)["audio"] is None
    assert _packets(video.path) == _packets(silent)


def test_progress_runs_over_the_render_then_the_sound(waves: tuple[OutputFile, list[float]]) -> None:
    _, progress = waves
    assert progress == sorted(progress) and progress[-1] == 1.0
    render = [p for p in progress if p <= RENDER_SHARE]
    sound = [p for p in progress if p > RENDER_SHARE]
    assert len(render) >= 100 and render[-1] == pytest.approx(RENDER_SHARE)  # per frame, then done
    assert len(sound) >= 3


@pytest.mark.parametrize("sound", ["off", None])
def test_sound_off_or_absent_keeps_the_silent_clip(tmp_path: Path, sound: str | None) -> None:
    fields = {"model_name": "kling-v3", "mode": "std", "duration": "3", "prompt": "rain"}
    (video,) = execute(_ctx(tmp_path, **fields, **({"sound": sound} if sound else {})))
    assert video.path.name == "image2video.mp4" and "sound" not in video.extra
    assert _streams(video.path)["audio"] is None


def _sound_of(tmp: Path, prompt: str) -> tuple[np.ndarray, dict[str, Any]]:
    tmp.mkdir(exist_ok=True)
    ctx = _ctx(tmp, model_name="kling-v3", mode="std", duration="3", sound="on", prompt=prompt)
    (video,) = execute(ctx)
    return decode_audio(video.path, RATE, mono=False).astype(np.float64), video.extra["sound"]


def _band_shares(audio: np.ndarray) -> np.ndarray:
    """Share of the power below 250 Hz, 250 Hz–1 kHz, 1–4 kHz and above 4 kHz."""
    power = np.abs(np.fft.rfft(audio.mean(axis=1))) ** 2
    freqs = np.fft.rfftfreq(len(audio), 1 / RATE)
    edges = (0, 250, 1000, 4000, RATE)
    shares = [power[(freqs >= a) & (freqs < b)].sum() for a, b in itertools.pairwise(edges)]
    return np.array(shares) / power.sum()


def test_prompt_words_change_the_sound(tmp_path: Path) -> None:
    """Same photo, same seed: "rain" is a bright noise bed, "soft piano music" a tonal low-mid one."""
    rain, rain_record = _sound_of(tmp_path / "rain", "rain on the window")
    piano, piano_record = _sound_of(tmp_path / "piano", "soft piano music")
    assert rain_record["beds"] == ["rain"] and rain_record["music"] == "none"
    assert piano_record["music"] == "calm" and piano_record["bgm_prompt"] == "soft piano"
    assert spectral_centroid(rain, RATE) > 3 * spectral_centroid(piano, RATE)
    rain_bands, piano_bands = _band_shares(rain), _band_shares(piano)
    # measured: rain 0.99 of its power above 1 kHz, the piano 0.06; the piano 0.81 in 250 Hz–1 kHz, rain 0.01
    assert rain_bands[2:].sum() > 0.6 > 0.3 > piano_bands[2:].sum()
    assert piano_bands[1] > 0.5 > 0.25 > rain_bands[1]
    for audio in (rain, piano):
        assert abs(loudness(audio, RATE) + 16.0) <= 2.0


def test_a_prompt_without_sound_words_still_gets_the_pictures_sound(tmp_path: Path) -> None:
    audio, record = _sound_of(tmp_path, "a cat looks around")
    assert record["sound_effect_prompt"] == "" and record["bgm_prompt"] == ""
    assert record["beds"]  # the picture chose an ambience
    assert abs(loudness(audio, RATE) + 16.0) <= 2.0
