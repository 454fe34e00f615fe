"""Turn a validated create request into stored input blobs, the stored request and task_info (with the
fields that will have no effect: ``unsupported_fields``, decided by :mod:`kinema.contract.unsupported`).

Media given as URL or base64 are fetched/decoded and checked by content once, here, at create time (so a bad
file is a synchronous 1201 and a worker never downloads anything); ids of earlier results (``audio_id``,
``video_id``) are looked up in the caller's own account. Which fields those are, and their rules, is the
kind's row in :mod:`kinema.contract.kinds`. The stored request is the whole validated request with each media
payload replaced by a reference to its stored input (:func:`kinema.contract.stored.stored_request`).

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
from kinema.contract.kinds import KindSpec, ReuseField
from kinema.contract.stored import media_slots, stored_request
from kinema.contract.unsupported import unsupported_fields
from kinema.db.ids import new_id
from kinema.db.models import Asset
from kinema.jobs.runner import fmt_seconds
from kinema.jobs.service import find_asset
from kinema.media.inputs import INLINE_BYTES, MediaFile, resolve_create_inputs
from kinema.net.userinfo import without_userinfo
from kinema.runtime import Runtime
from kinema.storage.base import content_type_for
from kinema.upstream.routes import goes_upstream

log = logging.getLogger(__name__)


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


def _earlier_result(st: AppState, account_id: str, reuse: ReuseField, asset_id: str) -> Asset:
    """An ``audio_id``/``video_id`` of this account, still within retention and within the duration rule."""
    role, field = reuse.role, reuse.field
    asset = find_asset(st.rt, account_id, asset_id, (role,))
    if asset is None:
        raise invalid(field, f"no {role} {asset_id!r} made by this account within the retention period")
    low, high = reuse.duration(st.limits)
    slack = st.limits.duration_tolerance_s
    if asset.duration_s is not None and not (low - slack <= asset.duration_s <= high + slack):
        note = f" ({reuse.rule_note(st.limits)})" if reuse.rule_note else ""
        raise invalid(field, f"{role} must last {low:g} to {high:g} s, got {asset.duration_s:.2f} s{note}")
    return asset


async def _store(st: AppState, key: str, media: MediaFile) -> None:
    """Write one checked input into storage; small in-memory inputs on the event loop (a thread hop costs
    more than the write), the rest in a thread."""
    storage, ctype = st.rt.storage, content_type_for(media.filename)
    if media.data is not None and media.size <= INLINE_BYTES:
        storage.put_bytes(key, media.data, ctype)
    elif media.data is not None:
        await asyncio.to_thread(storage.put_bytes, key, media.data, ctype)
    else:
        assert media.path is not None
        await asyncio.to_thread(storage.put_file, key, media.path, ctype)


async def _store_media(
    st: AppState, account_id: str, spec: KindSpec, req: BaseModel, inputs: dict[str, str]
) -> dict[str, Any]:
    """Load and store every media field into ``inputs`` (name → blob key, filled as each blob is stored, so a
    failure part-way knows what to delete); returns the task_info entries they describe."""
    info: dict[str, Any] = {}
    upload = new_id()
    day = time.strftime("%Y%m%d", time.gmtime())
    # made only for URL inputs; inside the data folder, never at a guessable name in a shared /tmp
    scratch = st.rt.settings.data_dir / "scratch" / f"in-{upload}"
    try:
        files = await resolve_create_inputs(
            spec.kind, req, limits=st.limits, settings=st.rt.settings, dest_dir=scratch
        )
        for name, media in files.items():
            key = _upload_key(account_id, day, upload, media.filename)
            await _store(st, key, media)
            inputs[name] = key
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    for slot in media_slots(spec, req.model_dump(mode="json")):
        described = files.get(slot.input)
        if slot.field.task_info_key and described is not None:
            duration = fmt_seconds(described.duration_s or 0.0)
            url = without_userinfo(slot.value or "")  # credentials are used for the fetch, never repeated
            info[slot.field.task_info_key] = {"id": "", "url": url, "duration": duration}
    return info


def _reuse_earlier_results(
    st: AppState,
    account_id: str,
    spec: KindSpec,
    req: BaseModel,
    inputs: dict[str, str],
    info: dict[str, Any],
) -> None:
    """Resolve ``audio_id``/``video_id``: the earlier result's blob (and its extras) become inputs."""
    for reuse in spec.reuse:
        asset_id = getattr(req, reuse.field, None)
        if not asset_id:
            continue
        asset = _earlier_result(st, account_id, reuse, asset_id)
        if not asset.extra.get("upstream_id") and goes_upstream(st.rt.settings, spec.kind, req.model_dump()):
            # runs upstream, which knows only its own ids (docs/gateway.md)
            raise invalid(
                reuse.field,
                f"{reuse.role} {asset_id!r} was made by kinema, not upstream: the upstream has no id for it",
            )
        inputs[reuse.input] = asset.blob_key
        for name in reuse.extra_inputs:
            if asset.extra.get(name):
                inputs[name] = asset.extra[name]
        if reuse.task_info_key:
            info[reuse.task_info_key] = {
                "id": asset.id,
                "url": st.rt.urls.url(asset.blob_key),
                "duration": fmt_seconds(asset.duration_s or 0.0),
            }


async def prepare_inputs(
    st: AppState, account_id: str, spec: KindSpec, req: BaseModel
) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
    """(inputs name → blob key, the stored request, extra task_info); nothing stays stored when it raises."""
    inputs: dict[str, str] = {}
    try:
        info = await _store_media(st, account_id, spec, req, inputs)
        _reuse_earlier_results(st, account_id, spec, req, inputs, info)
        ignored = unsupported_fields(spec.kind, req)
        if ignored:
            info["unsupported_fields"] = ignored
        return inputs, stored_request(spec, req), info
    except BaseException:
        discard_stored_inputs(st.rt, inputs)
        raise
