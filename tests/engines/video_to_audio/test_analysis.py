"""The analysis finds what happens in synthetic clips whose events are known exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kinema.engines.base import EngineInputError
from kinema.engines.video_to_audio import VideoAnalysis, analyze_video
from tests.engines.video_to_audio.synth_clips import Clip, bouncing_ball, camera_zoom
from tests.support.hostile_media import fast_video


def test_bounces_are_found_on_their_frames(ball: Clip, ball_analysis: VideoAnalysis) -> None:
    a = ball_analysis
    assert abs(a.duration - ball.duration) < 1e-6 and a.fps == ball.fps
    found = np.array([e.time for e in a.events])
    for t in ball.events:
        assert np.min(np.abs(found - t)) <= 1.0 / ball.fps + 1e-6
    assert len(found) <= len(ball.events) + 1  # falling and flying arcs are not events
    # the ball hits the floor in the lower part of the frame, centred horizontally
    assert all(e.height > 0.55 and abs(e.pan) < 0.25 for e in a.events)


@pytest.mark.parametrize("side", ["left", "right"])
def test_turns_are_found_and_placed_on_their_side(side: str, request: pytest.FixtureRequest) -> None:
    clip: Clip = request.getfixturevalue(side)
    a = analyze_video(clip.path)
    found = np.array([e.time for e in a.events])
    hits = sum(np.min(np.abs(found - t)) <= 1.0 / clip.fps + 1e-6 for t in clip.events)
    assert hits >= 0.9 * len(clip.events)
    sign = -1 if side == "left" else 1
    assert all(sign * e.pan > 0.2 for e in a.events)


def test_camera_pan_is_camera_motion_not_events(pan: Clip) -> None:
    a = analyze_video(pan.path)
    moving = (a.times >= 1.1) & (a.times < 1.9)
    still = (a.times < 0.9) | (a.times > 2.1)
    assert a.camera_speed[moving].mean() > 1.0  # frame widths per second
    assert a.camera_speed[still].max() < 0.05
    assert len(a.events) == 0
    assert float(a.object_energy[moving].mean()) < 0.1 * float(a.camera_speed[moving].mean())


def test_scene_cut_and_colour(cut: Clip) -> None:
    a = analyze_video(cut.path)
    assert len(a.cuts) == 1 and abs(a.cuts[0] - cut.cuts[0]) < 1e-6
    assert a.events == [] and float(a.camera_speed.max()) == 0.0


def test_not_a_video(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "x.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(EngineInputError):
        analyze_video(bad)


def test_zoom_is_camera_motion_not_events(clip_dir) -> None:  # type: ignore[no-untyped-def]
    clip = camera_zoom(clip_dir / "zoom.mp4")
    a = analyze_video(clip.path)
    zooming = (a.times >= 1.2) & (a.times < 1.8)
    assert a.camera_speed[zooming].mean() > 0.5
    assert len(a.events) == 0 and float(a.object_energy.max()) < 0.1


def test_analysis_is_deterministic(ball: Clip, ball_analysis: VideoAnalysis) -> None:
    again = analyze_video(ball.path)
    assert again.events == ball_analysis.events
    assert np.array_equal(again.onset_strength, ball_analysis.onset_strength)


def test_small_fast_ball_is_found(clip_dir) -> None:  # type: ignore[no-untyped-def]
    # ~2 px wide at analysis size and moving farther than its size per frame: flow alone loses it
    clip = bouncing_ball(clip_dir / "small_ball.mp4", radius_frac=0.025)
    a = analyze_video(clip.path)
    found = np.array([e.time for e in a.events])
    assert len(found) == len(clip.events)
    assert all(np.min(np.abs(found - t)) <= 1.0 / clip.fps + 1e-6 for t in clip.events)


def test_fast_clips_are_sampled_by_timestamp(tmp_path: Path) -> None:
    clip = fast_video(tmp_path / "fast.mp4", fps=1000, seconds=3.0, size=(32, 32))
    a = analyze_video(clip)
    assert abs(a.duration - 3.0) < 0.01
    assert 40 * 3 <= len(a.times) <= 60 * 3 + 1 and 40 <= a.fps <= 61  # of the 3000 frames
    assert a.object_energy.shape == a.times.shape


def test_decoding_stops_past_max_seconds(ball: Clip) -> None:
    with pytest.raises(EngineInputError, match="video: longer than 2 s"):
        analyze_video(ball.path, max_seconds=2.0)
    assert analyze_video(ball.path, max_seconds=ball.duration).duration == pytest.approx(ball.duration)
