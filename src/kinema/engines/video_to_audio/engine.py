"""The video-to-audio engine's face: a video file in; WAV, MP3 and the re-scored video out.

Stages: :func:`.analysis.analyze_video` (what moves, where, when) → :func:`.soundtrack.render_soundtrack`
(procedural effects, beds and music, mastered to −16 LUFS / −1 dBTP, exactly the video's length) →
encode (WAV, MP3) and :func:`.mux.remux_with_audio` (picture copied when possible).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kinema.engines.base import ProgressFn, no_progress
from kinema.engines.video_to_audio.analysis import VideoAnalysis, analyze_video
from kinema.engines.video_to_audio.fluid import AUTO
from kinema.engines.video_to_audio.mux import remux_with_audio
from kinema.engines.video_to_audio.soundtrack import Soundtrack, render_soundtrack
from kinema.media.audio_io import write_mp3, write_wav

MAX_SECONDS = 120.0


@dataclass(frozen=True)
class V2AResult:
    """Paths of the outputs and a short account of what was heard in the picture."""

    wav: Path
    mp3: Path
    video: Path
    duration: float
    lufs: float
    true_peak_db: float
    picture_copied: bool
    summary: dict[str, Any] = field(default_factory=dict)


def video_to_audio(
    video: str | Path,
    out_dir: str | Path,
    sound_effect_prompt: str = "",
    bgm_prompt: str = "",
    asmr_mode: bool = False,
    *,
    seed: int = 0,
    name: str = "v2a",
    progress: ProgressFn = no_progress,
    max_seconds: float = MAX_SECONDS,
    soundfont: str | Path | None = AUTO,
) -> V2AResult:
    """Score ``video``: writes ``<name>.wav``, ``<name>.mp3`` and ``<name>.mp4`` into ``out_dir``.

    ``progress`` gets fractions in [0, 1] and may raise :class:`~kinema.engines.base.Cancelled`.
    Raises :class:`~kinema.engines.base.EngineInputError` for a file without a decodable picture, or one
    that goes on past ``max_seconds`` (found while decoding; nothing past it is processed). ``soundfont``:
    the music's General MIDI SoundFont, ``"auto"`` (Debian's, when installed) or ``"none"`` (oscillators).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    analysis = analyze_video(video, progress=lambda f: progress(0.5 * f), max_seconds=max_seconds)
    track = render_soundtrack(
        analysis,
        sound_effect_prompt,
        bgm_prompt,
        asmr_mode,
        seed,
        progress=lambda f: progress(0.5 + 0.3 * f),
        soundfont=soundfont,
    )
    wav, mp3, mp4 = out / f"{name}.wav", out / f"{name}.mp3", out / f"{name}.mp4"
    write_wav(track.audio, track.rate, wav)
    progress(0.85)
    # MP3 encoding and the remux (AAC encoding) are independent and both spend their time in FFmpeg code
    # that releases the GIL: run them side by side on the two cores.
    with ThreadPoolExecutor(max_workers=2) as pool:
        mp3_job = pool.submit(write_mp3, track.audio, track.rate, mp3, 192_000, fast=True)
        copied = remux_with_audio(video, track.audio, track.rate, mp4)
        mp3_job.result()
    progress(1.0)
    summary = describe(analysis, track)
    return V2AResult(wav, mp3, mp4, analysis.duration, track.lufs, track.true_peak_db, copied, summary)


def describe(analysis: VideoAnalysis, track: Soundtrack) -> dict[str, Any]:
    """What was heard in the picture and what played: the task's output record and the CLI show it."""
    return {
        "events": [round(e.time, 3) for e in analysis.events],
        "cuts": [round(c, 3) for c in analysis.cuts],
        "impact": track.sound.impact,
        "beds": list(track.sound.beds),
        "whoosh": track.sound.whoosh,
        "music": track.music.mood if track.music.enabled else "none",
        "music_source": track.music_source,
        "matched_words": list(track.sound.matched),
    }
