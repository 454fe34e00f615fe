"""The request as the task row keeps it, and the typed request a worker gets back from the row.

At create time the validated request is serialised from its model (:func:`stored_request`): every field as
the client's values were normalised, except that each media payload (URL or base64) is replaced by a
reference to the input file stored for it (``"image": "input:image"``). ``callback_url`` and
``external_task_id`` stay in their own task columns.

A worker rebuilds the model from that dict (:func:`request_from_row`) with the same model and rules, in
``stored`` mode so media are not fetched or decoded again. The limits are the worker's own, which are the
API's in every supported deployment (both read the same ``KINEMA_*`` settings); if an operator changed them in
between, the task fails at once with the rule it now breaks rather than running something the server no
longer allows.

Rows written before requests were stored whole lack their media fields (they were left out) and keep only
the trajectories of ``dynamic_masks``; :func:`request_from_row` points those fields at their stored inputs,
so such rows still run.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from kinema.contract.context import validation_context
from kinema.contract.kinds import KindSpec, MediaField, spec_for
from kinema.contract.limits import Limits
from kinema.contract.parsing import error_from_validation
from kinema.contract.requests.fields import input_ref

#: Request fields that the task row keeps in columns of their own, not in ``params``.
ROW_COLUMNS = frozenset({"callback_url", "external_task_id"})


class StoredRequestError(ValueError):
    """The row's request does not validate here; ``str()`` is the task's ``task_status_msg``."""


@dataclass
class MediaSlot:
    """One place a media field occupies in a request dict (a list field has one slot per item)."""

    field: MediaField
    path: str
    """Wire path for messages, with the index: ``dynamic_masks[1].mask``."""
    input: str
    """The stored input's name: ``dynamic_mask_1``."""
    parent: dict[str, Any]
    key: str

    @property
    def present(self) -> bool:
        return self.key in self.parent

    @property
    def value(self) -> Any:
        return self.parent.get(self.key)

    def set(self, value: Any) -> None:
        self.parent[self.key] = value


def media_slots(spec: KindSpec, data: dict[str, Any]) -> Iterator[MediaSlot]:
    """Every slot of ``spec``'s media fields in ``data`` (a request dict), in table order."""
    for field in spec.media:
        if "[]" not in field.path:
            yield MediaSlot(field, field.path, field.input, data, field.path)
            continue
        list_key, _, sub = field.path.partition("[].")
        for i, item in enumerate(data.get(list_key) or []):
            if isinstance(item, dict):
                yield MediaSlot(field, f"{list_key}[{i}].{sub}", field.input.format(i=i), item, sub)


def stored_request(spec: KindSpec, request: BaseModel) -> dict[str, Any]:
    """The task row's ``params`` for a validated create request."""
    data = request.model_dump(mode="json", exclude=set(ROW_COLUMNS))
    for slot in media_slots(spec, data):
        if slot.value is not None:
            slot.set(input_ref(slot.input))
    return data


def _with_legacy_media(
    spec: KindSpec, params: Mapping[str, Any], inputs: Mapping[str, str]
) -> dict[str, Any]:
    """Point media fields that an older row left out at their stored inputs, unless an earlier result's id
    (``audio_id``, ``video_id``) is what filled that input."""
    data = copy.deepcopy(dict(params))
    reused = {r.input for r in spec.reuse if data.get(r.field) not in (None, "")}
    for slot in media_slots(spec, data):
        if not slot.present and slot.input in inputs and slot.input not in reused:
            slot.set(input_ref(slot.input))
    return data


def request_from_row(
    kind: str, params: Mapping[str, Any] | None, inputs: Mapping[str, str], limits: Limits
) -> BaseModel:
    """The typed request of a task row (its ``kind``, ``params`` and ``inputs``), validated by its model.

    Raises :class:`StoredRequestError` naming the field and the rule when it does not validate.
    """
    try:
        spec = spec_for(kind)
    except KeyError as exc:
        raise StoredRequestError(str(exc.args[0])) from None
    data = _with_legacy_media(spec, params or {}, inputs)
    try:
        return spec.request.model_validate(data, context=validation_context(limits, stored=True))
    except ValidationError as exc:
        detail = error_from_validation(exc).message
    raise StoredRequestError(f"the request no longer passes this server's limits: {detail}")
