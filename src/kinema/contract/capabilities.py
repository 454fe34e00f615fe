"""What each image-to-video model can do, per mode and duration: the official capability map in one table.

Source: the 2026 notes §1.3 ("Video Models") and the image2video field table. Every model takes std and pro.
A feature not listed for a model is not supported by it; a listed feature names the modes and durations it
works in. :class:`kinema.contract.requests.image2video.Image2VideoCreate` checks a request against this table
after its own field rules, so an unsupported combination is a 1201 naming the field, the model and the mode.

Durations: the map gives "5/10" for every model except kling-v3 (3–15). For kling-v3 the range is the one the
limits profile allows (``i2v_duration_min_s``..``i2v_duration_max_s``, "5"/"10" only under strict), so
``KINEMA_LIMIT_OVERRIDES`` still widens it; for the 5/10 models no override can add other lengths, since the
map does not have them.

Output picture per model and mode (the map's "Resolution and fps" lines): ``short_side`` is the frame's short
side in pixels ("720p" = 720; the long side follows the input picture's aspect ratio) and ``fps`` the frame
rate. The engine renders at exactly that size, scaling the input up or down.

Where the map is vague this table takes the permissive reading (each such entry says so below).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kinema.contract.model_names import IMAGE2VIDEO_MODELS

STD_PRO: frozenset[str] = frozenset({"std", "pro"})
PRO: frozenset[str] = frozenset({"pro"})
FIVE_TEN: tuple[str, ...] = ("5", "10")

#: Feature key → how a message names it ("kling-v2-master does not support a last frame").
FEATURE_NAMES: Mapping[str, str] = {
    "image_tail": "a last frame",
    "motion_brush": "the motion brush",
    "camera_control": "camera control",
    "sound": 'sound "on"',
    "multi_shot": "multi-shot",
    "element_list": "element control",
    "voice_list": "voice control",
}


@dataclass(frozen=True)
class Allowed:
    """Where one feature works on one model: these modes, and these durations (None: every duration)."""

    modes: frozenset[str] = STD_PRO
    durations: tuple[str, ...] | None = None

    def permits(self, mode: str, duration: str) -> bool:
        return mode in self.modes and (self.durations is None or duration in self.durations)

    def describe(self) -> str:
        """``"in mode pro at 5 s"``: what a rejection tells the client it can do instead."""
        text = "in mode " + "/".join(sorted(self.modes, reverse=True))
        if self.durations is not None:
            text += " at " + " or ".join(self.durations) + " s"
        return text


@dataclass(frozen=True)
class OutputFormat:
    """The picture one model makes in one mode: short side in pixels (the long side keeps the input's aspect
    ratio) and frames per second."""

    short_side: int
    fps: int

    @property
    def label(self) -> str:
        """``"1080p 24 fps"``: how the docs and messages name it."""
        return f"{self.short_side}p {self.fps} fps"


P720_30 = OutputFormat(720, 30)
P1080_30 = OutputFormat(1080, 30)
P720_24 = OutputFormat(720, 24)
P1080_24 = OutputFormat(1080, 24)


@dataclass(frozen=True)
class ModelCaps:
    """One image-to-video model (all take std and pro): its output per mode, its durations (None: the
    profile's range) and its features."""

    output: Mapping[str, OutputFormat]
    durations: tuple[str, ...] | None = FIVE_TEN
    features: Mapping[str, Allowed] = field(default_factory=dict)


_PRO_TAIL = {"image_tail": Allowed(PRO)}
# "v1-5 and v1-6: pro 1080p, 30 fps": std is not given; it is read as 720p at the same 30 fps.
_V1_HD = {"std": P720_30, "pro": P1080_30}
# "v2-1 pro, v2-5, v2-1-master: 1080p at 24 fps": std read as 720p at 24 fps, like every 2.x std mode.
_V2_HD = {"std": P720_24, "pro": P1080_24}

IMAGE2VIDEO_CAPS: Mapping[str, ModelCaps] = {
    # "start/end frame and motion brush at 5 s". Camera control is listed for t2v std 5 s only; kinema's
    # image2video has always honoured it on kling-v1, so (permissive) it is kept here, at 5 s, both modes.
    # "v1: 720p at 30 fps" (both modes; pro is the slower, cleaner render at the same size).
    "kling-v1": ModelCaps(
        output={"std": P720_30, "pro": P720_30},
        features={
            "image_tail": Allowed(durations=("5",)),
            "motion_brush": Allowed(durations=("5",)),
            "camera_control": Allowed(durations=("5",)),
        },
    ),
    # "start/end pro; motion brush pro 5 s; camera control (simple) pro 5 s". The "(simple)" restriction
    # on the camera type is not enforced (permissive): kinema renders every preset.
    "kling-v1-5": ModelCaps(
        output=_V1_HD,
        features={
            "image_tail": Allowed(PRO),
            "motion_brush": Allowed(PRO, ("5",)),
            "camera_control": Allowed(PRO, ("5",)),
        },
    ),
    # "start/end pro; multi-image2video; multi-elements": the last two are other endpoints.
    "kling-v1-6": ModelCaps(output=_V1_HD, features=_PRO_TAIL),
    # "v2-master: 720p at 24 fps", both modes.
    "kling-v2-master": ModelCaps(output={"std": P720_24, "pro": P720_24}),
    "kling-v2-1": ModelCaps(output=_V2_HD, features=_PRO_TAIL),
    "kling-v2-1-master": ModelCaps(output=_V2_HD),
    "kling-v2-5-turbo": ModelCaps(output=_V2_HD, features=_PRO_TAIL),
    # "sound:on only in pro; start/end pro, no audio; voice control pro". "No audio" with a last frame is
    # read permissively: the combination is accepted (sound is simply not promised with a last frame).
    # The map gives no resolution for v2-6 or v3: both are read like the newest models it does list
    # (v2-5: pro 1080p, std 720p, 24 fps), the permissive reading (the larger picture, not v2-master's 720p).
    "kling-v2-6": ModelCaps(
        output=_V2_HD,
        features={
            "image_tail": Allowed(PRO),
            "sound": Allowed(PRO),
            "voice_list": Allowed(PRO),
        },
    ),
    # "3–15, std/pro; multi-shot; start & end frame; element control; voice control ✗". Native audio is
    # not spelled out for v3 in the map, but its t2v/i2v tables take `sound`: allowed in both modes
    # (permissive).
    "kling-v3": ModelCaps(
        output=_V2_HD,
        durations=None,
        features={
            "image_tail": Allowed(),
            "multi_shot": Allowed(),
            "element_list": Allowed(),
            "sound": Allowed(),
        },
    ),
}

assert set(IMAGE2VIDEO_CAPS) == set(IMAGE2VIDEO_MODELS), "every image2video model needs a capability row"
assert all(set(c.output) == STD_PRO for c in IMAGE2VIDEO_CAPS.values()), "every row needs std and pro output"


def output_format(model: str, mode: str) -> OutputFormat:
    """The picture ``model`` makes in ``mode``; an unknown model is read as kling-v1 (the default model)."""
    caps = IMAGE2VIDEO_CAPS.get(model, IMAGE2VIDEO_CAPS["kling-v1"])
    return caps.output.get(mode, caps.output["std"])


def unsupported(model: str, feature: str, mode: str, duration: str) -> str | None:
    """Why ``model`` cannot use ``feature`` in ``mode`` at ``duration`` seconds, or None when it can."""
    caps = IMAGE2VIDEO_CAPS[model]
    name = FEATURE_NAMES[feature]
    allowed = caps.features.get(feature)
    if allowed is None:
        return f"{model} does not support {name} (mode {mode})"
    if not allowed.permits(mode, duration):
        return f"{model} supports {name} only {allowed.describe()} (mode {mode}, duration {duration})"
    return None


def honours_cfg_scale(model: str) -> bool:
    """Whether ``cfg_scale`` has an effect on ``model``: the official reference says the kling-v2.x models
    (and so the later ones) do not support it, so only the kling-v1 family takes it. The image-to-video
    engine reads this, and ``task_info.unsupported_fields`` reports the field when it is ignored."""
    return model.startswith("kling-v1")


def duration_unsupported(model: str, mode: str, duration: str) -> str | None:
    """Why ``model`` cannot make a ``duration``-second clip, or None when the table allows it."""
    durations = IMAGE2VIDEO_CAPS[model].durations
    if durations is None or duration in durations:
        return None
    wanted = " or ".join(f'"{d}"' for d in durations)
    return f'{model} supports {wanted} (mode {mode}), got "{duration}"'
