"""Video extension, engine level: the seam is not a jump, the parent's motion goes on in its direction, the
prompt can steer instead, size/fps/frames are the parent's, and the parent's sound is kept.

The seam measurement: mean absolute grey difference between consecutive frames of the *decoded* result;
the pair across the seam (last parent frame → first new frame) is compared with the pairs of the second
before and the second after it. A jump (a colour shift, a different picture, a frame out of place) makes
that one pair an outlier; smooth motion does not.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import av
import numpy as np
import pytest

from kinema.engines.image2video import (
    CameraControl,
    CameraMove,
    CameraPath,
    I2VOptions,
    render_image_to_video,
)
from kinema.engines.video_extend import ExtendOptions, extend_video
from kinema.engines.video_extend.audio import RING_OUT_S
from kinema.engines.video_extend.motion import Motion, estimate_motion, work_gray
from kinema.media.audio_io import decode_audio
from kinema.media.video_writer import VideoSettings, VideoWriter
from tests.engines.image2video.helpers import frames, photo

#: The seam pair may differ at most this much more than the largest pair of the second around it.
SEAM_MAX_RATIO = 1.5


def parent_clip(path: Path, camera: CameraControl | None = None, path_move: CameraPath | None = None) -> Path:
    """A 2 s, 24 fps, 480x320 image-to-video clip with the given camera."""
    image = photo("coffee", 480, 320)
    options = I2VOptions(
        image=image, duration_s=2, camera=camera, camera_path=path_move, short_side=320, fps=24
    )
    render_image_to_video(options, path)
    return path


def grey_diffs(video: Path) -> tuple[list[float], list[np.ndarray]]:
    grays = [work_gray(f) for f in frames(video)]
    return [float(np.mean(np.abs(b.astype(np.int16) - a))) for a, b in itertools.pairwise(grays)], grays


def seam_ratio(diffs: list[float], parent_frames: int, fps: int = 24) -> tuple[float, float]:
    """(difference across the seam, largest difference of the other pairs within a second of it)."""
    seam = diffs[parent_frames - 1]
    around = diffs[parent_frames - 1 - fps : parent_frames - 1] + diffs[parent_frames : parent_frames + fps]
    return seam, max(around)


CAMERAS = {
    "pan": CameraControl("simple", {"pan": 6}),
    "tilt": CameraControl("simple", {"tilt": 5}),
    "zoom": CameraControl("simple", {"zoom": -6}),
    "roll": CameraControl("simple", {"roll": 5}),
}


def _signs(m: Motion) -> tuple[int, ...]:
    return tuple(int(np.sign(v)) for v in (m.dx, m.dy, m.log_scale, m.rotation))


@pytest.mark.parametrize("name", sorted(CAMERAS))
def test_the_seam_is_smooth_and_the_motion_goes_on_in_its_direction(name: str, tmp_path: Path) -> None:
    parent = parent_clip(tmp_path / "parent.mp4", CAMERAS[name])
    result = extend_video(parent, tmp_path / "out.mp4", ExtendOptions(seconds=2.0))
    assert result.camera == "continued" and result.parent_frames == 48 and result.added_frames == 48
    diffs, grays = grey_diffs(result.path)
    assert len(grays) == 96
    seam, around = seam_ratio(diffs, 48)
    assert seam <= SEAM_MAX_RATIO * around, (seam, around)
    # the continuation moves the way the parent did, on every axis the parent moved along
    before, after = result.parent_motion.mean, estimate_motion(grays[60:96], 24.0, 480, 320).mean
    assert _signs(before) != (0, 0, 0, 0) and _signs(after) == _signs(before), (before, after)


def test_a_steady_move_keeps_its_speed_across_the_seam(tmp_path: Path) -> None:
    """A constant-speed pan (start and end speed 1): the continuation starts at that speed."""
    steady = CameraPath(CameraMove(yaw=-0.08), start_speed=1.0, end_speed=1.0)
    parent = parent_clip(tmp_path / "parent.mp4", path_move=steady)
    result = extend_video(parent, tmp_path / "out.mp4", ExtendOptions(seconds=2.0))
    diffs, grays = grey_diffs(result.path)
    seam, around = seam_ratio(diffs, 48)
    assert seam <= SEAM_MAX_RATIO * around, (seam, around)
    parent_speed = result.parent_motion.mean.dx
    start = estimate_motion(grays[47:60], 24.0, 480, 320).mean.dx  # the first half second after the seam
    assert parent_speed > 0 and 0.7 < start / parent_speed < 1.3, (parent_speed, start)


def test_camera_words_in_the_prompt_steer_instead(tmp_path: Path) -> None:
    parent = parent_clip(tmp_path / "parent.mp4", CAMERAS["pan"])
    result = extend_video(parent, tmp_path / "out.mp4", ExtendOptions(prompt="zoom in", seconds=2.0))
    assert result.camera == "prompt"
    _, grays = grey_diffs(result.path)
    after = estimate_motion(grays[60:96], 24.0, 480, 320).mean
    assert after.log_scale > 0 and abs(after.dx) < abs(result.parent_motion.mean.dx)


def test_a_still_camera_stays_still(tmp_path: Path) -> None:
    parent = parent_clip(tmp_path / "parent.mp4", path_move=CameraPath(CameraMove()))
    result = extend_video(parent, tmp_path / "out.mp4", ExtendOptions(seconds=2.0))
    assert result.parent_motion.speed_px_s() == 0.0 and result.camera == "continued"
    _, grays = grey_diffs(result.path)
    assert estimate_motion(grays[48:96], 24.0, 480, 320).mean == Motion()


def _parent_with_sound(path: Path, fps: int = 30, seconds: float = 2.0) -> np.ndarray:
    """A 30 fps 320x240 clip (a square sliding right) with a 440 Hz tone; returns the tone."""
    n = round(seconds * fps)
    t = np.arange(round(seconds * 48000)) / 48000
    tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    audio = np.stack([tone, tone], 1)
    base = photo("astronaut", 320, 240)
    with VideoWriter(path, 320, 240, VideoSettings(fps=fps, crf=16), audio=audio, audio_rate=48000) as w:
        for i in range(n):
            w.write(np.roll(base, 2 * i, axis=1))
    return tone


def test_size_rate_frames_and_the_parent_sound_are_kept(tmp_path: Path) -> None:
    parent = tmp_path / "parent.mp4"
    tone = _parent_with_sound(parent)
    result = extend_video(parent, tmp_path / "out.mp4", ExtendOptions(seconds=4.5))
    assert (result.width, result.height, result.fps) == (320, 240, 30)
    assert result.parent_frames == 60 and result.added_frames == 135 and result.audio == "kept"
    with av.open(str(result.path)) as c:
        v = c.streams.video[0]
        assert (v.codec_context.width, v.codec_context.height, v.average_rate) == (320, 240, 30)
        assert sum(1 for _ in c.decode(video=0)) == 195
    sound = decode_audio(result.path, 48000)
    assert abs(len(sound) / 48000 - 6.5) < 0.03  # the whole picture's length, within ~one AAC frame
    head = sound[4800:91200]  # the parent's tone (away from the codec's edges) is still there
    assert np.corrcoef(head, tone[4800:91200])[0, 1] > 0.95
    seam = 96000
    ring = sound[seam : seam + round(RING_OUT_S * 48000)]
    assert np.abs(ring[:480]).max() > 0.1 and np.abs(ring[-480:]).max() < 0.05  # rings out, no cut
    assert np.abs(sound[seam + 48000 :]).max() < 0.01  # then silence
    # no click: the largest sample step at the seam is a step the tone itself takes
    steps = np.abs(np.diff(sound[seam - 480 : seam + 480]))
    assert steps.max() < 2.0 * np.abs(np.diff(tone)).max()


def test_extending_an_extension_keeps_going(tmp_path: Path) -> None:
    parent = parent_clip(tmp_path / "parent.mp4", CAMERAS["pan"])
    once = extend_video(parent, tmp_path / "once.mp4", ExtendOptions(seconds=1.0))
    twice = extend_video(once.path, tmp_path / "twice.mp4", ExtendOptions(seconds=1.0))
    assert twice.parent_frames == once.parent_frames + once.added_frames == 72 and twice.added_frames == 24
    diffs, _ = grey_diffs(twice.path)
    for seam_at in (48, 72):
        seam, around = seam_ratio(diffs, seam_at, fps=12)
        assert seam <= SEAM_MAX_RATIO * around, (seam_at, seam, around)


def test_a_cut_in_the_last_second_does_not_count_as_motion() -> None:
    """A steady 3 px/frame slide with a cut to another picture and back: the cut pairs are left out."""
    base, other = photo("astronaut", 640, 360), photo("chelsea", 640, 360)
    frames_ = [np.roll(base, 3 * i, axis=1) for i in range(25)]
    frames_[12] = other
    motion = estimate_motion([work_gray(f) for f in frames_], 24.0, 640, 360)
    assert motion.mean.dx == pytest.approx(72.0, rel=0.1) and motion.pairs == 22
    assert motion.mean.dy == motion.mean.log_scale == motion.mean.rotation == 0.0
