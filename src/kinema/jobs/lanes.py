"""Which workers run a new task, decided once at create: the ``lane`` column and its queue.

A request that runs on a generative pipeline (``KINEMA_MODELS``; the test is
:func:`kinema.jobs.executors.generative.entry_for`) is GPU work, taken only by ``kinema worker --gpu``
processes; everything else, and every task routed upstream (the gateway only waits on the network), is CPU
work. The decision is stored with the task, so a retry or a re-rung doorbell goes to the same workers.

A video extension without ``model_name`` continues with its parent's model: when the parent task's
``model_name`` has an image-to-video pipeline, the stored request records that name (so the worker picks the
same pipeline). Fields the CPU engine would ignore but a pipeline honours (:data:`PIPELINE_HONOURS`) leave
``task_info.unsupported_fields`` of a GPU-lane task.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from kinema.contract.vocabulary import Lane
from kinema.db.models import Asset, Task
from kinema.jobs.executors import generative
from kinema.runtime import Runtime
from kinema.upstream.routes import goes_upstream

#: Fields that change nothing on a kind's CPU engine (``task_info.unsupported_fields``) but are honoured by a
#: generative pipeline: Wan reads the prompts and the guidance between two frames too, and an extension on a
#: pipeline uses the model's weights and the mode's steps.
PIPELINE_HONOURS: dict[str, tuple[str, ...]] = {
    "image2video": ("prompt", "negative_prompt", "cfg_scale"),
    generative.VIDEO_EXTEND: ("model_name", "mode"),
}


def lane_for(rt: Runtime, kind: str, request: BaseModel) -> Lane:
    """GPU when a configured pipeline runs ``request`` as asked and it does not go upstream, else CPU."""
    if goes_upstream(rt.settings, kind, request.model_dump()):
        return Lane.CPU
    return Lane.GPU if generative.entry_for(kind, request, rt.settings) is not None else Lane.CPU


def _parent_model(rt: Runtime, info: dict[str, Any]) -> str | None:
    """The ``model_name`` of the task that made the parent video (``task_info.parent_video.id``)."""
    asset_id = (info.get("parent_video") or {}).get("id")
    if not asset_id:
        return None
    with rt.db.read() as session:
        task_id = session.scalar(select(Asset.task_id).where(Asset.id == asset_id))
        params = session.scalar(select(Task.params).where(Task.id == task_id)) if task_id else None
    model = (params or {}).get("model_name")
    return model if isinstance(model, str) and model else None


def settle(
    rt: Runtime, kind: str, request: BaseModel, params: dict[str, Any], info: dict[str, Any]
) -> tuple[BaseModel, Lane]:
    """The request as it will run (a video extension may inherit its parent's model, written into
    ``params``) and its lane; ``info``'s ``unsupported_fields`` is corrected for a pipeline that honours
    them."""
    if kind == generative.VIDEO_EXTEND and getattr(request, "model_name", None) is None:
        model = _parent_model(rt, info)
        inherited = request.model_copy(update={"model_name": model}) if model else request
        if model and lane_for(rt, kind, inherited) == Lane.GPU:
            request, params["model_name"] = inherited, model
    lane = lane_for(rt, kind, request)
    if lane == Lane.GPU and "unsupported_fields" in info:
        kept = [f for f in info["unsupported_fields"] if f not in PIPELINE_HONOURS.get(kind, ())]
        if kept:
            info["unsupported_fields"] = kept
        else:
            del info["unsupported_fields"]
    return request, lane
