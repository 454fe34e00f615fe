"""The upstream create body of a validated request: the same fields, with kinema's references resolved.

A stored request holds ``input:<name>`` where a media field was (see :mod:`kinema.contract.stored`); here
each becomes the file's bytes in base64 (``KINEMA_UPSTREAM_MEDIA=base64``, the default) or a kinema signed URL
of the stored blob (``url``: smaller requests, but the upstream must be able to reach kinema). An ``audio_id``
or ``video_id`` of kinema's names the upstream id its result was archived from. kinema's own task id is
sent as ``external_task_id``: a create whose reply was lost is found upstream by that id, never sent twice.
The client's ``callback_url`` stays with kinema, which sends its own callbacks; the upstream gets kinema's
per-task callback URL instead when callbacks are on (:mod:`kinema.upstream.callbacks`).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kinema.contract.kinds import KindSpec
from kinema.contract.requests.fields import INPUT_REF_PREFIX
from kinema.contract.stored import ROW_COLUMNS, media_slots


class NotForwardable(ValueError):
    """A field cannot be expressed upstream; ``str()`` names it (the task fails with that message)."""


def encode_file(path: Path) -> str:
    """Raw base64 (no ``data:`` prefix: the official API refuses one)."""
    return base64.b64encode(path.read_bytes()).decode("ascii")


def upstream_body(
    spec: KindSpec,
    request: BaseModel,
    *,
    task_id: str,
    media: Callable[[str], str],
    upstream_ids: Mapping[str, str],
    callback_url: str | None = None,
) -> dict[str, Any]:
    """The body to POST upstream. ``media(input_name)`` gives the wire value of a stored input (base64 or
    URL); ``upstream_ids`` maps a reuse field (``video_id``) to the upstream id of the kinema asset named."""
    body = request.model_dump(mode="json", exclude_none=True, exclude=set(ROW_COLUMNS))
    for slot in media_slots(spec, body):
        value = slot.value
        if isinstance(value, str) and value.startswith(INPUT_REF_PREFIX):
            slot.set(media(value.removeprefix(INPUT_REF_PREFIX)))
    for reuse in spec.reuse:
        if body.get(reuse.field):
            if reuse.field not in upstream_ids:
                raise NotForwardable(
                    f"{reuse.field}: this {reuse.role} was not made upstream, which has no id for it"
                )
            body[reuse.field] = upstream_ids[reuse.field]
    body["external_task_id"] = task_id
    if callback_url:
        body["callback_url"] = callback_url
    return body
