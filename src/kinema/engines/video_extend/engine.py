"""Video extension: the parent video, then 4–5 s more rendered from its last frame, as one MP4.

Stages: decode the parent once, streaming every frame into the shared writer while keeping only its last
frame and a grey, small copy of its last second (:mod:`.motion`) → read the prompt: camera words steer the
continuation, otherwise it carries on the parent's own global motion (:meth:`ParentMotion.camera_path`) →
render the continuation with the image-to-video engine from exactly the last frame (its frame 0 *is* that
frame and is not written again, so the first new frame is one step of motion after the seam) → append it →
put the parent's sound back (:mod:`.audio`). The result has the parent's size (cropped to even) and frame
rate; its picture is encoded once more, at the image-to-video quality.
"""

from __future__ import annotations

import itertools
import math
import shutil
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol

import av
import numpy as np

from kinema.engines.base import EngineInputError, ProgressFn, no_progress
from kinema.engines.image2video import CameraPath, I2VOptions, render_image_to_video
from kinema.engines.image2video.prompt import plan_motion
from kinema.engines.video_extend.audio import extend_track
from kinema.engines.video_extend.motion import ParentMotion, estimate_motion, work_gray
from kinema.engines.video_to_audio.mux import remux_with_audio
from kinema.media.audio_io import decode_audio
from kinema.media.video_writer import VideoSettings, VideoWriter, even

AUDIO_RATE = 48_000
#: The window of the parent whose motion is continued.
WINDOW_S = 1.0
#: The image-to-video model whose settings render the continuation (motion scale 1.0, honours cfg_scale).
MODEL = "kling-v1-6"
ENCODE = VideoSettings(preset="veryfast", crf=16)


@dataclass(frozen=True)
class ExtendOptions:
    """What to add. ``seconds`` is how long the continuation lasts (whole frames at the parent's rate, never
    more); ``max_parent_s`` stops decoding a parent that turns out longer (the create checked its length)."""

    prompt: str = ""
    negative_prompt: str = ""
    cfg_scale: float | None = None
    seconds: float = 5.0
    seed: int = 0
    max_parent_s: float = math.inf


@dataclass(frozen=True)
class ExtendResult:
    path: Path
    width: int
    height: int
    fps: Fraction
    parent_frames: int
    added_frames: int
    audio: str
    """``"kept"``: the parent's sound, a ring-out and silence; ``"none"``: the parent had none."""
    camera: str
    """``"prompt"`` (its camera words steered), ``"continued"`` (the parent's motion carried on), or
    ``"generated"`` (a generative pipeline made the motion from the prompt)."""
    parent_motion: ParentMotion
    motions: dict[str, float] = field(default_factory=dict)
    seam: dict[str, float] = field(default_factory=dict)
    """Mean absolute grey difference at the seam and the median of the pairs around it (0..255)."""

    @property
    def duration_s(self) -> float:
        return (self.parent_frames + self.added_frames) / float(self.fps)


class Continuation(Protocol):
    """Another renderer of the continuation (a generative image-to-video pipeline, docs/gpu.md): given the
    parent's last frame (H, W, 3 uint8), its size and frame rate, it hands ``frames`` frames of exactly that
    size to ``sink``, in order, the first one being the last frame itself (the appender drops it)."""

    def __call__(
        self,
        last: np.ndarray,
        width: int,
        height: int,
        fps: float,
        frames: int,
        sink: Callable[[np.ndarray], None],
        progress: ProgressFn,
    ) -> None: ...


@dataclass
class _Parent:
    """What pass one keeps of the parent: its last frame and last second (small, grey)."""

    fps: Fraction
    width: int
    height: int
    has_audio: bool
    frames: int = 0
    last: np.ndarray | None = None
    tail: deque[np.ndarray] = field(default_factory=deque)


