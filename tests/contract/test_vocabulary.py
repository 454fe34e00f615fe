"""The shared words are the wire literals: a member is interchangeable with the string a client, the
database or an old row holds, in comparisons, dict/set look-ups, SQL parameters and JSON."""

from __future__ import annotations

import json

from kinema.contract.vocabulary import ACTIVE_STATUSES, TERMINAL_STATUSES, Mode, TaskKind, TaskStatus


def test_statuses_are_the_four_wire_literals() -> None:
    assert [s.value for s in TaskStatus] == ["submitted", "processing", "succeed", "failed"]


def test_every_status_is_either_active_or_terminal() -> None:
    assert set(ACTIVE_STATUSES) | set(TERMINAL_STATUSES) == set(TaskStatus)
    assert not set(ACTIVE_STATUSES) & set(TERMINAL_STATUSES)
    assert "succeed" in TERMINAL_STATUSES and "processing" not in TERMINAL_STATUSES


def test_a_member_stands_for_its_string() -> None:
    row_status = "failed"  # what a database column or a reply gives back
    assert row_status == TaskStatus.FAILED and hash(row_status) == hash(TaskStatus.FAILED)
    assert {"submitted": 3}[TaskStatus.SUBMITTED] == 3  # counts keyed by plain strings
    assert {TaskKind.AVATAR: 1}["avatar"] == 1
    assert json.dumps({"task_status": TaskStatus.SUCCEED, "mode": Mode.PRO}) == (
        '{"task_status": "succeed", "mode": "pro"}'
    )
    assert f"{TaskKind.VIDEO_TO_AUDIO}" == "video_to_audio"  # module paths and messages are built this way


def test_modes_and_kinds() -> None:
    assert [m.value for m in Mode] == ["std", "pro"]
    assert [k.value for k in TaskKind] == [
        "avatar",
        "image2video",
        "text2video",
        "video_extend",
        "video_to_audio",
        "text_to_audio",
        "tts",
    ]
