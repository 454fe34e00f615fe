"""The task object of the wire contract (spec §1, §6), built from a stored task row.

Stored results keep blob keys (``key``, ``key_mp3``, ``key_wav``, ``watermark_key``) next to the public
fields; they are replaced by signed URLs here (``url``, ``url_mp3``, ``url_wav``, ``watermark_url``), so one
function serves query replies, list replies and callbacks alike.

The row is read through the :class:`TaskRow` protocol, not the ORM class: the contract is the bottom layer
that every other one imports, so it must not import the database layer above it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from kinema.contract.kinds import KINDS
from kinema.contract.prices import units_text
from kinema.contract.vocabulary import TaskStatus

WATERMARK_KINDS = frozenset(str(spec.kind) for spec in KINDS.values() if spec.watermark)
RETENTION_MSG = "results were deleted after the retention period"


class TaskRow(Protocol):
    """The fields of a stored task that its wire object is made of (``kinema.db.models.Task`` has them)."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def status_msg(self) -> str: ...
    @property
    def progress(self) -> int: ...
    @property
    def external_task_id(self) -> str | None: ...
    @property
    def params(self) -> dict[str, Any]: ...
    @property
    def task_info(self) -> dict[str, Any]: ...
    @property
    def result(self) -> dict[str, Any]: ...
    @property
    def expired(self) -> bool: ...
    @property
    def created_at(self) -> int: ...
    @property
    def updated_at(self) -> int: ...
    @property
    def units_hundredths(self) -> int | None: ...


def _deduction(task: TaskRow) -> str:
    """A succeeded task's ``final_unit_deduction``: its price (:mod:`kinema.contract.prices`), or, for a row
    made before prices existed, the figure it was stored with."""
    if task.units_hundredths is not None:
        return units_text(task.units_hundredths)
    return str(task.result.get("units", "0"))


def _public_entry(entry: dict[str, Any], url_for: Callable[[str], str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in entry.items():
        if name == "key":
            out["url"] = url_for(value)
        elif name.startswith("key_"):
            out["url_" + name.removeprefix("key_")] = url_for(value)
        elif name.endswith("_key"):  # watermark_key -> watermark_url
            out[name.removesuffix("_key") + "_url"] = url_for(value)
        else:
            out[name] = value
    return out


def task_object(task: TaskRow, url_for: Callable[[str], str], *, extensions: bool = True) -> dict[str, Any]:
    """The ``data`` of a query reply and the body of a callback. ``extensions`` adds ``task_progress``."""
    succeeded = task.status == TaskStatus.SUCCEED
    result: dict[str, Any] = {}
    if succeeded and not task.expired:
        for group in ("videos", "audios", "images"):
            if group in task.result:
                result[group] = [_public_entry(e, url_for) for e in task.result[group]]
    info: dict[str, Any] = {"external_task_id": task.external_task_id or ""}
    info.update(task.task_info or {})
    msg = task.status_msg or ""
    if task.expired and not msg:
        msg = RETENTION_MSG
    data: dict[str, Any] = {
        "task_id": task.id,
        "task_status": task.status,
        "task_status_msg": msg,
        "task_info": info,
        "task_result": result,
        "created_at": task.created_at,
        "updated_at": task.updated_at,
        "final_unit_deduction": _deduction(task) if succeeded else "0",
    }
    if task.kind in WATERMARK_KINDS:
        data["watermark_info"] = {
            "enabled": bool(((task.params or {}).get("watermark_info") or {}).get("enabled"))
        }
    if extensions:
        data["task_progress"] = 100 if succeeded else int(task.progress or 0)
    return data


def callback_object(
    task: TaskRow, url_for: Callable[[str], str], *, extensions: bool = False
) -> dict[str, Any]:
    """The body of a callback: the official callback's task object (spec §6). It has no ``watermark_info``
    (query replies do), no ``task_progress`` and no ``task_info.unsupported_fields``; ``extensions``
    (``KINEMA_CALLBACK_EXTENSIONS``) puts them back for receivers that want them."""
    data = task_object(task, url_for, extensions=extensions)
    if not extensions:
        data.pop("watermark_info", None)
        data["task_info"].pop("unsupported_fields", None)
    return data
