"""The replies kinema sends, as pydantic models: they generate the response schemas of ``/openapi.json``.

The routes build replies as plain dicts (:func:`kinema.contract.tasks.task_object`, ``queue_view``,
``list_attempts``) and send them as they are; these models *describe* those bytes and never serialise them,
so key order, and "absent" versus ``null`` on the wire, stay exactly as before. A field that the server
leaves out rather than sending as ``null`` is typed ``X | SkipJsonSchema[None] = None``: optional in the
schema, but not nullable, which is what a client will really see.

Field names and types follow the wire contract (spec §1, §2–§6; the 2026 notes §1.1). kinema's extensions
(``task_progress``, the queue and callbacks views) are described as such; callbacks have their own models,
since by default they carry no extension field. A test validates real replies of
every endpoint against the served document (tests/api/test_openapi_responses.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

TaskStatusValue = Literal["submitted", "processing", "succeed", "failed"]

Seconds = Annotated[
    str,
    Field(
        pattern=r"^\d+\.\d{1,2}$",
        description='Seconds as a decimal string, at most two decimals, e.g. "5.04", "5.1", "5.0".',
        examples=["5.04"],
    ),
]
SignedUrl = Annotated[
    str,
    Field(
        description="Download URL (signed, expiring; under /files/ on this server unless results are on S3). "
        "Supports HTTP Range.",
    ),
]
NumericId = Annotated[
    str,
    Field(pattern=r"^\d+$", description="Numeric string id, as upstream's.", examples=["878106242831892487"]),
]
EpochMs = Annotated[int, Field(ge=0, description="Unix time in milliseconds.")]


class _Reply(BaseModel):
    """Describes a reply; never used to build one."""

    model_config = ConfigDict(frozen=True)


# -- task_result entries ------------------------------------------------------------------------------------


class VideoEntry(_Reply):
    """One generated video in ``task_result.videos``."""

    id: NumericId = Field(
        description="Video id: reusable as video-to-audio's `video_id` for the retention period."
    )
    url: SignedUrl
    watermark_url: SignedUrl | SkipJsonSchema[None] = Field(
        None,
        description="The same video with a visible watermark (signed, expiring URL; stored and expiring like "
        "`url`). Present only when the request had `watermark_info.enabled: true` (avatar, image to video).",
    )
    duration: Seconds


class SpeechEntry(_Reply):
    """The synthesised speech of a TTS task (spec §5): one MP3 with ``url`` + ``duration``."""

    id: NumericId = Field(description="Audio id: the avatar's `audio_id` for the retention period.")
    url: SignedUrl = Field(description="The MP3 (signed, expiring URL).")
    duration: Seconds


class SoundtrackEntry(_Reply):
    """The audio of a video-to-audio (spec §4) or text-to-audio task: the same audio as MP3 and WAV."""

    id: NumericId = Field(description="Audio id (the MP3's).")
    url_mp3: SignedUrl = Field(description="The MP3 (signed, expiring URL).")
    duration_mp3: Seconds
    url_wav: SignedUrl = Field(description="The WAV (signed, expiring URL).")
    duration_wav: Seconds


class VideoResult(_Reply):
    """``task_result`` of avatar and image-to-video tasks: ``{}`` until the task succeeds (and after its
    results expire), then ``videos`` with one entry."""

    videos: list[VideoEntry] | SkipJsonSchema[None] = Field(None, description="Present once succeeded.")


class VideoToAudioResult(_Reply):
    """``task_result`` of video-to-audio tasks: ``{}`` until the task succeeds, then the source video
    re-scored with the generated audio (``videos``) and the audio alone (``audios``)."""

    videos: list[VideoEntry] | SkipJsonSchema[None] = Field(
        None, description="The source video with the generated soundtrack muxed in; present once succeeded."
    )
    audios: list[SoundtrackEntry] | SkipJsonSchema[None] = Field(
        None, description="The soundtrack alone; present once succeeded."
    )


class TextToAudioResult(_Reply):
    """``task_result`` of text-to-audio tasks: ``{}`` until the task succeeds, then ``audios`` with one
    entry (the same audio as MP3 and WAV, exactly the requested length)."""

    audios: list[SoundtrackEntry] | SkipJsonSchema[None] = Field(
        None, description="The generated audio; present once succeeded."
    )


class SpeechResult(_Reply):
    """``task_result`` of TTS tasks: ``audios`` with one entry (``{}`` once the audio has expired)."""

    audios: list[SpeechEntry] | SkipJsonSchema[None] = Field(None, description="The speech.")


# -- the task object ----------------------------------------------------------------------------------------


class ParentVideo(_Reply):
    """The input video of a video-to-audio task, or the video a video extension continued."""

    id: str = Field(description='The `video_id` given, or "" when the video came as `video_url`.')
    url: str = Field(description="The `video_url` given, or a signed URL of the video behind `video_id`.")
    duration: Seconds


class UpstreamInfo(_Reply):
    """kinema extension, gateway only (docs/gateway.md): the upstream task a task ran as."""

    task_id: str = Field(description="The upstream's id of the task.")
    base_url: str = Field(description="The upstream API it ran on (base URL and prefix).")
    final_unit_deduction: str | SkipJsonSchema[None] = Field(
        None, description="What the upstream charged, as it reported it (once it succeeded)."
    )
    urls: list[str] | SkipJsonSchema[None] = Field(
        None, description="The upstream's own result URLs, archived into kinema (they expire upstream)."
    )
    fingerprint: str | SkipJsonSchema[None] = Field(
        None, description="With dedupe on: SHA-256 of the kind, the fields and the input files' contents."
    )
    reused_from: str | SkipJsonSchema[None] = Field(
        None, description="With dedupe on: the task whose result was copied (nothing was sent upstream)."
    )
    callbacks: int | SkipJsonSchema[None] = Field(
        None, description="Upstream callbacks received for this task (each one makes kinema poll at once)."
    )


class TaskInfo(_Reply):
    """``task_info``: the caller's own id, the input video of a video-to-audio task, and (kinema extension)
    the request fields that had no effect."""

    external_task_id: str = Field(description='The caller\'s `external_task_id`, or "" when none was given.')
    parent_video: ParentVideo | SkipJsonSchema[None] = Field(
        None,
        description="Video-to-audio tasks: the input video; video extensions: the video extended "
        "(kinema sets it from the create on; upstream's create reply may leave it out).",
    )
    unsupported_fields: list[str] | SkipJsonSchema[None] = Field(
        None,
        description="kinema extension: request fields this server accepted but cannot honour (they have no "
        'effect on the result), e.g. ["voice_list"]; absent when every field given has an effect. In '
        "callbacks only with KINEMA_CALLBACK_EXTENSIONS=true.",
    )
    upstream: UpstreamInfo | SkipJsonSchema[None] = Field(
        None, description="kinema extension: the upstream task, when this one ran on an upstream (gateway)."
    )


class WatermarkState(_Reply):
    """``watermark_info`` of avatar and image-to-video tasks: the request's choice, echoed."""

    enabled: bool = Field(description="Whether the request asked for a watermarked copy.")