def _open_parent(path: Path) -> tuple[Any, Any, _Parent]:
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise EngineInputError(f"video: not a decodable video: {exc}") from exc
    if not container.streams.video:
        container.close()
        raise EngineInputError("video: the file has no picture")
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    fps = Fraction(stream.average_rate or stream.guessed_rate or 24).limit_denominator(1001)
    w, h = even(stream.codec_context.width), even(stream.codec_context.height)
    if w < 2 or h < 2:
        raise EngineInputError("video: the picture is too small to extend")
    has_audio = any(s.type == "audio" for s in container.streams)
    window = max(3, round(float(fps) * WINDOW_S) + 1)
    return container, stream, _Parent(fps, w, h, has_audio, tail=deque(maxlen=window))


def _copy_parent(
    container: Any,
    stream: Any,
    parent: _Parent,
    writer: VideoWriter,
    opts: ExtendOptions,
    progress: ProgressFn,
) -> None:
    """Stream the parent's frames into ``writer``, keeping its last frame and last second."""
    expected = max(1.0, float(stream.duration * stream.time_base) if stream.duration else 1.0)
    try:
        for frame in container.decode(stream):
            rgb = frame.to_ndarray(format="rgb24")[: parent.height, : parent.width]
            writer.write(rgb)
            parent.frames += 1
            parent.last = rgb
            parent.tail.append(work_gray(rgb))
            seconds = parent.frames / float(parent.fps)
            if seconds > opts.max_parent_s:
                raise EngineInputError(f"video: too long to extend, more than {opts.max_parent_s:.0f} s")
            progress(min(1.0, seconds / expected))
    except av.FFmpegError as exc:
        raise EngineInputError(f"video: the picture could not be decoded: {exc}") from exc
    if parent.frames < 2 or parent.last is None:
        raise EngineInputError("video: needs at least two frames")


class _Appender:
    """The continuation's frames into the writer: frame 0 (the parent's last frame, re-rendered) is
    skipped, then at most ``added`` frames; the grey differences of the first second are kept (the first
    one is across the seam)."""

    def __init__(self, writer: VideoWriter, parent: _Parent, added: int) -> None:
        self.writer, self.added, self.seen, self.written = writer, added, 0, 0
        self.prev = parent.tail[-1] if parent.tail else None
        self.window = len(parent.tail)
        self.diffs: list[float] = []

    def __call__(self, rgb: np.ndarray) -> None:
        self.seen += 1
        if self.seen == 1 or self.written == self.added:
            return
        self.writer.write(rgb)
        self.written += 1
        if self.prev is not None and len(self.diffs) < self.window:
            gray = work_gray(rgb)
            self.diffs.append(float(np.mean(np.abs(gray.astype(np.int16) - self.prev))))
            self.prev = gray


def _continue(
    parent: _Parent, opts: ExtendOptions, appender: _Appender, progress: ProgressFn
) -> tuple[str, ParentMotion, dict[str, float]]:
    """Render ``added`` + 1 frames from the parent's last frame into ``appender``."""
    fps_int = max(1, round(float(parent.fps)))
    seconds = (appender.added + 1) / fps_int  # the engine renders round(seconds * fps) = added + 1 frames
    motion = estimate_motion(list(parent.tail), float(parent.fps), parent.width, parent.height)
    plan = plan_motion(opts.prompt, opts.negative_prompt, opts.cfg_scale)
    path: CameraPath | None = None
    if not plan.camera_words:  # the prompt says nothing about the camera: carry on the parent's motion
        path = motion.camera_path(seconds)
    assert parent.last is not None
    options = I2VOptions(
        image=parent.last,
        prompt=opts.prompt,
        negative_prompt=opts.negative_prompt,
        cfg_scale=opts.cfg_scale,
        duration_s=seconds,
        model_name=MODEL,
        seed=opts.seed,
        short_side=min(parent.width, parent.height),
        fps=fps_int,
        camera_path=path,
    )
    result = render_image_to_video(options, Path(), progress, sink=appender)
    if (result.width, result.height) != (parent.width, parent.height):  # the writer would refuse it
        raise EngineInputError(
            f"video: the continuation came out {result.width}x{result.height}, "
            f"not {parent.width}x{parent.height}"
        )
    return "prompt" if path is None else "continued", motion, result.motions


