"""The kind table: everything kinema knows about a task kind, in one row per kind.

Routes (``api/routes/tasks.py``), input loading (``api/inputs.py``, ``media/inputs.py``), the executor
registry (``jobs/registry.py``), the task object (``contract/tasks.py``), the SDK (``client/``) and the CLI
(``cli/main.py``) all read this table; none of them spells a kind out. Adding an endpoint is one row here, one
request model in ``contract/requests/`` and one executor in ``jobs/executors/`` (``docs/adding-a-kind.md``).

This module is data only: the executor and the CLI command are named by import path, so the contract layer
imports nothing above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from kinema.contract.limits import Limits
from kinema.contract.requests import (
    AvatarCreate,
    Image2VideoCreate,
    Text2VideoCreate,
    TextToAudioCreate,
    TtsCreate,
    VideoExtendCreate,
    VideoToAudioCreate,
)
from kinema.contract.requests.video_extend import EXTEND_MIN_S
from kinema.contract.vocabulary import TaskKind

#: Every create path exists under both prefixes: gateway style first (the SDK's default), then official.
PREFIXES: tuple[str, ...] = ("/kling/v1", "/v1")

#: How ``kinema.media.inputs.load_media`` checks a media input.
MediaKind = Literal["image", "mask", "audio", "video"]
#: The groups of ``task_result`` a kind fills.
ResultGroup = Literal["videos", "audios", "images"]
#: The (min, max) seconds a media input or an earlier result must last, read from the limits in force.
DurationRule = Callable[[Limits], tuple[float, float]]


@dataclass(frozen=True)
class MediaField:
    """A request field that carries media (URL or base64), checked and stored at create time.

    ``path`` is the wire path; ``[]`` marks a list, as in ``dynamic_masks[].mask``. ``input`` is the name the
    stored file gets in the task's inputs, and so in ``JobContext.inputs``; ``{i}`` is the list index.
    """

    path: str
    input: str
    kind: MediaKind
    duration: DurationRule | None = None
    #: ``None``: the kind's default (images are checked for aspect ratio, masks are not).
    check_aspect: bool | None = None
    #: When set, ``task_info[<this>]`` describes the input (``{"id", "url", "duration"}``).
    task_info_key: str | None = None

    def __post_init__(self) -> None:
        if self.path.count("[]") > 1 or ("[]" in self.path) != ("{i}" in self.input):
            raise ValueError(f"media field {self.path!r}: one list level at most, and '{{i}}' in its input")


@dataclass(frozen=True)
class ReuseField:
    """A request field holding the id of an earlier result of the same account (``audio_id``, ``video_id``).

    The result's blob becomes input ``input``; ``extra_inputs`` are further blobs recorded with that result
    (the phone timings of a TTS audio) that become inputs of the same name when present.
    """

    field: str
    input: str
    role: Literal["audio", "video"]
    duration: DurationRule
    extra_inputs: tuple[str, ...] = ()
    task_info_key: str | None = None
    #: Why the duration rule is what it is, added to the 1201 message when a result breaks it.
    rule_note: Callable[[Limits], str] | None = None


@dataclass(frozen=True)
class KindSpec:
    """One task kind. ``path`` is below every prefix in :data:`PREFIXES` (see :attr:`paths`)."""

    kind: TaskKind
    path: str
    request: type[BaseModel]
    summary: str
    results: tuple[ResultGroup, ...]
    media: tuple[MediaField, ...] = ()
    reuse: tuple[ReuseField, ...] = ()
    #: ``module:function`` of the built-in executor; ``None`` for a kind served inside the request.
    executor: str | None = None
    #: The API answers with the finished task (TTS) instead of queueing it.
    synchronous: bool = False
    #: The task object carries ``watermark_info``.
    watermark: bool = False
    #: Attribute of ``kinema.client.Client`` (a family for queued kinds, a method for synchronous ones).
    sdk_name: str = ""
    #: ``kinema <cli_name>`` runs the engine locally; ``cli_module`` has its ``command``.
    cli_name: str = ""
    cli_module: str = ""
    cli_help: str = ""

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(prefix + self.path for prefix in PREFIXES)


def _avatar_audio(limits: Limits) -> tuple[float, float]:
    return limits.avatar_audio_min_s, limits.avatar_audio_max_s


def _v2a_video(limits: Limits) -> tuple[float, float]:
    return limits.v2a_video_min_s, limits.v2a_video_max_s


def _extendable(limits: Limits) -> tuple[float, float]:
    """Any length, as long as the shortest extension keeps the whole within ``extend_total_max_s``."""
    return 0.0, limits.extend_total_max_s - EXTEND_MIN_S


def _extend_note(limits: Limits) -> str:
    return (
        f"an extended video lasts at most {limits.extend_total_max_s:g} s and an extension adds "
        f"at least {EXTEND_MIN_S:g} s"
    )


AVATAR = KindSpec(
    kind=TaskKind.AVATAR,
    path="/videos/avatar/image2video",
    request=AvatarCreate,
    summary="Talking avatar: portrait + speech → lip-synced MP4",
    results=("videos",),
    media=(
        MediaField("image", "image", "image"),
        MediaField("sound_file", "audio", "audio", duration=_avatar_audio),
    ),
    reuse=(ReuseField("audio_id", "audio", "audio", _avatar_audio, extra_inputs=("phones",)),),
    executor="kinema.jobs.executors.avatar:execute",
    watermark=True,
    sdk_name="avatar",
    cli_name="avatar",
    cli_module="kinema.cli.avatar",
    cli_help="Talking avatar, locally: portrait + speech → MP4",
)

IMAGE2VIDEO = KindSpec(
    kind=TaskKind.IMAGE2VIDEO,
    path="/videos/image2video",
    request=Image2VideoCreate,
    summary="Image to video: a still → a 5/10 s clip",
    results=("videos",),
    media=(
        MediaField("image", "image", "image"),
        MediaField("image_tail", "image_tail", "image", check_aspect=False),
        MediaField("static_mask", "static_mask", "mask"),
        MediaField("dynamic_masks[].mask", "dynamic_mask_{i}", "mask"),
    ),
    executor="kinema.jobs.executors.image2video:execute",
    watermark=True,
    sdk_name="image2video",
    cli_name="i2v",
    cli_module="kinema.cli.i2v",
    cli_help="Image to video, locally: still → clip",
)

TEXT2VIDEO = KindSpec(
    kind=TaskKind.TEXT2VIDEO,
    path="/videos/text2video",
    request=Text2VideoCreate,
    summary="Text to video: a prompt → a clip (needs a generative model, docs/gpu.md)",
    results=("videos",),
    # Only reached when no pipeline serves the model (routing in jobs/executors/generative.py).
    executor="kinema.jobs.executors.generative:unserved",
    watermark=True,
    sdk_name="text2video",
    cli_name="t2v",
    cli_module="kinema.cli.t2v",
    cli_help="Text to video, locally, on a KINEMA_MODELS model: kinema t2v 'a cat dances' -o clip.mp4",
)

VIDEO_EXTEND = KindSpec(
    kind=TaskKind.VIDEO_EXTEND,
    path="/videos/video-extend",
    request=VideoExtendCreate,
    summary="Video extension: a video of this server → the same video 4–5 s longer",
    results=("videos",),
    reuse=(
        ReuseField(
            "video_id", "video", "video", _extendable, task_info_key="parent_video", rule_note=_extend_note
        ),
    ),
    executor="kinema.jobs.executors.video_extend:execute",
    watermark=True,
    sdk_name="video_extend",
    cli_name="extend",
    cli_module="kinema.cli.extend",
    cli_help="Video extension, locally: clip → the same clip 4–5 s longer",
)

VIDEO_TO_AUDIO = KindSpec(
    kind=TaskKind.VIDEO_TO_AUDIO,
    path="/audio/video-to-audio",
    request=VideoToAudioCreate,
    summary="Video to audio: sound effects + music",
    results=("audios", "videos"),
    media=(MediaField("video_url", "video", "video", duration=_v2a_video, task_info_key="parent_video"),),
    reuse=(ReuseField("video_id", "video", "video", _v2a_video, task_info_key="parent_video"),),
    executor="kinema.jobs.executors.video_to_audio:execute",
    sdk_name="video_to_audio",
    cli_name="v2a",
    cli_module="kinema.cli.v2a",
    cli_help="Video to audio, locally: clip → sound effects + music",
)

TEXT_TO_AUDIO = KindSpec(
    kind=TaskKind.TEXT_TO_AUDIO,
    path="/audio/text-to-audio",
    request=TextToAudioCreate,
    summary="Text to audio: a prompt → sound effects and/or music of an exact length",
    results=("audios",),
    executor="kinema.jobs.executors.text_to_audio:execute",
    sdk_name="text_to_audio",
    cli_name="t2a",
    cli_module="kinema.cli.t2a",
    cli_help="Text to audio, locally: kinema t2a 'rain on a tin roof' -d 5 -o out",
)

TTS = KindSpec(
    kind=TaskKind.TTS,
    path="/audio/tts",
    request=TtsCreate,
    summary="Text to speech (synchronous): the result's audio id is the avatar's audio_id",
    results=("audios",),
    synchronous=True,
    sdk_name="tts",
    cli_name="tts",
    cli_module="kinema.cli.tts",
    cli_help="Text to speech, locally: kinema tts 'text' -o out.mp3",
)

#: The table, in the order routes, the OpenAPI document and help texts list the kinds.
KINDS: dict[TaskKind, KindSpec] = {
    spec.kind: spec
    for spec in (
        AVATAR,
        IMAGE2VIDEO,
        TEXT2VIDEO,
        VIDEO_EXTEND,
        VIDEO_TO_AUDIO,
        TEXT_TO_AUDIO,
        TTS,
    )
}


def spec_for(kind: str) -> KindSpec:
    """The row of ``kind`` (a stored ``tasks.kind``); ``KeyError`` names an unknown kind."""
    try:
        return KINDS[TaskKind(kind)]
    except ValueError:
        raise KeyError(f"unknown task kind {kind!r}") from None


def queued_kinds() -> tuple[KindSpec, ...]:
    """The kinds whose tasks are queued and run by a worker (every kind but the synchronous ones)."""
    return tuple(spec for spec in KINDS.values() if not spec.synchronous)