ResultT = TypeVar("ResultT", bound=BaseModel)


class TaskFields(_Reply, Generic[ResultT]):
    """The official task object's fields (spec §1, §6): what a query reply and a callback have in common."""

    task_id: NumericId = Field(description="kinema's id of the task.")
    task_status: TaskStatusValue = Field(
        description="submitted → processing → succeed | failed (a queued task may go straight to failed); "
        "succeed and failed are terminal."
    )
    task_status_msg: str = Field(
        description='Why the task failed (or that its results expired); "" otherwise.'
    )
    task_info: TaskInfo
    task_result: ResultT
    created_at: EpochMs
    updated_at: EpochMs
    final_unit_deduction: str = Field(
        pattern=r"^\d+(\.\d{1,2})?$",
        description="Units charged, as a decimal string: the task's price (kind, mode, duration; see "
        'docs/accounts.md, e.g. "1" for a std 5 s video, TTS "0.1") once succeeded, "0" before and on '
        "failure.",
    )


class TaskObject(TaskFields[ResultT], Generic[ResultT]):
    """The task object (spec §1): ``data`` of create, query, cancel and list replies. Subclassed per task
    kind with its ``task_result`` shape."""

    task_progress: int = Field(
        ge=0,
        le=100,
        description="kinema extension: percent done; 100 once succeeded. Strict clients ignore it.",
    )


class TaskCallback(TaskFields[ResultT], Generic[ResultT]):
    """The body of a callback: the official callback's task object (spec §6), bare, with no envelope.
    kinema's extension fields are added only when ``KINEMA_CALLBACK_EXTENSIONS=true``."""

    task_progress: Annotated[int, Field(ge=0, le=100)] | SkipJsonSchema[None] = Field(
        None,
        description="kinema extension, sent only with KINEMA_CALLBACK_EXTENSIONS=true: percent done.",
    )


