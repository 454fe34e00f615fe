"""Turn a validated create request into stored input blobs, task params and task_info.

Media given as URL or base64 are fetched/decoded and checked by content once, here, at create time (so a bad
file is a synchronous 1201 and a worker never downloads anything); ids of earlier results (``audio_id``,
``video_id``) are looked up in the caller's own account. Params keep everything but the media payloads.

A create that fails after storing inputs (a later input is bad, an id is unknown, the disk is full, the
task row cannot be written) deletes what it stored: :func:`discard_stored_inputs`.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from typing import Any

from pydantic import BaseModel

from kinema.api.state import AppState
from kinema.contract.errors import invalid
from kinema.contract.vocabulary import TaskKind
from kinema.db.ids import new_id
from kinema.db.models import Asset
from kinema.jobs.runner import fmt_seconds
from kinema.jobs.service import find_asset
from kinema.media.inputs import INLINE_BYTES, resolve_create_inputs
from kinema.net.userinfo import without_userinfo
from kinema.runtime import Runtime
from kinema.storage.base import content_type_for

log = logging.getLogger(__name__)

MEDIA_FIELDS: dict[TaskKind, set[str]] = {
    TaskKind.AVATAR: {"image", "sound_file"},
    TaskKind.IMAGE2VIDEO: {"image", "image_tail", "static_mask", "dynamic_masks"},
    TaskKind.VIDEO_TO_AUDIO: {"video_url"},
}


def _upload_key(account_id: str, day: str, upload: str, filename: str) -> str:
    # One folder per account and day, not one per create: a new folder per create was a visible share of
    # a create's time in profiles.
    return f"{account_id}/inputs/{day}/{upload}-{filename}"


def discard_stored_inputs(rt: Runtime, inputs: dict[str, str]) -> None:
    """Delete the uploads a failed create stored (``<account>/inputs/…``). Blobs of earlier results reused
    by id (``audio_id``, ``video_id``: ``<account>/<task>/…``) belong to their own task and stay."""
    for key in inputs.values():
        if key.split("/")[1:2] != ["inputs"]:
            continue
        try:
            rt.storage.delete(key)
        except Exception:
            log.warning("could not delete the input %s of a failed create", key, exc_info=True)


def _params(kind: TaskKind, req: BaseModel) -> dict[str, Any]:
    params = req.model_dump(mode="json", exclude=MEDIA_FIELDS[kind] | {"callback_url", "external_task_id"})
    if kind == TaskKind.IMAGE2VIDEO:
        masks = getattr(req, "dynamic_masks", None) or []
        params["dynamic_masks"] = [
            {"trajectories": [p.model_dump(mode="json") for p in m.trajectories]} for m in masks
        ]
    return params


def _earlier_result(
    st: AppState, account_id: str, field: str, asset_id: str, role: str, bounds: tuple[float, float]
) -> Asset:
    """An ``audio_id``/``video_id`` of this account, still within retention and within the duration rule."""
    asset = find_asset(st.rt, account_id, asset_id, (role,))
    if asset is None:
        raise invalid(field, f"no {role} {asset_id!r} made by this account within the retention period")
    low, high = bounds
    slack = st.limits.duration_tolerance_s
    if asset.duration_s is not None and not (low - slack <= asset.duration_s <= high + slack):
        raise invalid(field, f"{role} must last {low:g} to {high:g} s, got {asset.duration_s:.2f} s")
    return asset


async def prepare_inputs(
    st: AppState, account_id: str, kind: str, req: BaseModel
) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
    """(inputs name → blob key, params, extra task_info); nothing stays stored when it raises."""
    task_kind = TaskKind(kind)  # the routes' kinds are TaskKind values; an unknown one is a bug, not input
    inputs: dict[str, str] = {}
    try:
        info = await _store_and_resolve(st, account_id, task_kind, req, inputs)
    except BaseException:
        discard_stored_inputs(st.rt, inputs)
        raise
    return inputs, _params(task_kind, req), info


async def _store_and_resolve(
    st: AppState, account_id: str, task_kind: TaskKind, req: BaseModel, inputs: dict[str, str]
) -> dict[str, Any]:
    """Fill ``inputs`` as each blob is stored (so a failure part-way knows what to delete); the task_info."""
    rt = st.rt
    info: dict[str, Any] = {}
    upload = new_id()
    day = time.strftime("%Y%m%d", time.gmtime())
    # made only for URL inputs; inside the data folder, never at a guessable name in a shared /tmp
    scratch = rt.settings.data_dir / "scratch" / f"in-{upload}"
    try:
        files = await resolve_create_inputs(
            task_kind,
            req,
            limits=st.limits,
            settings=rt.settings,
            dest_dir=scratch,
        )
        for name, media in files.items():
            key = _upload_key(account_id, day, upload, media.filename)
            ctype = content_type_for(media.filename)
            if media.data is not None and media.size <= INLINE_BYTES:
                rt.storage.put_bytes(key, media.data, ctype)
            elif media.data is not None:
                await asyncio.to_thread(rt.storage.put_bytes, key, media.data, ctype)
            else:
                assert media.path is not None
                await asyncio.to_thread(rt.storage.put_file, key, media.path, ctype)
            inputs[name] = key
        if task_kind == TaskKind.VIDEO_TO_AUDIO and "video" in files:
            v = files["video"]
            info["parent_video"] = {
                "id": "",
                "url": without_userinfo(getattr(req, "video_url", "") or ""),
                "duration": fmt_seconds(v.duration_s or 0.0),
            }
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    audio_id = getattr(req, "audio_id", None)
    if task_kind == TaskKind.AVATAR and audio_id:
        limits = (st.limits.avatar_audio_min_s, st.limits.avatar_audio_max_s)
        asset = _earlier_result(st, account_id, "audio_id", audio_id, "audio", limits)
        inputs["audio"] = asset.blob_key
        if asset.extra.get("phones"):
            inputs["phones"] = asset.extra["phones"]
    video_id = getattr(req, "video_id", None)
    if task_kind == TaskKind.VIDEO_TO_AUDIO and video_id:
        limits = (st.limits.v2a_video_min_s, st.limits.v2a_video_max_s)
        asset = _earlier_result(st, account_id, "video_id", video_id, "video", limits)
        inputs["video"] = asset.blob_key
        info["parent_video"] = {
            "id": asset.id,
            "url": rt.urls.url(asset.blob_key),
            "duration": fmt_seconds(asset.duration_s or 0.0),
        }
    return info
