"""Prompt vocabulary: a handful of words steer expression, head gestures, motion energy and the camera.

The prompt is free text (Kling's avatar prompt); we look for known words and phrases and ignore the rest, so
"a calm, friendly smile, slow push-in" works and "cinematic 8k" is harmless. The vocabulary is documented in
docs/avatar.md; keep the two in sync.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Style:
    """What the prompt asked for. Numbers are multipliers/levels used by :mod:`.motion`."""

    smile: float = 0.0  # 0..1 corners up/out, cheeks raised
    serious: float = 0.0  # 0..1 corners slightly down, brows lowered, less motion
    surprise: float = 0.0  # 0..1 brows raised, eyes a bit wider
    nod: float = 0.0  # 0..1 extra "yes" nods
    shake: float = 0.0  # 0..1 "no" head shakes
    tilt: float = 0.0  # −1..1 constant head tilt (positive: towards image right)
    energy: float = 1.0  # overall head/brow motion multiplier (excited > 1 > calm)
    camera: str = "static"  # static | push_in | zoom_out | pan_left | pan_right | pan_up | pan_down
    matched: tuple[str, ...] = field(default_factory=tuple)  # the vocabulary entries found (for logs/tests)


# (regex, field, value). Later entries win for the same field; energy multiplies.
_RULES: list[tuple[str, str, float | str]] = [
    (r"\b(smil\w*|happy|cheerful|friendly|joyful|grin\w*)\b", "smile", 1.0),
    (r"\b(slight(ly)? smil\w*|soft smile|gentle smile)\b", "smile", 0.5),
    (r"\b(serious|stern|neutral|formal|sad)\b", "serious", 1.0),
    (r"\b(surpris\w*|amazed|astonished|shock\w*|raised? (eye)?brows?)\b", "surprise", 1.0),
    (r"\b(nod\w*|agree\w*|yes)\b", "nod", 1.0),
    (r"\b(shak\w* (the |his |her |their )?head|head ?shake|disagree\w*|no no)\b", "shake", 1.0),
    (r"\b(tilt\w*|head tilt|cock\w* (the |his |her )?head)\b", "tilt", 1.0),
    (r"\btilt\w* (the |his |her |their )?head (to the )?left\b", "tilt", -1.0),
    (r"\b(excited|energetic|enthusiastic|lively|animated|expressive|passionate)\b", "energy", 1.8),
    (r"\b(calm|relaxed|still|subtle|quiet|gentle|composed|steady)\b", "energy", 0.45),
    (r"\b(push[- ]?in|zoom(s|ing)? in|dolly in|move(s)? closer|close[- ]?up)\b", "camera", "push_in"),
    (r"\b(zoom(s|ing)? out|pull[- ]?(back|out)|dolly out)\b", "camera", "zoom_out"),
    (r"\bpan(s|ning)? (to the )?left\b", "camera", "pan_left"),
    (r"\b(pan(s|ning)? (to the )?right|pan(s|ning)?)\b", "camera", "pan_right"),
    (r"\b(pan(s|ning)?|tilt(s|ing)?) up\b", "camera", "pan_up"),
    (r"\b(pan(s|ning)?|tilt(s|ing)?) down\b", "camera", "pan_down"),
]


def parse_prompt(prompt: str | None) -> Style:
    """Free text → :class:`Style`. Unknown words are ignored; an empty prompt is the neutral style."""
    if not prompt:
        return Style()
    text = prompt.lower()
    values: dict[str, float | str] = {}
    matched: list[str] = []
    energy = 1.0
    for pattern, name, value in _RULES:
        m = re.search(pattern, text)
        if not m:
            continue
        matched.append(m.group(0))
        if name == "energy":
            energy *= float(value)
        else:
            values[name] = value
    if "camera" in values and values["camera"] == "pan_right" and re.search(r"\bpan\w* (to the )?left", text):
        values["camera"] = "pan_left"
    if values.get("tilt") and re.search(r"\btilt\w* (up|down)\b", text) and not re.search(r"\bhead\b", text):
        values.pop("tilt")  # "tilt up" is a camera move, not a head tilt
    if values.get("serious"):
        energy *= 0.7
    return Style(
        smile=float(values.get("smile", 0.0)),
        serious=float(values.get("serious", 0.0)) if not values.get("smile") else 0.0,
        surprise=float(values.get("surprise", 0.0)),
        nod=float(values.get("nod", 0.0)),
        shake=float(values.get("shake", 0.0)),
        tilt=float(values.get("tilt", 0.0)),
        energy=float(min(2.5, max(0.3, energy))),
        camera=str(values.get("camera", "static")),
        matched=tuple(matched),
    )