class VideoTask(TaskObject[VideoResult]):
    """The task object of avatar (`/videos/avatar/image2video`) and image-to-video (`/videos/image2video`)."""

    watermark_info: WatermarkState


class VideoCallback(TaskCallback[VideoResult]):
    """The callback body of avatar and image-to-video tasks."""

    watermark_info: WatermarkState | SkipJsonSchema[None] = Field(
        None,
        description="Sent only with KINEMA_CALLBACK_EXTENSIONS=true (the official callback has no "
        "watermark_info; query replies always carry it).",
    )


class VideoExtendTask(VideoTask):
    """The task object of video extension (`/videos/video-extend`): ``videos`` holds the whole extended
    video (the parent and its continuation), ``task_info.parent_video`` the video extended."""


class VideoExtendCallback(VideoCallback):
    """The callback body of video-extension tasks."""


class VideoToAudioTask(TaskObject[VideoToAudioResult]):
    """The task object of video-to-audio (`/audio/video-to-audio`); ``task_info.parent_video`` names the
    input video."""


class VideoToAudioCallback(TaskCallback[VideoToAudioResult]):
    """The callback body of video-to-audio tasks."""


class TextToAudioTask(TaskObject[TextToAudioResult]):
    """The task object of text to audio (`/audio/text-to-audio`)."""


class TextToAudioCallback(TaskCallback[TextToAudioResult]):
    """The callback body of text-to-audio tasks."""


class TtsTask(TaskObject[SpeechResult]):
    """The task object of text to speech (`/audio/tts`), already finished when the create call answers."""


# -- kinema's extension views -------------------------------------------------------------------------------


class QueueView(_Reply):
    """kinema extension: how busy the shared queue is, and where one task stands."""

    depth: int = Field(ge=0, description="Tasks waiting (submitted), all accounts.")
    running: int = Field(ge=0, description="Tasks being processed, all accounts.")
    position: int = Field(
        ge=0, description="1 = this task runs next; 0 = not waiting (or no task asked about)."
    )


class CallbackAttempt(_Reply):
    """kinema extension: one delivery attempt of a callback (a POST of the task object to `callback_url`)."""

    webhook_id: str = Field(description="The `webhook-id` header: one per callback, kept across retries.")
    url: str = Field(description="Where it was POSTed.")
    task_status: TaskStatusValue | Literal[""] = Field(description="The status this callback reported.")
    attempt: int = Field(ge=1, description="1 for the first try of this callback, then 2, 3, …")
    at: EpochMs
    status_code: int | None = Field(description="The receiver's HTTP status; null when none came back.")
    error: str = Field(description='Why the attempt failed ("HTTP 500", a connection error); "" on success.')
    duration_ms: int = Field(ge=0, description="How long the attempt took.")
    state: Literal["pending", "delivered", "dead"] = Field(
        description="The callback's state now: pending (will retry), delivered, or dead (gave up)."
    )


class ResourcePack(_Reply):
    """One resource pack of the account: on kinema, its unit budget (``kinema keys budget``)."""

    resource_pack_name: str = Field(description='"kinema unit budget".')
    resource_pack_id: str = Field(description="Made anew when a budget is first set (or set after a clear).")
    resource_pack_type: Literal["decreasing_total", "constant_period"] = Field(
        description="decreasing_total: a total that tasks use up (the only type kinema makes)."
    )
    total_quantity: float = Field(ge=0, description="Units the budget holds.")
    remaining_quantity: float = Field(
        ge=0,
        description="Units left: the total less succeeded tasks' deductions and unfinished tasks' prices.",
    )
    purchase_time: EpochMs = Field(description="When the budget was set.")
    effective_time: EpochMs = Field(description="When it started counting (the same as purchase_time).")
    invalid_time: EpochMs = Field(description="When it ends; 253402300799000 (year 9999) when it has no end.")
    status: Literal["toBeOnline", "online", "expired", "runOut"] = Field(
        description="online; runOut when nothing is left; expired after invalid_time (kinema never reports "
        "toBeOnline: a budget starts when it is set)."
    )


class AccountCosts(_Reply):
    """``data`` of ``GET /account/costs``: the account's resource packs valid within the asked time range;
    an empty list when the account has no unit budget (it is not metered)."""

    code: int = Field(description="0.")
    msg: str = Field(description='"success".')
    resource_pack_subscribe_infos: list[ResourcePack]


