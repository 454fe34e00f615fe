"""Talking-avatar engine: one portrait + one speech track → a lip-synced MP4, on a CPU, offline.

Pipeline (each stage is a module with its own tests):
``face`` (portrait → 478-point mesh) → ``speech`` (audio/phones → mouth timeline) → ``motion``
(+ blinks, head, prompt → per-frame parameters) → ``render`` (mesh warp, mouth interior, lids, camera)
→ encode (:class:`kinema.media.video_writer.VideoWriter`). Frames are streamed: memory does not grow
with the length.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from kinema.contract.vocabulary import Mode
from kinema.engines.base import EngineInputError, ProgressFn, no_progress
from kinema.media.audio_io import decode_audio
from kinema.media.video_writer import VideoSettings, VideoWriter

from .face import load_portrait
from .face import preload as preload_face
from .language import detect_language, whisper_available
from .motion import Motion, build_motion
from .prompt import parse_prompt
from .recognize import hama_phones
from .render import Frame, Renderer, Rig
from .speech import MouthTrack, Phone, build_track, load_phones_json
from .stages import StageClock

__all__ = ["AvatarOptions", "AvatarResult", "Phone", "render_avatar", "warm_up"]

AUDIO_RATE = 48000
MAX_AUDIO_S = 600.0


@dataclass(frozen=True)
class AvatarOptions:
    """How to render. ``mode`` picks resolution and encoder effort; ``language`` steers the speech stage
    ("auto": identified by Whisper when the ``asr`` extra is installed; English → phone recognition, anything
    else → the acoustic method); ``transcript`` (English words of the speech) is force-aligned instead."""

    mode: Mode = Mode.STD
    prompt: str | None = None
    seed: int = 0
    fps: int = 25
    language: str = "auto"
    phones: list[Phone] | None = None
    phones_path: Path | None = None
    transcript: str | None = None
    #: Decoding stops past this many seconds of audio and the job fails (the server passes its limit).
    max_audio_s: float = MAX_AUDIO_S


@dataclass(frozen=True)
class AvatarResult:
    path: Path
    duration_s: float
    frames: int
    width: int
    height: int
    speech_source: str
    timings: dict[str, float] = field(default_factory=dict)


MODES: dict[Mode, tuple[int, int, str, int]] = {
    # short side cap, long side cap, x264 preset, crf. pro spends its extra effort on bicubic sampling and
    # a lower crf (more bits) rather than a slower x264 preset: at 1080p the encoder is the bottleneck.
    Mode.STD: (720, 1280, "veryfast", 21),
    Mode.PRO: (1080, 1920, "veryfast", 17),
}


def frame_params(motion: Motion, i: int) -> Frame:
    """Row ``i`` of the motion arrays as a :class:`Frame`."""
    return Frame(
        open=float(motion.open[i]), width=float(motion.width[i]), tongue=float(motion.tongue[i]),
        tuck=float(motion.tuck[i]), blink=float(motion.blink[i]), yaw=float(motion.yaw[i]),
        pitch=float(motion.pitch[i]), roll=float(motion.roll[i]),
        dx=float(motion.dx[i]), dy=float(motion.dy[i]),
        smile=float(motion.smile[i]), brow=float(motion.brow[i]), zoom=float(motion.zoom[i]),
        pan_x=float(motion.pan_x[i]), pan_y=float(motion.pan_y[i]),
    )


def _speech_stage(audio_path: str | Path, opts: AvatarOptions,
                  clock: StageClock) -> tuple[np.ndarray, MouthTrack]:
    """Decode the audio once (48 kHz for the output), analyse a 16 kHz copy → (audio, track)."""
    with clock.stage("decode", cpu=False):
        try:
            audio = decode_audio(audio_path, rate=AUDIO_RATE, max_seconds=opts.max_audio_s)
        except ValueError as exc:
            raise EngineInputError(f"audio: {exc}") from exc
        if len(audio) < AUDIO_RATE * 0.1:
            raise EngineInputError("audio: the speech track is empty or shorter than 0.1 s")
        audio16 = resample_poly(audio, 1, 3).astype(np.float32)
    phones = opts.phones
    if phones is None and opts.phones_path is not None:
        phones = load_phones_json(opts.phones_path)
    with clock.stage("speech", cpu=False):  # language ID + recognition + curves
        track = build_track(audio16, phones=phones, language=opts.language, duration=len(audio) / AUDIO_RATE,
                            transcript=opts.transcript)
    return audio, track


def _prepare(image_path: str | Path, audio_path: str | Path, opts: AvatarOptions, clock: StageClock,
             progress: ProgressFn) -> tuple[np.ndarray, MouthTrack, Renderer]:
    """Face, rig and renderer in this thread while a helper thread decodes and recognises the speech: both are
    independent native work, so on two cores the face side is hidden behind the (longer) speech side."""
    max_short, max_long = MODES[opts.mode][:2]
    helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="avatar-speech")
    with clock.stage("prepare"), helper as pool:
        speech_job = pool.submit(_speech_stage, audio_path, opts, clock)
        try:
            with clock.stage("face", cpu=False):
                portrait = load_portrait(image_path, max_short, max_long)
            progress(0.01)  # (a cancel or timeout can stop the job here, before any frame is rendered)
            with clock.stage("rig", cpu=False):
                renderer = Renderer(Rig(portrait, seed=opts.seed), high_quality=opts.mode == Mode.PRO)
        except BaseException:
            speech_job.cancel()
            raise
        audio, track = speech_job.result()
    return audio, track, renderer


def render_avatar(
    image_path: str | Path,
    audio_path: str | Path,
    out_path: str | Path,
    options: AvatarOptions | None = None,
    progress: ProgressFn = no_progress,
) -> AvatarResult:
    """Portrait + speech → MP4 (H.264 yuv420p + AAC, 25 fps, same length as the audio within a frame).

    Raises :class:`EngineInputError` for unusable inputs (no face, face too small, no audio).
    ``timings`` in the result: see :mod:`.stages` (wall and CPU seconds per stage).
    """
    opts = options or AvatarOptions()
    if opts.mode not in MODES:
        raise EngineInputError(f"mode: must be 'std' or 'pro', got {opts.mode!r}")
    _, _, preset, crf = MODES[opts.mode]
    clock = StageClock()
    progress(0.0)
    with clock.stage("total"):
        audio, track, renderer = _prepare(image_path, audio_path, opts, clock, progress)
        duration = len(audio) / AUDIO_RATE
        n = max(1, round(duration * opts.fps))
        with clock.stage("motion"):
            motion = build_motion(track, n, opts.fps, parse_prompt(opts.prompt), seed=opts.seed)
        h, w = renderer.rig.texture.image.shape[:2]
        progress(0.02)
        out = Path(out_path)
        settings = VideoSettings(fps=opts.fps, preset=preset, crf=crf)
        _render_encode(renderer, motion, audio, out, settings, clock, progress)
    progress(1.0)
    return AvatarResult(path=out, duration_s=n / opts.fps, frames=n, width=w, height=h,
                        speech_source=track.source, timings=clock.rounded())


def _render_encode(renderer: Renderer, motion: Motion, audio: np.ndarray, out: Path, settings: VideoSettings,
                   clock: StageClock, progress: ProgressFn) -> None:
    """Render the frames in this thread while the writer's threads encode them (H.264) and the audio (AAC).

    ``render`` is this thread's share, ``encode_wait`` the time it waited on a full encoder queue, ``finish``
    the encoder flush, the mux and the index at the end; ``encode`` and ``audio`` the encoder threads' busy
    time (overlapping the rest)."""
    n = len(motion.open)
    # The muxed audio is exactly n frames long (pad/trim < 1 frame) so the streams end together.
    n_audio = round(n * AUDIO_RATE / float(settings.fps))
    mux_audio = np.zeros(n_audio, np.float32)
    mux_audio[: min(n_audio, len(audio))] = audio[:n_audio]
    h, w = renderer.rig.texture.image.shape[:2]
    perf = time.perf_counter
    with clock.stage("render_encode"):
        writer = VideoWriter(out, w, h, settings, audio=mux_audio, audio_rate=AUDIO_RATE)
        try:
            for i in range(n):
                t = perf()
                frame = renderer.render(frame_params(motion, i))
                t1 = perf()
                writer.write(frame)
                clock.add("render", t1 - t)
                clock.add("encode_wait", perf() - t1)
                progress(0.02 + 0.96 * (i + 1) / n)  # may raise Cancelled: the writer aborts
        except BaseException:
            writer.abort()
            raise
        with clock.stage("finish"):
            writer.close()
    clock.add("encode", writer.video_seconds)
    clock.add("audio", writer.audio_seconds)


def warm_up() -> None:
    """Load every model a job uses (mediapipe graphs, Whisper, hama) and run each once, so that a worker's
    first avatar task is as fast as its later ones. Safe to call from a background thread during a job."""
    preload_face()
    quiet = np.zeros(16000, np.float32)
    if whisper_available():
        detect_language(quiet)
    hama_phones(quiet)


def expected_frames(duration_s: float, fps: int = 25) -> int:
    """Frames produced for an audio of ``duration_s`` (exposed for tests and the executor)."""
    return max(1, round(duration_s * fps))

