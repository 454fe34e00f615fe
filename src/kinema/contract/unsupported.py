"""Request fields kinema accepts but cannot honour: ``task_info.unsupported_fields`` (a kinema extension).

A field that passes validation must either change the result or be reported; this table is the one place
that says which fields, on which requests, change nothing. The API computes the list once, at create time
(:func:`unsupported_fields`), and stores it with the task, so create, query and list replies (and callbacks
with ``KINEMA_CALLBACK_EXTENSIONS=true``) all show the same list, whatever the server's code does later.

Each kind's request model was checked field by field against its executor and engine; fields that are not
here have an effect. Fields the validation rejects (a feature the model lacks) never reach this table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kinema.contract.capabilities import honours_cfg_scale
from kinema.contract.vocabulary import TaskKind

#: (field, predicate on the validated request): the field was given and has no effect on the result.
Rule = tuple[str, Callable[[Any], bool]]


def _both_frames(req: Any) -> bool:
    """First and last frame: the clip is interpolated between the two pictures, no prompt-driven motion."""
    return req.image is not None and req.image_tail is not None


def _custom_shots(req: Any) -> bool:
    """multi_shot customize: the shots' prompts drive motion and sound; ``prompt`` is ignored (upstream)."""
    return bool(req.multi_shot) and req.shot_type == "customize"


_IMAGE2VIDEO: tuple[Rule, ...] = (
    # the prompt also drives the generated sound when sound is "on", so it counts then
    (
        "prompt",
        lambda r: bool(r.prompt) and ((_both_frames(r) and r.sound != "on") or _custom_shots(r)),
    ),
    ("negative_prompt", lambda r: bool(r.negative_prompt) and _both_frames(r)),
    (
        "cfg_scale",
        lambda r: (
            r.cfg_scale is not None and (_both_frames(r) or not honours_cfg_scale(r.model_name or "kling-v1"))
        ),
    ),
    # the shot fields cut the clip only together with multi_shot: true
    ("shot_type", lambda r: r.shot_type is not None and not r.multi_shot),
    ("multi_prompt", lambda r: bool(r.multi_prompt) and not _custom_shots(r)),
    # no element library and no voice cloning: the picture and the audio are made without them
    ("element_list", lambda r: bool(r.element_list)),
    ("voice_list", lambda r: bool(r.voice_list)),
)

_VIDEO_EXTEND: tuple[Rule, ...] = (
    # the continuation keeps the parent's size and is rendered with one engine setting
    ("model_name", lambda r: r.model_name is not None),
    ("mode", lambda r: r.mode is not None),
)

#: Per kind, the fields that can be without effect. Kinds not listed honour every field they accept.
UNHONOURED: Mapping[TaskKind, tuple[Rule, ...]] = {
    TaskKind.IMAGE2VIDEO: _IMAGE2VIDEO,
    TaskKind.VIDEO_EXTEND: _VIDEO_EXTEND,
}


def unsupported_fields(kind: str, request: Any) -> list[str]:
    """The fields of ``request`` (a validated create body of ``kind``) that will have no effect, in the
    request model's field order; empty when everything given is honoured."""
    rules = UNHONOURED.get(TaskKind(kind), ())
    return [name for name, ignored in rules if ignored(request)]
