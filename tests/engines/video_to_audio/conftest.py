"""Synthetic clips shared by the V2A tests (written once per session, ~0.1 s each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinema.engines.video_to_audio import VideoAnalysis, analyze_video
from tests.engines.video_to_audio.synth_clips import Clip, bouncing_ball, camera_pan, scene_cut, side_mover


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("v2a_clips")


@pytest.fixture(scope="session")
def ball(clip_dir: Path) -> Clip:
    return bouncing_ball(clip_dir / "ball.mp4")


@pytest.fixture(scope="session")
def left(clip_dir: Path) -> Clip:
    return side_mover(clip_dir / "left.mp4", "left")


@pytest.fixture(scope="session")
def right(clip_dir: Path) -> Clip:
    return side_mover(clip_dir / "right.mp4", "right")


@pytest.fixture(scope="session")
def pan(clip_dir: Path) -> Clip:
    return camera_pan(clip_dir / "pan.mp4")


@pytest.fixture(scope="session")
def cut(clip_dir: Path) -> Clip:
    return scene_cut(clip_dir / "cut.mp4")


@pytest.fixture(scope="session")
def ball_analysis(ball: Clip) -> VideoAnalysis:
    return analyze_video(ball.path)