class Health(_Reply):
    """``/healthz``: the API answers and its database is reachable."""

    status: Literal["ok"]
    version: str = Field(description="kinema's version.")
    pid: int = Field(description="The answering API process.")


# -- envelopes -----------------------------------------------------------------------------------------------

DataT = TypeVar("DataT")


class Reply(_Reply, Generic[DataT]):
    """The success envelope of every JSON reply (spec §1)."""

    code: Literal[0] = Field(description="0: success.")
    message: Literal["SUCCEED"]
    request_id: str = Field(description="Made per request; also sent as the X-Request-Id header.")
    data: DataT


class ErrorReply(_Reply):
    """The error envelope (spec §8): Kling's code and a message naming the field and the rule; no ``data``."""

    code: int = Field(
        ge=1000,
        description="1000-1004 authentication, 1100-1103 account (1101 arrears, 1102 unit budget spent "
        "or expired), 1200 malformed request, 1201 invalid parameter, 1202 method not allowed, 1203 not "
        "found, 1300-1301 policy, 1302 rate limit, 1303 concurrency limit, 1304 IP not on the account's "
        "allow-list, 5000-5002 server.",
    )
    message: str = Field(description="What was wrong: names the field and the rule for input errors.")
    request_id: str = Field(description="Made per request; also sent as the X-Request-Id header.")


class VideoTaskReply(Reply[VideoTask]):
    """One avatar or image-to-video task."""


class VideoTaskListReply(Reply[list[VideoTask] | VideoTask]):
    """A page of tasks, newest first; with ``?external_task_id=`` the one task instead of a list."""


class VideoExtendTaskReply(Reply[VideoExtendTask]):
    """One video-extension task."""


class VideoExtendTaskListReply(Reply[list[VideoExtendTask] | VideoExtendTask]):
    """A page of tasks, newest first; with ``?external_task_id=`` the one task instead of a list."""


class VideoToAudioTaskReply(Reply[VideoToAudioTask]):
    """One video-to-audio task."""


class VideoToAudioTaskListReply(Reply[list[VideoToAudioTask] | VideoToAudioTask]):
    """A page of tasks, newest first; with ``?external_task_id=`` the one task instead of a list."""


class TextToAudioTaskReply(Reply[TextToAudioTask]):
    """One text-to-audio task."""


class TextToAudioTaskListReply(Reply[list[TextToAudioTask] | TextToAudioTask]):
    """A page of tasks, newest first; with ``?external_task_id=`` the one task instead of a list."""


class TtsTaskReply(Reply[TtsTask]):
    """One TTS task, finished."""


class QueueReply(Reply[QueueView]):
    """kinema extension: the queue's depth, and this task's place in it."""


class CallbackAttemptsReply(Reply[list[CallbackAttempt]]):
    """Every delivery attempt of the task's callbacks, oldest first."""


class AccountCostsReply(Reply[AccountCosts]):
    """The account's resource packs (its unit budget) and what is left of them."""


class HealthReply(Reply[Health]):
    """Liveness: this API process answers and reached the database."""


class TaskReplies(NamedTuple):
    """What one asynchronous task kind's routes send."""

    task: type[TaskObject[Any]]
    """The task object of query, list and create replies."""
    callback: type[TaskCallback[Any]]
    """The body of its callbacks: the official fields, extensions only when configured."""
    one: type[Reply[Any]]
    """Create, query, cancel: one task."""
    page: type[Reply[Any]]
    """List: a page of tasks, or the one by ``?external_task_id=``."""


TASK_REPLIES: dict[str, TaskReplies] = {
    "avatar": TaskReplies(VideoTask, VideoCallback, VideoTaskReply, VideoTaskListReply),
    "image2video": TaskReplies(VideoTask, VideoCallback, VideoTaskReply, VideoTaskListReply),
    "text2video": TaskReplies(VideoTask, VideoCallback, VideoTaskReply, VideoTaskListReply),
    "video_extend": TaskReplies(
        VideoExtendTask, VideoExtendCallback, VideoExtendTaskReply, VideoExtendTaskListReply
    ),
    "video_to_audio": TaskReplies(
        VideoToAudioTask, VideoToAudioCallback, VideoToAudioTaskReply, VideoToAudioTaskListReply
    ),
    "text_to_audio": TaskReplies(
        TextToAudioTask, TextToAudioCallback, TextToAudioTaskReply, TextToAudioTaskListReply
    ),
}
