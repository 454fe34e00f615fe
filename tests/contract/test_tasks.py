"""The wire task object is built from any row with a task's fields (the contract imports no database
code): public URLs replace blob keys, and only a live succeeded task shows results and units."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kinema.contract.tasks import RETENTION_MSG, callback_object, task_object
from kinema.contract.vocabulary import TaskKind, TaskStatus


@dataclass(frozen=True)
class Row:
    """Not the ORM class: a plain record with the fields of ``TaskRow``."""

    id: str = "t1"
    kind: str = TaskKind.IMAGE2VIDEO
    status: str = "succeed"
    status_msg: str = ""
    progress: int = 0
    external_task_id: str | None = "mine-1"
    params: dict[str, Any] = field(default_factory=lambda: {"watermark_info": {"enabled": True}})
    task_info: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] = field(
        default_factory=lambda: {
            "videos": [{"id": "a1", "key": "acct/t1/a1.mp4", "duration": "5.0"}],
            "units": "7.5",  # what a row from before prices stored
        }
    )
    expired: bool = False
    created_at: int = 1
    updated_at: int = 2
    units_hundredths: int | None = 500


def _url(key: str) -> str:
    return f"https://files.example/{key}"


def test_succeeded_row_shows_urls_units_and_watermark() -> None:
    data = task_object(Row(), _url)
    assert data["task_status"] == TaskStatus.SUCCEED
    assert data["task_result"] == {
        "videos": [{"id": "a1", "url": "https://files.example/acct/t1/a1.mp4", "duration": "5.0"}]
    }
    assert data["final_unit_deduction"] == "5" and data["task_progress"] == 100
    assert data["task_info"] == {"external_task_id": "mine-1"}
    assert data["watermark_info"] == {"enabled": True}


def test_unfinished_and_expired_rows_show_no_result() -> None:
    running = task_object(Row(status=TaskStatus.PROCESSING, progress=42, kind=TaskKind.VIDEO_TO_AUDIO), _url)
    assert running["task_result"] == {} and running["final_unit_deduction"] == "0"
    assert running["task_progress"] == 42 and "watermark_info" not in running
    expired = task_object(Row(expired=True), _url, extensions=False)
    assert expired["task_result"] == {} and expired["task_status_msg"] == RETENTION_MSG
    assert "task_progress" not in expired


def test_callback_is_the_official_object_unless_extensions_are_asked_for() -> None:
    official = callback_object(Row(status=TaskStatus.PROCESSING, progress=42), _url)
    assert "task_progress" not in official and "watermark_info" not in official
    assert list(official) == [
        k for k in task_object(Row(), _url) if k not in ("task_progress", "watermark_info")
    ]
    extended = callback_object(Row(status=TaskStatus.PROCESSING, progress=42), _url, extensions=True)
    assert extended["task_progress"] == 42 and extended["watermark_info"] == {"enabled": True}


def test_a_watermarked_copy_becomes_watermark_url_in_the_official_place() -> None:
    video = {
        "id": "a1",
        "key": "acct/t1/a1.mp4",
        "watermark_key": "acct/t1/a1.watermark.mp4",
        "duration": "5.0",
    }
    data = task_object(Row(result={"videos": [video], "units": "5"}), _url)
    entry = data["task_result"]["videos"][0]
    assert list(entry) == [
        "id",
        "url",
        "watermark_url",
        "duration",
    ]  # videos[]{id,url,watermark_url,duration}
    assert entry["watermark_url"] == "https://files.example/acct/t1/a1.watermark.mp4"
    assert (
        callback_object(Row(result={"videos": [video], "units": "5"}), _url)["task_result"]
        == data["task_result"]
    )


def test_unsupported_fields_are_an_extension_callbacks_leave_out_by_default() -> None:
    row = Row(task_info={"unsupported_fields": ["voice_list"]})
    assert task_object(row, _url)["task_info"] == {
        "external_task_id": "mine-1",
        "unsupported_fields": ["voice_list"],
    }
    assert callback_object(row, _url)["task_info"] == {"external_task_id": "mine-1"}
    assert callback_object(row, _url, extensions=True)["task_info"]["unsupported_fields"] == ["voice_list"]
def test_deduction_is_the_price_and_rows_from_before_prices_keep_theirs() -> None:
    """The price column wins; a row made before prices existed shows the units it was stored with."""
    assert task_object(Row(units_hundredths=10), _url)["final_unit_deduction"] == "0.1"
    assert task_object(Row(units_hundredths=350), _url)["final_unit_deduction"] == "3.5"
    assert task_object(Row(units_hundredths=None), _url)["final_unit_deduction"] == "7.5"
    assert task_object(Row(status=TaskStatus.FAILED), _url)["final_unit_deduction"] == "0"