def _seam(parent: _Parent, after: list[float]) -> dict[str, float]:
    tail = list(parent.tail)
    before = [float(np.mean(np.abs(b.astype(np.int16) - a))) for a, b in itertools.pairwise(tail)]
    if not after:
        return {}
    return {"seam_mad": round(after[0], 3), "median_mad": round(float(np.median(before + after[1:])), 3)}


def _generated(
    parent: _Parent, render: Continuation, appender: _Appender, progress: ProgressFn
) -> tuple[str, ParentMotion, dict[str, float]]:
    """The continuation from another renderer; the parent's motion is still measured (it is reported)."""
    assert parent.last is not None
    motion = estimate_motion(list(parent.tail), float(parent.fps), parent.width, parent.height)
    fps = float(parent.fps)
    render(parent.last, parent.width, parent.height, fps, appender.added + 1, appender, progress)
    return "generated", motion, {}


def extend_video(
    video: str | Path,
    out_path: str | Path,
    options: ExtendOptions,
    progress: ProgressFn = no_progress,
    continuation: Continuation | None = None,
) -> ExtendResult:
    """Write ``video`` followed by its continuation to ``out_path`` (MP4: H.264, AAC when the parent had
    sound). ``progress`` gets fractions in [0, 1] and may raise :class:`~kinema.engines.base.Cancelled`.
    ``continuation``: render the new seconds with it instead of the image-to-video engine (the parent's
    copy, the seam measure and the sound are the same either way). Raises :class:`EngineInputError` for a
    parent without two decodable frames or longer than allowed."""
    out = Path(out_path)
    work = out.parent / f".{out.stem}-extend"
    work.mkdir(parents=True, exist_ok=True)
    try:
        container, stream, parent = _open_parent(Path(video))
        added = math.floor(options.seconds * float(parent.fps) + 1e-6)
        picture = work / "picture.mp4"
        settings = VideoSettings(fps=parent.fps, preset=ENCODE.preset, crf=ENCODE.crf)
        with container, VideoWriter(picture, parent.width, parent.height, settings) as writer:
            _copy_parent(container, stream, parent, writer, options, lambda f: progress(0.25 * f))
            appender = _Appender(writer, parent, added)

            def render_progress(fraction: float) -> None:
                progress(0.25 + 0.7 * fraction)

            if continuation is None:
                camera, motion, motions = _continue(parent, options, appender, render_progress)
            else:
                camera, motion, motions = _generated(parent, continuation, appender, render_progress)
        progress(0.95)
        audio = _mux_sound(Path(video), picture, out, parent, appender.written, options.max_parent_s)
        progress(1.0)
        return ExtendResult(
            out,
            parent.width,
            parent.height,
            parent.fps,
            parent.frames,
            appender.written,
            audio,
            camera,
            motion,
            motions,
            _seam(parent, appender.diffs),
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _mux_sound(video: Path, picture: Path, out: Path, parent: _Parent, added: int, max_s: float) -> str:
    """The parent's sound under the whole picture (see :mod:`.audio`), or the picture alone."""
    if not parent.has_audio:
        shutil.move(picture, out)
        return "none"
    try:
        cap = None if math.isinf(max_s) else max_s + 1.0
        sound = decode_audio(video, AUDIO_RATE, mono=False, max_seconds=cap)
    except ValueError:  # an undecodable track: the picture is still the result, without sound
        shutil.move(picture, out)
        return "none"
    own = round(parent.frames / float(parent.fps) * AUDIO_RATE)
    total = round((parent.frames + added) / float(parent.fps) * AUDIO_RATE)
    remux_with_audio(picture, extend_track(sound, AUDIO_RATE, own, total), AUDIO_RATE, out)
    return "kept"
