"""The soundtrack is about the video: sounds land on events, on the right side, shaped by the prompt."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest

from kinema.engines.video_to_audio import VideoAnalysis, analyze_video, render_soundtrack
from kinema.engines.video_to_audio.evaluate import align, audio_onsets, spectral_centroid, stereo_balance
from kinema.engines.video_to_audio.master import master, true_peak_db
from tests.engines.video_to_audio.synth_clips import Clip, bouncing_ball

RATE = 48_000


def test_onsets_land_on_the_bounces(ball: Clip, ball_analysis: VideoAnalysis) -> None:
    track = render_soundtrack(ball_analysis, "", "")
    result = align(ball.events, audio_onsets(track.audio, RATE), tolerance_s=0.08)
    assert result.hit_rate >= 0.75
    assert result.median_abs_lag_ms <= 40


def test_onsets_survive_music_and_a_prompt(ball: Clip, ball_analysis: VideoAnalysis) -> None:
    track = render_soundtrack(ball_analysis, "basketball", "happy upbeat pop")
    assert track.music.enabled and track.music.mood == "happy" and track.sound.impact == "ball"
    result = align(ball.events, audio_onsets(track.audio, RATE))
    assert result.hit_rate >= 0.75 and result.median_abs_lag_ms <= 40


@pytest.mark.parametrize("asmr", [False, True])
def test_loudness_peak_length_and_edges(ball: Clip, ball_analysis: VideoAnalysis, asmr: bool) -> None:
    track = render_soundtrack(ball_analysis, "rain", "calm", asmr_mode=asmr)
    audio = track.audio
    assert audio.shape == (round(ball.duration * RATE), 2) and audio.dtype == np.float32
    lufs = pyloudnorm.Meter(RATE).integrated_loudness(audio.astype(np.float64))
    assert abs(lufs + 16.0) <= 1.0
    assert true_peak_db(audio) <= -1.0
    # faded to silence at both ends: no click when the clip starts or stops
    assert np.max(np.abs(audio[:8])) < 1e-3 and np.max(np.abs(audio[-8:])) < 1e-3


def test_stereo_follows_the_motion(left: Clip, right: Clip) -> None:
    bal_left = stereo_balance(render_soundtrack(analyze_video(left.path)).audio)
    bal_right = stereo_balance(render_soundtrack(analyze_video(right.path)).audio)
    assert bal_left < -0.2 and bal_right > 0.2


def test_prompt_words_change_the_sound(ball_analysis: VideoAnalysis) -> None:
    plain = render_soundtrack(ball_analysis, "", "")
    metal = render_soundtrack(ball_analysis, "metal clang", "")
    glass = render_soundtrack(ball_analysis, "glass", "")
    assert metal.sound.impact == "metal" and glass.sound.impact == "glass"
    c_plain = spectral_centroid(plain.audio, RATE)
    assert spectral_centroid(metal.audio, RATE) > 1.5 * c_plain
    assert spectral_centroid(glass.audio, RATE) > spectral_centroid(metal.audio, RATE)
    rain = render_soundtrack(ball_analysis, "heavy rain", "")
    assert rain.sound.beds == ("rain",)
    assert len(audio_onsets(rain.audio, RATE, sensitivity=3.0)) > len(audio_onsets(plain.audio, RATE, 3.0))


def test_music_from_words_and_none_when_asked(ball_analysis: VideoAnalysis) -> None:
    epic = render_soundtrack(ball_analysis, "", "epic cinematic")
    sad = render_soundtrack(ball_analysis, "", "sad piano")
    assert epic.music.minor and epic.music.mood == "epic" and "piano" in sad.music.instruments
    off = render_soundtrack(ball_analysis, "", "no music")
    assert not off.music.enabled
    assert not np.array_equal(epic.audio, sad.audio)


def test_deterministic(ball_analysis: VideoAnalysis) -> None:
    a = render_soundtrack(ball_analysis, "footsteps", "jazz", seed=3)
    b = render_soundtrack(ball_analysis, "footsteps", "jazz", seed=3)
    c = render_soundtrack(ball_analysis, "footsteps", "jazz", seed=4)
    assert np.array_equal(a.audio, b.audio) and not np.array_equal(a.audio, c.audio)


def test_master_hits_targets_on_a_hot_signal() -> None:
    rng = np.random.default_rng(0)
    x = 0.01 * rng.standard_normal((RATE * 4, 2))  # a quiet bed ...
    decay = np.exp(-np.arange(4800) / 500.0)[:, None]
    for t in range(0, len(x) - 4800, RATE // 3):  # ... under hits that clip 10 dB over full scale
        x[t : t + 4800] += rng.uniform(-1, 1, (4800, 2)) * 3.0 * decay
    out, lufs, peak = master(x, RATE)
    assert abs(lufs + 16) <= 1.0 and peak <= -1.0 and true_peak_db(out) <= -1.0


def test_each_shot_gets_its_own_ambience(cut: Clip) -> None:
    a = analyze_video(cut.path)
    track = render_soundtrack(a, "", "no music")
    assert track.sound.scene_beds == (("fire",), ("wind",))  # a warm shot, then a blue-sky one
    onsets = audio_onsets(track.audio, RATE, sensitivity=3.0)
    c = cut.cuts[0]
    crackles_before = np.sum(onsets < c - 0.05) / c
    crackles_after = np.sum(onsets > c + 0.05) / (cut.duration - c)
    assert crackles_before > 3 * max(crackles_after, 0.5)


def test_bigger_things_sound_lower(ball: Clip, ball_analysis: VideoAnalysis, clip_dir) -> None:  # type: ignore[no-untyped-def]
    big = bouncing_ball(clip_dir / "big_ball.mp4", radius_frac=0.25)
    big_analysis = analyze_video(big.path)
    assert len(big_analysis.events) == len(ball_analysis.events)

    def hit_centroid(a: VideoAnalysis) -> float:
        audio = render_soundtrack(a, "wood", "no music").audio
        hits = [audio[round(e.time * RATE) : round(e.time * RATE) + RATE // 20] for e in a.events]
        return spectral_centroid(np.concatenate(hits), RATE)

    assert hit_centroid(ball_analysis) > 1.15 * hit_centroid(big_analysis)


def test_a_flicker_of_motion_on_a_still_picture_is_no_burst() -> None:
    """An animated photo: nothing moves but one analysed frame whose flow flickered (measured on a rendered
    image-to-video clip: 0.011 widths/s on one frame of 72). The movement texture must not be raised to the
    effects' level for it; the bed carries the clip, steady."""
    frames = 72
    times = np.arange(frames) / 24.0
    energy = np.zeros(frames)
    energy[26] = 0.011
    zeros = np.zeros(frames)
    still = VideoAnalysis(3.0, 24.0, 320, 212, "h264", times, energy, zeros, zeros, zeros, zeros)
    track = render_soundtrack(still, "", "no music", seed=3)
    mono = track.audio.mean(axis=1)
    block = RATE // 20
    rms = [np.sqrt(np.mean(mono[i : i + block] ** 2)) for i in range(block, len(mono) - 2 * block, block)]
    loudest = 20 * np.log10(max(rms) / np.median(rms))
    assert loudest < 4.0, loudest  # +2.2 dB (room tone); +8.3 dB at the flicker when level ignored the share
