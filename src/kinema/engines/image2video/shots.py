"""Multi-shot clips (``multi_shot``): where the hard cuts fall and how one prompt becomes several shots.

A multi-shot clip is a sequence of shots rendered from the same photo, each with the motion its own prompt
asks for (:func:`kinema.engines.image2video.prompt.plan_motion`), joined by hard cuts: every shot opens on the
photo's framing again, so the cut shows as a jump from where the previous shot's camera had moved to.

``shot_type: "customize"`` gives the shots explicitly (``multi_prompt``). ``shot_type: "intelligence"`` asks
the server to cut the single ``prompt`` itself; the rule here (:func:`intelligent_shots`) is:

* the prompt is split at sentence ends (``.``, ``!``, ``?``, ``;``) and at the words "then", "and then",
  "after that", "afterwards" and "finally" (which are dropped);
* there are at most :data:`MAX_SHOTS` shots and at most one per whole second of the clip: surplus pieces join
  the last shot;
* the shots share the clip's length equally (a 10 s clip in 3 shots: 3.33 s each);
* each shot's camera comes from its own piece; ambient words (wind, water, snow…) anywhere in the prompt
  describe the scene, so they apply to every shot.

A shot whose prompt names no camera move gets a default one that differs from its neighbour's (a slow
push-in, then a slow sideways truck, alternating), so consecutive shots never repeat the same move.
"""

from __future__ import annotations

import itertools
import re

from kinema.engines.image2video.camera import CameraMove, axis_move
from kinema.engines.image2video.options import Shot

MAX_SHOTS = 6
"""Upstream's cap on ``multi_prompt`` entries, used for intelligent splitting too."""

SHOT_BREAK = re.compile(
    r"(?<=[.!?;])\s+|[\s,;]*\b(?:and then|then|after that|afterwards|finally)\b[\s,:]*",
    re.IGNORECASE,
)

DEFAULT_SHOT_MOVES: tuple[CameraMove, ...] = (
    CameraMove().plus(axis_move("zoom", -2.0)),
    CameraMove().plus(axis_move("horizontal", 3.0)),
)
"""Default camera of shot k (k modulo 2) when its prompt names no move; shot 0's is the one-shot default."""

DURATION_TOLERANCE_S = 1e-6


def split_prompt(prompt: str, max_shots: int = MAX_SHOTS) -> list[str]:
    """The prompt's pieces, one per shot (see the module docstring); ``[""]`` for an empty prompt."""
    pieces = [p.strip(" \t\n,.;:!?") for p in SHOT_BREAK.split(prompt or "")]
    pieces = [p for p in pieces if p]
    if not pieces:
        return [""]
    keep = max(1, max_shots)
    if len(pieces) > keep:
        pieces = [*pieces[: keep - 1], ". ".join(pieces[keep - 1 :])]
    return pieces


def intelligent_shots(prompt: str, duration_s: int, max_shots: int = MAX_SHOTS) -> tuple[Shot, ...]:
    """``shot_type: "intelligence"``: the prompt cut into shots of equal length (the whole prompt is their
    scene)."""
    pieces = split_prompt(prompt, min(max_shots, max(1, int(duration_s))))
    each = duration_s / len(pieces)
    return tuple(Shot(piece, each, scene=prompt) for piece in pieces)


def check_shots(shots: tuple[Shot, ...], duration_s: float) -> str | None:
    """Why ``shots`` cannot make a ``duration_s`` clip, or None."""
    if not shots:
        return None
    if any(s.duration_s <= 0 for s in shots):
        return "every shot needs a positive duration"
    total = sum(s.duration_s for s in shots)
    if abs(total - duration_s) > DURATION_TOLERANCE_S:
        return f"shot durations add up to {total:g} s, not the clip's {duration_s:g} s"
    return None


def shot_spans(durations: list[float], fps: int) -> list[tuple[int, int]]:
    """(first frame, frame count) of each shot: shot k starts at the frame nearest to the sum of the durations
    before it, so every cut is within half a frame of its time."""
    starts = [0]
    total = 0.0
    for d in durations:
        total += d
        starts.append(round(total * fps))
    starts[-1] = max(starts[-1], 2)  # the whole clip has at least 2 frames, as a single shot does
    return [(a, b - a) for a, b in itertools.pairwise(starts)]
