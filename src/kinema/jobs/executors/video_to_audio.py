"""Executor for the ``video_to_audio`` kind (``POST …/audio/video-to-audio``): → :func:`video_to_audio`.

It maps the validated request (``sound_effect_prompt``, ``bgm_prompt``, ``asmr_mode``) onto the engine and
names the three files: the MP3 and WAV of one audio (``group`` 0, one ``audios[]`` entry) and the source video
re-scored with it. The engine writes into the task's work directory; the runner uploads from there. The
engine stops decoding past the server's ``v2a_video_max_s`` (plus codec slack) and fails the task.
"""

from __future__ import annotations

from kinema.contract.requests import VideoToAudioCreate
from kinema.engines.base import EngineInputError
from kinema.engines.video_to_audio import video_to_audio
from kinema.jobs.executors.base import JobContext, OutputFile, duration_cap
from kinema.media.audio_io import media_duration


def execute(ctx: JobContext[VideoToAudioCreate]) -> list[OutputFile]:
    """Run the engine for one task and describe its outputs."""
    video = ctx.inputs.get("video")
    if video is None:
        raise EngineInputError("video: one of video_id or video_url is required")
    req = ctx.request
    result = video_to_audio(
        video,
        ctx.workdir / "v2a",
        sound_effect_prompt=(req.sound_effect_prompt or "").strip(),
        bgm_prompt=(req.bgm_prompt or "").strip(),
        asmr_mode=req.asmr_mode,
        seed=ctx.seed,
        progress=ctx.progress,
        max_seconds=duration_cap(ctx.limits.v2a_video_max_s, ctx.limits),
        soundfont=ctx.soundfont,
    )
    extra = {"lufs": round(result.lufs, 2), "true_peak_db": round(result.true_peak_db, 2), **result.summary}
    return [
        OutputFile(
            role="audio_mp3", path=result.mp3, duration_s=media_duration(result.mp3), group=0, extra=extra
        ),
        OutputFile(role="audio_wav", path=result.wav, duration_s=result.duration, group=0, extra=extra),
        OutputFile(
            role="video",
            path=result.video,
            duration_s=media_duration(result.video),
            extra={"picture_copied": result.picture_copied},
        ),
    ]
