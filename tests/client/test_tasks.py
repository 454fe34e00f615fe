"""The SDK's task objects are the contract's response models, with the old shortcuts on top, and read a
bare upstream-style create reply as well as kinema's full one."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from kinema.client.tasks import GenericTask, TtsTask, VideoTask, VideoToAudioTask, download_url
from kinema.contract import responses
from kinema.contract.responses import SoundtrackEntry
from kinema.contract.vocabulary import TaskStatus

URL = "http://127.0.0.1:8000/files/a.mp4?sig=x"
V2A: dict[str, Any] = {
    "task_id": "11",
    "task_status": "succeed",
    "task_status_msg": "",
    "task_info": {
        "external_task_id": "mine",
        "parent_video": {"id": "", "url": "http://e.com/v.mp4", "duration": "5.0"},
    },
    "task_result": {
        "videos": [{"id": "12", "url": URL, "duration": "5.0"}],
        "audios": [
            {
                "id": "13",
                "url_mp3": URL + "3",
                "duration_mp3": "5.0",
                "url_wav": URL + "w",
                "duration_wav": "5.0",
            }
        ],
    },
    "created_at": 1,
    "updated_at": 2,
    "final_unit_deduction": "5.0",
    "task_progress": 100,
    "a_future_field": True,
}


def test_a_task_is_the_contract_model_with_shortcuts() -> None:
    task = VideoToAudioTask.from_reply(V2A, "req-1")
    assert isinstance(task, responses.VideoToAudioTask)
    assert task.status is TaskStatus.SUCCEED and task.is_terminal and task.done and task.progress == 100
    assert task.task_info.parent_video and task.task_info.parent_video.url == "http://e.com/v.mp4"
    assert task.videos[0].url == URL and task.audio_id == "13"
    assert task.urls == [URL, URL + "3", URL + "w"]
    assert task.request_id == "req-1" and task.data == V2A  # the raw object, unknown fields included
    assert download_url(task.audios[0]) == URL + "3" and isinstance(task.audios[0], SoundtrackEntry)


def test_an_upstream_create_reply_fills_what_it_leaves_out() -> None:
    """Upstream's create reply carries the id, the status and the times only; no task_progress."""
    bare = {"task_id": "7", "task_status": "submitted", "created_at": 5, "updated_at": 5}
    task = VideoTask.from_reply(bare)
    assert (task.message, task.progress, task.final_unit_deduction) == ("", 0, "0")
    assert task.task_info.external_task_id == "" and task.watermark_info.enabled is False
    assert task.videos == [] and not task.is_terminal
    done = TtsTask.from_reply({**bare, "task_status": "succeed", "task_status_msg": None})
    assert done.progress == 100 and done.message == ""
    with pytest.raises(ValueError, match="has no audio"):
        _ = done.audio_id


def test_a_reply_that_breaks_the_contract_does_not_validate() -> None:
    with pytest.raises(ValidationError):
        VideoTask.from_reply({"task_id": "7", "task_status": "finished"})


def test_a_kind_without_a_model_keeps_its_result_groups_typed() -> None:
    task = GenericTask.from_reply({**V2A, "task_result": {"videos": V2A["task_result"]["videos"], "x": 1}})
    assert task.videos[0].id == "12" and task.watermark_info is None
    assert task.task_result.model_extra == {"x": 1}
