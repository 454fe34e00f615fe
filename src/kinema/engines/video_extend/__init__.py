"""Video extension on a CPU: a video, then a few seconds more rendered from its last frame by the
image-to-video engine, continuing the video's own camera motion (:mod:`.engine`)."""

from kinema.engines.video_extend.engine import Continuation, ExtendOptions, ExtendResult, extend_video

__all__ = ["Continuation", "ExtendOptions", "ExtendResult", "extend_video"]
