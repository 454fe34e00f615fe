"""Prompt vocabulary: words a viewer would use for a motion, mapped to camera moves and ambient motions.

No language model runs here, so the prompt is read as a bag of phrases (English). Each phrase maps to one
motion with a default strength; adverbs such as "slowly" or "dramatic" scale them; ``negative_prompt`` removes
any motion its phrases name; ``cfg_scale`` (0..1, default 0.5) scales how strongly the prompt drives motion.
The table below is the documented vocabulary (docs/image2video.md is generated from the same words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kinema.engines.image2video.camera import CameraMove, axis_move, preset_move

# phrase regex -> (camera axis or preset, value on Kling's -10..10 scale, with Kling's signs: zoom < 0 is a
# longer focal length, i.e. "zoom in")
CAMERA_WORDS: tuple[tuple[str, str, float], ...] = (
    (
        r"\b(zoom(s|ing)? in|push(es|ing)? in|dolly(ing)? in|move(s)? closer|closer and closer)\b",
        "zoom",
        -5.0,
    ),
    (
        r"\b(zoom(s|ing)? out|pull(s|ing)? (back|out)|dolly(ing)? out|move(s)? away|reveal(s|ing)?)\b",
        "zoom",
        5.0,
    ),
    (r"\bpan(s|ning)? left\b", "pan", -5.0),
    (r"\bpan(s|ning)? right\b", "pan", 5.0),
    (r"\bpan(s|ning|oramic)?\b(?! (left|right))", "pan", 4.0),
    (r"\btilt(s|ing)? up\b", "tilt", 5.0),
    (r"\btilt(s|ing)? down\b", "tilt", -5.0),
    (r"\b(truck|track|slide|move|dolly)(s|ing)? left\b", "horizontal", -5.0),
    (r"\b(truck|track|slide|move|dolly)(s|ing)? right\b", "horizontal", 5.0),
    (r"\b(crane|pedestal|boom|rise|rising|ascend(s|ing)?|move(s)? up)\b", "vertical", 5.0),
    (r"\b(descend(s|ing)?|move(s)? down|crane down|lower(s|ing)?)\b", "vertical", -5.0),
    (r"\b(roll(s|ing)?|dutch angle|rotat(e|es|ing|ion))\b", "roll", 4.0),
    (r"\borbit(s|ing)? left\b|\barc(s|ing)? left\b", "orbit", -5.0),
    (r"\b(orbit(s|ing)?|arc shot|circl(e|es|ing) around)\b(?! left)", "orbit", 5.0),
    (r"\b(fly(ing)? (over|forward|through)|drone shot|aerial)\b", "forward_up", 6.0),
)

STATIC_CAMERA = (
    r"\b(static|fixed|locked|still|stationary|tripod) (camera|shot)|\bno camera (movement|motion)\b"
)

# ambient motion -> phrase regex and default strength (1 = the engine's natural amplitude)
AMBIENT_WORDS: dict[str, tuple[str, float]] = {
    "sway": (
        r"\b(wind|windy|breeze|sway(s|ing)?|blow(s|ing|n)?|rustl(e|es|ing)|leaves|trees?|foliage|grass|"
        r"branches|flowers?|hair (flowing|moving|blowing)|flowing hair)\b",
        1.0,
    ),
    "ripple": (
        r"\b(water|river|lake|sea|ocean|waves?|ripple(s|d)?|stream|pond|shimmer(s|ing)?|flowing water)\b",
        1.0,
    ),
    "clouds": (r"\b(clouds?|cloudy|drift(s|ing)?|sky|timelapse|time-lapse)\b", 1.0),
    "snow": (r"\b(snow(s|ing|fall|flakes?)?|blizzard)\b", 1.0),
    "rain": (r"\b(rain(s|ing|y)?|drizzl(e|ing)|downpour|storm(y)?)\b", 1.0),
    "flicker": (
        r"\b(fire|flames?|candle(s|light)?|fireplace|flicker(s|ing)?|neon|lights?|glow(s|ing)?|"
        r"sparkl(e|es|ing)|twinkl(e|es|ing)|lamp|lantern|bonfire)\b",
        1.0,
    ),
    "breathing": (
        r"\b(breath(e|es|ing)?|alive|living|portrait|person|man|woman|girl|boy|child|people|smil(e|es|ing)|"
        r"looking|stand(s|ing)|sitting)\b",
        1.0,
    ),
}

SLOW_WORDS = r"\b(slow(ly)?|gentle|gently|subtle|subtly|calm|soft(ly)?|barely)\b"
FAST_WORDS = r"\b(fast|quick(ly)?|rapid(ly)?|dramatic(ally)?|strong(ly)?|dynamic|intense|wild)\b"
NEGATIVE_ALL_CAMERA = r"\bcamera (movement|motion|move|shake|moving)|\bmoving camera\b|\bshak(y|e|ing)\b"

DEFAULT_CAMERA = CameraMove().plus(axis_move("zoom", -2.0))
"""What a clip does with no camera words: a slow push-in, the least surprising move for any photo."""


@dataclass(frozen=True)
class MotionPlan:
    """The motions a prompt asks for. ``camera`` None means the camera holds still."""

    camera: CameraMove | None
    camera_words: tuple[str, ...] = ()
    ambient: dict[str, float] = field(default_factory=dict)
    from_prompt: bool = False


def cfg_gain(cfg_scale: float | None) -> float:
    """0 -> 0.4x, 0.5 (default) -> 1x, 1 -> 1.6x: how strongly the prompt drives motion."""
    cfg = 0.5 if cfg_scale is None else min(max(float(cfg_scale), 0.0), 1.0)
    return 0.4 + 1.2 * cfg


def _orbit(value: float) -> CameraMove:
    """Orbit: slide sideways while turning back to the subject, so the subject stays and the world slides."""
    side = axis_move("horizontal", value)
    return CameraMove(tx=side.tx, yaw=-side.tx * 0.85)


def plan_motion(prompt: str, negative_prompt: str = "", cfg_scale: float | None = None) -> MotionPlan:  # noqa: C901 -- one branch per phrase family of the prompt
    """Read the prompt and negative prompt into a :class:`MotionPlan`."""
    text = (prompt or "").lower()
    neg = (negative_prompt or "").lower()
    gain = cfg_gain(cfg_scale)
    if re.search(SLOW_WORDS, text):
        gain *= 0.6
    if re.search(FAST_WORDS, text):
        gain *= 1.5

    camera: CameraMove | None = None
    words: list[str] = []
    for pattern, target, value in CAMERA_WORDS:
        m = re.search(pattern, text)
        if not m or re.search(pattern, neg):
            continue
        words.append(m.group(0))
        if target == "orbit":
            move = _orbit(value)
        elif target in ("forward_up", "down_back", "right_turn_forward", "left_turn_forward"):
            move = preset_move(target).scaled(value / 10.0)
        else:
            move = axis_move(target, value)
        camera = move if camera is None else camera.plus(move)
    static = bool(re.search(STATIC_CAMERA, text)) or bool(re.search(NEGATIVE_ALL_CAMERA, neg))
    if static:
        camera, words = None, [*words, "static camera"]
    elif camera is not None:
        camera = camera.scaled(gain)
    elif not re.search(r"\b(zoom|push|dolly)", neg):
        camera = DEFAULT_CAMERA

    ambient: dict[str, float] = {}
    for name, (pattern, strength) in AMBIENT_WORDS.items():
        if re.search(pattern, text) and not re.search(pattern, neg):
            ambient[name] = strength * gain
    return MotionPlan(
        camera=camera, camera_words=tuple(words), ambient=ambient, from_prompt=bool(text.strip())
    )
