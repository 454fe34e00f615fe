"""The task objects the SDK returns: the contract's response models, plus the shortcuts callers use.

``VideoTask``, ``VideoToAudioTask``, ``TextToAudioTask`` and ``TtsTask`` here *are* the models of
:mod:`kinema.contract.responses` (subclasses: ``isinstance(task, responses.VideoTask)`` holds, every field is
typed and validated), with :class:`Task`'s properties on top: ``status``, ``done``/``is_terminal``,
``progress``, ``message``, ``videos``, ``audios``, ``audio_id``, ``urls``, and ``data`` (the object exactly as
the server sent it, for code written against the SDK's old dict-backed ``Task``).

A Kling-compatible server other than kinema may leave out what kinema always sends (upstream's create
reply carries only the id, the status and the times; ``task_progress`` is kinema's extension), so the
fields a reply may omit are filled with what their absence means before validating.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator

from kinema.contract import responses
from kinema.contract.responses import SoundtrackEntry, SpeechEntry, TaskStatusValue, VideoEntry
from kinema.contract.vocabulary import TERMINAL_STATUSES, TaskStatus

#: What an absent field of a task object means (upstream omits these in create replies).
_ABSENT_MEANS: dict[str, Any] = {
    "task_status_msg": "",
    "task_info": {"external_task_id": ""},
    "task_result": {},
    "created_at": 0,
    "updated_at": 0,
    "final_unit_deduction": "0",
}


class Task(BaseModel):
    """What every task object of the SDK has, whatever its kind. Annotate with this to accept any kind."""

    _request_id: str = PrivateAttr("")
    _data: dict[str, Any] = PrivateAttr(default_factory=dict)

    if TYPE_CHECKING:  # fields of the contract's TaskObject, which every concrete class below inherits
        task_id: str
        task_status: TaskStatusValue
        task_status_msg: str
        task_progress: int
        task_result: Any

    @model_validator(mode="before")
    @classmethod
    def _fill_absent(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        filled = {**_ABSENT_MEANS, **{k: v for k, v in data.items() if v is not None}}
        if "task_progress" not in data:  # kinema's extension; a finished task is 100 % done
            filled["task_progress"] = 100 if data.get("task_status") == TaskStatus.SUCCEED else 0
        watermark = cls.model_fields.get("watermark_info")
        if watermark is not None and watermark.is_required() and "watermark_info" not in data:
            filled["watermark_info"] = {"enabled": False}
        return filled

    @classmethod
    def from_reply(cls, data: Any, request_id: str = "") -> Self:
        """Validate ``data`` of a reply as this kind's task object and remember the raw object and the
        reply's request id. Raises pydantic's ``ValidationError`` (the clients turn it into
        :class:`~kinema.client.errors.UnexpectedReplyError`)."""
        task = cls.model_validate(data)
        task._request_id = request_id
        task._data = dict(data)
        return task

    @property
    def request_id(self) -> str:
        """The request id of the reply this object came in."""
        return self._request_id

    @property
    def data(self) -> dict[str, Any]:
        """The task object exactly as the server sent it (extra fields included)."""
        return self._data

    @property
    def status(self) -> TaskStatus:
        return TaskStatus(self.task_status)

    @property
    def message(self) -> str:
        return self.task_status_msg

    @property
    def progress(self) -> int:
        return self.task_progress

    @property
    def is_terminal(self) -> bool:
        """``succeed`` or ``failed``: the task will not change again."""
        return self.status in TERMINAL_STATUSES

    @property
    def done(self) -> bool:
        """The same as :attr:`is_terminal` (its name before)."""
        return self.is_terminal

    @property
    def videos(self) -> list[VideoEntry]:
        """``task_result.videos``, or ``[]``. Entries are models: ``task.videos[0].url`` (before: a dict)."""
        return list(getattr(self.task_result, "videos", None) or [])

    @property
    def audios(self) -> list[SpeechEntry | SoundtrackEntry]:
        """``task_result.audios``, or ``[]``: speech (``url``) for TTS, soundtracks (``url_mp3``,
        ``url_wav``) for video to audio."""
        return list(getattr(self.task_result, "audios", None) or [])

    @property
    def audio_id(self) -> str:
        """The first audio's id: what a TTS result gives ``avatar.create(audio_id=…)``."""
        if not self.audios:
            raise ValueError(f"task {self.task_id} has no audio (status {self.task_status})")
        return self.audios[0].id

    @property
    def urls(self) -> list[str]:
        """Every download URL of the result, videos first (for a soundtrack: the MP3, then the WAV)."""
        out = [video.url for video in self.videos]
        for audio in self.audios:
            out += [audio.url] if isinstance(audio, SpeechEntry) else [audio.url_mp3, audio.url_wav]
        return out


class VideoTask(responses.VideoTask, Task):
    """An avatar or image-to-video task (``watermark_info`` included)."""


class VideoExtendTask(responses.VideoExtendTask, Task):
    """A video-extension task: ``videos[0]`` is the whole extended video, ``task_info.parent_video`` the
    video extended."""


class VideoToAudioTask(responses.VideoToAudioTask, Task):
    """A video-to-audio task; ``task_info.parent_video`` names the input video."""


class TextToAudioTask(responses.TextToAudioTask, Task):
    """A text-to-audio task: one ``audios`` entry (MP3 and WAV) once succeeded."""


class TtsTask(responses.TtsTask, Task):
    """A text-to-speech task, finished when the create call returns: ``audio_id`` feeds the avatar."""


class AnyResult(BaseModel):
    """``task_result`` of a kind the SDK has no model for: the usual groups typed, anything else kept."""

    model_config = ConfigDict(frozen=True, extra="allow")

    videos: list[VideoEntry] | None = None
    audios: list[SpeechEntry | SoundtrackEntry] | None = None
    images: list[dict[str, Any]] | None = None


class GenericTask(responses.TaskObject[AnyResult], Task):
    """A task of a kind added to the kind table after this SDK's typed families (``watermark_info`` kept
    when sent)."""

    watermark_info: responses.WatermarkState | None = None


#: Anything the SDK downloads: a URL, or a result entry (a soundtrack downloads as its MP3).
Downloadable = str | VideoEntry | SpeechEntry | SoundtrackEntry


def download_url(item: Downloadable) -> str:
    """The URL to fetch for ``item``."""
    if isinstance(item, str):
        return item
    return item.url_mp3 if isinstance(item, SoundtrackEntry) else item.url
