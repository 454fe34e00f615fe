"""Create arguments per family, typed as the request models' fields, and the body they become.

One function per request model of :mod:`kinema.contract.requests`: its keyword parameters are the model's
fields, by their wire names, with the model's types (a little wider where the SDK converts: a media field
also takes a local ``Path`` or raw ``bytes``, a nested object also takes a plain mapping, ``duration`` also an
``int``). ``tests/client/test_bodies.py`` checks each signature against its model, names and types, so the two
cannot drift. The first argument is the family's main input, given by position as before
(``avatar.create("face.jpg", …)``) or by its wire name like every other field
(``image2video.create(image=…)``), or a ready request model (``image2video.create(Image2VideoCreate(...))``).

A builder returns the body as plain JSON values with ``None`` left out; :func:`encode_media` then turns local
files and bytes in the kind's media fields into base64, and the client validates the result with the model
before sending it (``kinema.client.core``).
"""

from __future__ import annotations

import base64
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from kinema.contract.kinds import KindSpec
from kinema.contract.requests import (
    AvatarCreate,
    CameraControl,
    DynamicMask,
    Element,
    Image2VideoCreate,
    MultiPrompt,
    TextToAudioCreate,
    TtsCreate,
    VideoExtendCreate,
    VideoToAudioCreate,
    VoiceRef,
    WatermarkInfo,
)
from kinema.contract.vocabulary import Mode
from kinema.contract.voices import VoiceLanguage

#: A media input: an http(s) URL, base64 text, a local file (``Path``, or a path string that names one), or
#: the raw bytes of a file. Files and bytes are sent as raw base64 (no ``data:`` prefix, as upstream wants).
Media = str | Path | bytes
#: A nested request object given as a plain mapping instead of its model (``{"type": "simple", …}``).
JsonObject = Mapping[str, Any]
ModeName = Mode | Literal["std", "pro"]
#: A motion-brush group the short way: ``(mask, [(x, y), …])``, the points in pixels, origin bottom-left.
BrushStroke = tuple[Media, Sequence[tuple[int, int]]]


def body_of(
    model: type[BaseModel], lead: Any, lead_field: str | None, fields: dict[str, Any]
) -> dict[str, Any]:
    """The body from a builder's arguments: ``lead`` is its positional argument, a ready ``model`` instance or
    the value of ``lead_field``; ``fields`` are the keyword arguments. A model instance comes back as the
    fields it was given (``exclude_unset``), so the server applies its own defaults as for a dict."""
    if isinstance(lead, BaseModel):
        if not isinstance(lead, model):
            raise TypeError(f"expected a {model.__name__}, got a {type(lead).__name__}")
        given = sorted(name for name, value in fields.items() if value is not None)
        if given:
            raise TypeError(f"give a {model.__name__} or its fields, not both (also got {given})")
        return lead.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    if lead is not None:
        if lead_field is None:
            raise TypeError(f"the positional argument must be a {model.__name__}; give fields by name")
        fields = {lead_field: lead, **fields}
    return {name: plain(value) for name, value in fields.items() if value is not None}


def plain(value: Any) -> Any:
    """Models, mappings and sequences as JSON values; media (``Path``, ``bytes``) is left for
    :func:`encode_media`."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def media(value: Any) -> Any:
    """Raw bytes or a local file as raw base64. A string is a URL, base64 already, or the path of a local
    file (then read); anything else is left for the request model to judge."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, Path):
        return base64.b64encode(value.read_bytes()).decode()
    if not isinstance(value, str) or value.startswith(("http://", "https://")):
        return value
    try:
        is_file = len(value) < 4096 and Path(value).is_file()
    except (OSError, ValueError):
        is_file = False
    return base64.b64encode(Path(value).read_bytes()).decode() if is_file else value


