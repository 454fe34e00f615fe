"""How far an override may relax each limit: past these bounds something behind the contract cannot follow.

A create request is either rejected at create time or it runs. A limit raised past what an engine renders
(or what a database column holds) would break that: the request would be accepted with ``code: 0`` and the
task would fail later for a rule the client was never told about. So such an override stops the server at
start-up instead, like an unknown limit name, and says why.

The numbers are facts about the engines and the schema, written here because the contract layer imports
nothing above it; ``tests/contract/test_limit_bounds.py`` checks each one against its source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kinema.contract.limits import Limits


@dataclass(frozen=True)
class Bound:
    """``low``/``high``: the least/most a limit may be set to; ``why`` ends the start-up error."""

    low: float | None = None
    high: float | None = None
    why: str = ""


BOUNDS: dict[str, Bound] = {
    "image_max_pixels": Bound(high=178_956_970, why="Pillow refuses to decode larger images"),
    "avatar_audio_min_s": Bound(low=0.1, why="the avatar engine needs at least 0.1 s of speech"),
    "avatar_audio_max_s": Bound(high=600.0, why="the avatar engine renders at most 600 s of speech"),
    "cfg_scale_min": Bound(low=0.0, why="the image-to-video engine reads cfg_scale in [0, 1]"),
    "cfg_scale_max": Bound(high=1.0, why="the image-to-video engine reads cfg_scale in [0, 1]"),
    "trajectory_min_points": Bound(low=2, why="a motion-brush trajectory needs two points"),
    "dynamic_masks_max": Bound(high=6, why="the image-to-video engine takes at most 6 dynamic masks"),
    "camera_value_min": Bound(low=-10.0, why="the image-to-video camera moves are defined in [-10, 10]"),
    "camera_value_max": Bound(high=10.0, why="the image-to-video camera moves are defined in [-10, 10]"),
    "v2a_video_max_s": Bound(high=120.0, why="the video-to-audio engine scores at most 120 s of video"),
    "v2a_video_fps_max": Bound(
        high=240.0, why="a worker decodes every frame of the video: this bounds a task's cost (issue 13)"
    ),
    "v2a_video_frames_max": Bound(
        high=5000, why="a worker decodes every frame of the video: this bounds a task's cost (issue 13)"
    ),
    "v2a_video_frames_min": Bound(low=2, why="the video-to-audio engine measures motion between frames"),
    "extend_total_max_s": Bound(
        low=5.0, why="an extension adds 4 to 5 s: a smaller total would leave no video extendable"
    ),
    "t2a_duration_min_s": Bound(low=1.0, why="the text-to-audio engine renders at least 1 s"),
    "t2a_duration_max_s": Bound(high=120.0, why="the text-to-audio engine renders at most 120 s"),
    "tts_text_max_chars": Bound(high=1000, why="the TTS engine speaks at most 1000 characters"),
    "tts_speed_min": Bound(low=0.8, why="the TTS engine speaks at 0.8x to 2.0x"),
    "tts_speed_max": Bound(high=2.0, why="the TTS engine speaks at 0.8x to 2.0x"),
    "external_task_id_max_chars": Bound(high=256, why="the tasks table stores at most 256 characters"),
}


def check_bounds(limits: Limits) -> None:
    """Raise ``ValueError`` naming the first limit set beyond its bound."""
    for name, bound in BOUNDS.items():
        value = getattr(limits, name)
        if bound.low is not None and value < bound.low:
            raise ValueError(f"limit {name}={value:g} is below {bound.low:g}: {bound.why}")
        if bound.high is not None and value > bound.high:
            raise ValueError(f"limit {name}={value:g} is above {bound.high:g}: {bound.why}")
