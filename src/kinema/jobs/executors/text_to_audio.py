"""Executor for the ``text_to_audio`` kind (``POST …/audio/text-to-audio``): → :func:`text_to_audio`.

The request is already valid (prompt present, duration in range with one decimal), so this only hands the
prompt, the length and the task's seed to the engine and names its two files: the MP3 and the WAV of one
audio (``group`` 0, one ``audios[]`` entry). ``duration_wav`` is the exact requested length; the MP3's is
what its container says.
"""

from __future__ import annotations

from kinema.contract.requests import TextToAudioCreate
from kinema.engines.video_to_audio.text_to_audio import text_to_audio
from kinema.jobs.executors.base import JobContext, OutputFile
from kinema.media.audio_io import media_duration


def execute(ctx: JobContext[TextToAudioCreate]) -> list[OutputFile]:
    """Render one text-to-audio task and describe its outputs."""
    req = ctx.request
    result = text_to_audio(
        (req.prompt or "").strip(),
        float(req.duration or 0.0),
        ctx.workdir / "t2a",
        seed=ctx.seed,
        progress=ctx.progress,
        soundfont=ctx.soundfont,
    )
    measured = {"lufs": round(result.lufs, 2), "true_peak_db": round(result.true_peak_db, 2)}
    extra = {**measured, **result.track.summary}
    return [
        OutputFile(
            role="audio_mp3", path=result.mp3, duration_s=media_duration(result.mp3), group=0, extra=extra
        ),
        OutputFile(role="audio_wav", path=result.wav, duration_s=result.duration, group=0, extra=extra),
    ]
