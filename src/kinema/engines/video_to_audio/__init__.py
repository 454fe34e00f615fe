"""Video to audio without an audio model: classical video analysis + procedural sound design.

``video_to_audio(video, out_dir, sound_effect_prompt, bgm_prompt, asmr_mode) -> V2AResult`` writes a WAV, an
MP3 and the source video re-scored with that audio. See docs/video_to_audio.md.
"""

from kinema.engines.video_to_audio.analysis import MotionEvent, VideoAnalysis, analyze_video
from kinema.engines.video_to_audio.engine import V2AResult, video_to_audio
from kinema.engines.video_to_audio.soundtrack import Soundtrack, render_soundtrack

__all__ = [
    "MotionEvent",
    "Soundtrack",
    "V2AResult",
    "VideoAnalysis",
    "analyze_video",
    "render_soundtrack",
    "video_to_audio",
]
