"""The reply models describe what ``task_object`` builds, for every kind and every state a task can be in.

Checked closed (an undocumented key fails), against the models' own JSON schemas: the same schemas the
OpenAPI document serves. The end-to-end check of real replies is tests/api/test_openapi_responses.py; this
one also reaches states a quick server run does not (results expired, a task running, a cancelled one).
"""

from __future__ import annotations

from typing import Any, get_args

import pytest

from kinema.contract.responses import (
    TASK_REPLIES,
    CallbackAttempt,
    ErrorReply,
    QueueView,
    TaskObject,
    TextToAudioTask,
    TtsTask,
    VideoExtendTask,
    VideoTask,
    VideoToAudioTask,
)
from kinema.contract.tasks import RETENTION_MSG, WATERMARK_KINDS, task_object
from kinema.db.models import Task
from tests.support.openapi_check import validator_for

ACCOUNT = "914919137206975925"
VIDEO = {"id": "914919190112902203", "key": f"{ACCOUNT}/1/914919190112902203.mp4", "duration": "5.04"}
# As the runner stores them (jobs/runner.py build_result; TTS: jobs/tts_record.py): blob keys, not URLs.
STORED_RESULTS: dict[str, dict[str, Any]] = {
    "avatar": {"videos": [VIDEO], "units": "5.04"},
    "image2video": {"videos": [VIDEO], "units": "5.04"},
    "text2video": {"videos": [VIDEO], "units": "5.04"},
    "video_extend": {"videos": [VIDEO], "units": "5.04"},
    "video_to_audio": {
        "videos": [VIDEO],
        "audios": [
            {
                "id": "914919190106478204",
                "key_mp3": f"{ACCOUNT}/1/914919190106478204.mp3",
                "duration_mp3": "5.1",
                "key_wav": f"{ACCOUNT}/1/914919190109587203.wav",
                "duration_wav": "5.0",
            }
        ],
        "units": "5.04",
    },
    "text_to_audio": {
        "audios": [
            {
                "id": "914919190106478206",
                "key_mp3": f"{ACCOUNT}/1/914919190106478206.mp3",
                "duration_mp3": "5.33",
                "key_wav": f"{ACCOUNT}/1/914919190109587207.wav",
                "duration_wav": "5.3",
            }
        ],
        "units": "5.3",
    },
    "tts": {
        "audios": [{"id": "914919190106478205", "key": f"{ACCOUNT}/1/x.mp3", "duration": "3.2"}],
        "units": "0.1",
    },
}
MODELS: dict[str, type[TaskObject[Any]]] = {
    "avatar": VideoTask,
    "image2video": VideoTask,
    "text2video": VideoTask,
    "video_extend": VideoExtendTask,
    "video_to_audio": VideoToAudioTask,
    "text_to_audio": TextToAudioTask,
    "tts": TtsTask,
}
PARENT = {"parent_video": {"id": "", "url": "https://in.example.net/clip.mp4", "duration": "7.0"}}
STATES: dict[str, dict[str, Any]] = {
    "submitted": {"status": "submitted"},
    "processing": {"status": "processing", "progress": 40},
    "succeed": {"status": "succeed", "progress": 100},
    "cancelled": {"status": "failed", "status_msg": "cancelled by the client"},
    "expired": {"status": "succeed", "expired": True},
}


def make_task(kind: str, state: str, **extra: Any) -> Task:
    fields: dict[str, Any] = {
        "id": "914919184327142591",
        "account_id": ACCOUNT,
        "kind": kind,
        "status_msg": "",
        "progress": 0,
        "external_task_id": None,
        "params": {"watermark_info": {"enabled": True}} if kind in WATERMARK_KINDS else {},
        "task_info": PARENT if kind in ("video_to_audio", "video_extend") else {},
        "result": STORED_RESULTS[kind] if STATES[state]["status"] == "succeed" else {},
        "created_at": 1795970531920,
        "updated_at": 1795970533300,
        "expired": False,
        **STATES[state],
        **extra,
    }
    return Task(**fields)


def sign(key: str) -> str:
    return f"http://127.0.0.1:8000/files/{key}?exp=1796575333&sig=f452b20ab26fb44e"


def problems(model: type[Any], instance: Any) -> list[str]:
    return [e.message for e in validator_for(model.model_json_schema()).iter_errors(instance)]


@pytest.mark.parametrize("state", sorted(STATES))
@pytest.mark.parametrize("kind", sorted(MODELS))
def test_the_kinds_model_describes_every_task_object(kind: str, state: str) -> None:
    data = task_object(make_task(kind, state, external_task_id="mine-1"), sign)
    assert problems(MODELS[kind], data) == []
    if state == "expired":
        assert data["task_result"] == {} and data["task_status_msg"] == RETENTION_MSG


#: (kind, other): every task object of ``kind`` is also a valid object of ``other``. A text-to-audio task
#: is a video-to-audio task without the video: the same ``audios`` entries, and ``videos`` and
#: ``task_info.parent_video`` are optional there (absent until the task succeeds, and in upstream's create
#: reply). The other way round the models still differ (``videos`` is not a text-to-audio key). A video
#: extension's task object has image to video's shape (its ``task_info.parent_video`` is optional, as
#: upstream's create reply may leave it out), so the two pass as each other; text to video has image
#: to video's shape.
SUBSETS = {
    ("text_to_audio", "video_to_audio"),
    ("video_extend", "avatar"),
    ("video_extend", "image2video"),
    ("avatar", "video_extend"),
    ("image2video", "video_extend"),
    ("text2video", "video_extend"),
    ("video_extend", "text2video"),
}


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_another_kinds_model_rejects_it(kind: str) -> None:
    """The per-kind models are not interchangeable: result shapes and watermark_info tell them apart."""
    data = task_object(make_task(kind, "succeed"), sign)
    for other, model in MODELS.items():
        if model is not MODELS[kind]:
            if (kind, other) in SUBSETS:
                continue
            assert problems(model, data), f"{kind}'s task object passed as {other}'s"


def test_the_reply_table_names_each_asynchronous_kinds_task_model() -> None:
    for kind, replies in TASK_REPLIES.items():
        assert replies.task is MODELS[kind]
        assert replies.one.model_fields["data"].annotation is replies.task
        listed, one = get_args(replies.page.model_fields["data"].annotation)
        assert one is replies.task and get_args(listed) == (replies.task,)


def test_extension_views_and_the_error_envelope() -> None:
    assert problems(QueueView, {"depth": 3, "running": 1, "position": 2}) == []
    attempt = {
        "webhook_id": "msg_0f3c",
        "url": "http://127.0.0.1:9/hook",
        "task_status": "submitted",
        "attempt": 1,
        "at": 1795970531920,
        "status_code": None,
        "error": "ConnectError: connection refused",
        "duration_ms": 3,
        "state": "pending",
    }
    assert problems(CallbackAttempt, attempt) == []
    assert problems(CallbackAttempt, {**attempt, "state": "retrying"})
    assert (
        problems(ErrorReply, {"code": 1201, "message": "cfg_scale: must be in [0, 1]", "request_id": "r"})
        == []
    )
    assert problems(ErrorReply, {"code": 1201, "message": "m", "request_id": "r", "data": {}})
