"""``mode`` and ``model_name`` mapped to engine settings (the documented table in docs/image2video.md).

The output size and frame rate come from the contract's capability table
(:func:`kinema.contract.capabilities.output_format`: e.g. kling-v1 720p 30 fps, kling-v1-6 pro 1080p 30 fps,
kling-v2-1 pro 1080p 24 fps). ``mode`` is otherwise the quality/speed trade-off: ``pro`` uses a slower x264
preset, finer optical flow at a higher working resolution and a larger inpainting resolution. Both sample
bilinearly (bicubic remap cost ~8x for no visible gain).
``model_name`` picks how lively the motion is (newer upstream models move more) and whether ``cfg_scale`` is
honoured (upstream: kling-v2.x models do not support it).
"""

from __future__ import annotations

from dataclasses import dataclass

from kinema.contract.capabilities import honours_cfg_scale, output_format
from kinema.contract.vocabulary import Mode


@dataclass(frozen=True)
class EngineSettings:
    short_side: int
    fps: int
    preset: str
    crf: int
    first_frame_q: int
    cubic: bool
    flow_side: int
    fine_flow: bool
    inpaint_side: int
    motion_scale: float
    honours_cfg: bool


# One entry per model name of the contract (tests/engines/image2video/test_settings.py checks the two agree).
MOTION_SCALE = {
    "kling-v1": 0.85,
    "kling-v1-5": 1.0,
    "kling-v1-6": 1.0,
    "kling-v2-master": 1.1,
    "kling-v2-1": 1.1,
    "kling-v2-1-master": 1.1,
    "kling-v2-5-turbo": 1.15,
    "kling-v2-6": 1.15,
    "kling-v3": 1.2,
}


def settings_for(model_name: str | None, mode: str | None) -> EngineSettings:
    """Engine settings for a request; unknown model names fall back to kling-v1 (the upstream default)."""
    name = model_name if model_name in MOTION_SCALE else "kling-v1"
    pro = mode == Mode.PRO
    out = output_format(name, Mode.PRO if pro else Mode.STD)
    return EngineSettings(
        short_side=out.short_side,
        fps=out.fps,
        preset="faster" if pro else "veryfast",  # superfast drifts in static areas (~1 grey level)
        crf=16,
        # Frame 0 must match the photo (SSIM ≥ 0.98) even when the photo is noise-like: at crf 16 a star
        # field reached only 0.978; a fixed q 14 for that one frame gives 0.989.
        first_frame_q=14,
        cubic=False,  # bicubic remap costs ~8x bilinear on this CPU for no visible gain at these scales
        flow_side=540 if pro else 360,
        fine_flow=pro,
        inpaint_side=640 if pro else 384,
        motion_scale=MOTION_SCALE[name],
        honours_cfg=honours_cfg_scale(name),
    )
