"""Native audio for a generated clip: its own picture and its prompt's sound words → one MP4 with sound.

Models with native audio (``sound: "on"`` on image-to-video) hand back a clip that already carries its
soundtrack. kinema makes it the way video-to-audio scores any video: the clip is analysed (what moves, when,
where; the light and colour of the place), a soundtrack is synthesised and mastered to −16 LUFS / −1 dBTP,
exactly the clip's length, and muxed under the picture as AAC (the picture's packets are copied, not
re-encoded). What differs is where the words come from: one video prompt, which describes a picture, is
split into effect words and music words by :func:`.prompts.split_video_prompt`; a prompt that names no
sound the tables know leaves both to the picture, as video-to-audio does with empty prompts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kinema.engines.base import ProgressFn, no_progress
from kinema.engines.video_to_audio.analysis import analyze_video
from kinema.engines.video_to_audio.engine import MAX_SECONDS, describe
from kinema.engines.video_to_audio.fluid import AUTO
from kinema.engines.video_to_audio.mux import remux_with_audio
from kinema.engines.video_to_audio.prompts import split_video_prompt
from kinema.engines.video_to_audio.soundtrack import render_soundtrack

#: Shares of the progress bar: decoding and analysing the clip, synthesis and mastering, then the mux.
_ANALYSIS, _SYNTHESIS = 0.45, 0.45


@dataclass(frozen=True)
class NativeAudio:
    """The clip with its soundtrack, the two prompts it was scored with and how the sound measured."""

    video: Path
    duration: float
    sound_effect_prompt: str
    bgm_prompt: str
    lufs: float
    true_peak_db: float
    picture_copied: bool
    summary: dict[str, Any] = field(default_factory=dict)


def add_native_audio(
    clip: str | Path,
    prompt: str,
    out: str | Path,
    *,
    seed: int = 0,
    progress: ProgressFn = no_progress,
    max_seconds: float = MAX_SECONDS,
    soundfont: str | Path | None = AUTO,
) -> NativeAudio:
    """Write ``out`` (MP4): ``clip``'s picture with a soundtrack made from it and ``prompt``'s sound words.

    ``progress`` gets fractions in [0, 1] and may raise :class:`~kinema.engines.base.Cancelled`. Raises
    :class:`~kinema.engines.base.EngineInputError` for a clip without a decodable picture or one longer than
    ``max_seconds``. ``soundfont``: what the music plays on (a path, ``"auto"``, ``"none"``).
    """
    sound_prompt, bgm_prompt = split_video_prompt(prompt)
    analysis = analyze_video(clip, progress=lambda f: progress(_ANALYSIS * f), max_seconds=max_seconds)
    track = render_soundtrack(
        analysis,
        sound_prompt,
        bgm_prompt,
        False,
        seed,
        progress=lambda f: progress(_ANALYSIS + _SYNTHESIS * f),
        soundfont=soundfont,
    )
    copied = remux_with_audio(clip, track.audio, track.rate, out)
    progress(1.0)
    return NativeAudio(
        video=Path(out),
        duration=len(track.audio) / track.rate,
        sound_effect_prompt=sound_prompt,
        bgm_prompt=bgm_prompt,
        lufs=track.lufs,
        true_peak_db=track.true_peak_db,
        picture_copied=copied,
        summary=describe(analysis, track),
    )