def encode_media(spec: KindSpec, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with :func:`media` applied to each media field of the kind table (``dynamic_masks[].mask``
    reaches into every list entry)."""
    for field in spec.media:
        outer, _, inner = field.path.partition("[].")
        if not inner:
            if outer in body:
                body[outer] = media(body[outer])
            continue
        for entry in body.get(outer) or ():
            if isinstance(entry, dict) and inner in entry:
                entry[inner] = media(entry[inner])
    return body


def avatar(
    image: AvatarCreate | Media | None = None,
    *,
    audio_id: str | None = None,
    sound_file: Media | None = None,
    prompt: str | None = None,
    mode: ModeName | None = None,
    watermark_info: WatermarkInfo | JsonObject | None = None,
    callback_url: str | None = None,
    external_task_id: str | None = None,
) -> dict[str, Any]:
    """Talking avatar (spec §2): the portrait ``image`` and exactly one of ``audio_id`` (a TTS result's
    ``audio_id``) and ``sound_file``."""
    fields = locals()
    return body_of(AvatarCreate, fields.pop("image"), "image", fields)


def _brush(group: DynamicMask | JsonObject | BrushStroke) -> Any:
    if isinstance(group, tuple):
        mask, points = group
        return {"mask": mask, "trajectories": [{"x": x, "y": y} for x, y in points]}
    return group


def image2video(
    image: Image2VideoCreate | Media | None = None,
    *,
    model_name: str | None = None,
    image_tail: Media | None = None,
    prompt: str | None = None,
    negative_prompt: str | None = None,
    cfg_scale: float | None = None,
    mode: ModeName | None = None,
    duration: str | int | None = None,
    static_mask: Media | None = None,
    dynamic_masks: Sequence[DynamicMask | JsonObject | BrushStroke] | None = None,
    camera_control: CameraControl | JsonObject | None = None,
    multi_shot: bool | None = None,
    shot_type: Literal["customize", "intelligence"] | None = None,
    multi_prompt: Sequence[MultiPrompt | JsonObject] | None = None,
    element_list: Sequence[Element | JsonObject] | None = None,
    voice_list: Sequence[VoiceRef | JsonObject] | None = None,
    sound: Literal["on", "off"] | None = None,
    watermark_info: WatermarkInfo | JsonObject | None = None,
    callback_url: str | None = None,
    external_task_id: str | None = None,
) -> dict[str, Any]:
    """Image to video (spec §3): a first frame ``image`` (or only a last frame ``image_tail``), animated by
    the prompt and at most one of ``image_tail``, the motion brush (``static_mask``/``dynamic_masks``) and
    ``camera_control``. ``duration`` may be an int (``5`` for ``"5"``)."""
    fields = locals()
    if isinstance(duration, int) and not isinstance(duration, bool):
        fields["duration"] = str(duration)  # a string on the wire, as upstream wants it
    if dynamic_masks is not None:
        fields["dynamic_masks"] = [_brush(group) for group in dynamic_masks]
    return body_of(Image2VideoCreate, fields.pop("image"), "image", fields)


def video_extend(
    video_id: VideoExtendCreate | str | None = None,
    *,
    prompt: str | None = None,
    negative_prompt: str | None = None,
    cfg_scale: float | None = None,
    watermark_info: WatermarkInfo | JsonObject | None = None,
    model_name: str | None = None,
    mode: str | None = None,
    callback_url: str | None = None,
    external_task_id: str | None = None,
) -> dict[str, Any]:
    """Video extension: the video ``video_id`` (made by this server, any kind) continued by 4–5 s from its
    last frame; the result is the whole extended video (at most 3 minutes). ``model_name`` and ``mode`` are
    accepted as upstream's examples send them and reported in ``task_info.unsupported_fields``."""
    fields = locals()
    return body_of(VideoExtendCreate, fields.pop("video_id"), "video_id", fields)


def video_to_audio(
    video_url: VideoToAudioCreate | str | None = None,
    *,
    video_id: str | None = None,
    sound_effect_prompt: str | None = None,
    bgm_prompt: str | None = None,
    asmr_mode: bool | None = None,
    callback_url: str | None = None,
    external_task_id: str | None = None,
) -> dict[str, Any]:
    """Video to audio (spec §4): exactly one of ``video_url`` (an http(s) URL) and ``video_id`` (a generated
    video's id), with optional effect and music prompts."""
    fields = locals()
    return body_of(VideoToAudioCreate, fields.pop("video_url"), "video_url", fields)


def text_to_audio(
    prompt: TextToAudioCreate | str | None = None,
    *,
    duration: float | None = None,
    callback_url: str | None = None,
    external_task_id: str | None = None,
) -> dict[str, Any]:
    """Text to audio: sound effects and/or music for ``prompt`` (<=200 chars), exactly ``duration`` seconds
    long (3.0–10.0, one decimal)."""
    fields = locals()
    return body_of(TextToAudioCreate, fields.pop("prompt"), "prompt", fields)


#: The SDK's defaults for ``tts()`` (upstream's are zh and no voice): speak English with a stock voice.
TTS_DEFAULTS: dict[str, Any] = {"voice_id": "oversea_male1", "voice_language": "en"}
#: ``tts()``'s old keyword names, still accepted with a DeprecationWarning.
DEPRECATED_TTS_NAMES: dict[str, str] = {"language": "voice_language", "speed": "voice_speed"}


def tts(
    text: TtsCreate | str,
    voice_id: str | None = TTS_DEFAULTS["voice_id"],
    *,
    voice_language: VoiceLanguage | None = TTS_DEFAULTS["voice_language"],
    voice_speed: float | None = None,
    language: VoiceLanguage | None = None,
    speed: float | None = None,
) -> dict[str, Any]:
    """Text to speech (spec §5): ``text`` in ``voice_language`` with the preset voice ``voice_id``;
    ``voice_speed`` 0.8..2.0 (the server clamps). ``language``/``speed`` are the old names."""
    fields = locals()
    for old, new in DEPRECATED_TTS_NAMES.items():
        value = fields.pop(old)
        if value is not None:
            warnings.warn(f"tts({old}=…) is deprecated: use {new}=…", DeprecationWarning, stacklevel=4)
            fields[new] = value
    if isinstance(text, TtsCreate):  # a ready request carries its own voice: the SDK defaults step aside
        fields = {name: value for name, value in fields.items() if TTS_DEFAULTS.get(name) != value}
    return body_of(TtsCreate, fields.pop("text"), "text", fields)


def generic(spec: KindSpec) -> Callable[..., dict[str, Any]]:
    """Keyword arguments named as on the wire (or a ready model) for a kind without a builder above: a kind
    added to the table gets a working SDK family before anyone writes its typed signature."""
    known = set(spec.request.model_fields)

    def build(request: BaseModel | None = None, /, **fields: Any) -> dict[str, Any]:
        unknown = sorted(set(fields) - known)
        if unknown:
            raise TypeError(f"{spec.sdk_name}.create() got unexpected keyword arguments {unknown}")
        return body_of(spec.request, request, None, fields)

    return build
