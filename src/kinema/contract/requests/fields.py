"""Field rules shared by every create body: optional strings, ids, numbers, media strings, URLs, lengths.

Numbers come from the :class:`~kinema.contract.limits.Limits` passed in the pydantic validation context, so
one model serves every profile. Only cheap shape checks happen here (types, lengths, "URL or base64");
decoding and probing the media is ``kinema.media.inputs``. A rule failure is :func:`rule`, which
``kinema.contract.parsing`` turns into ``"<field path>: <rule>"`` (code 1201).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from kinema.contract.context import is_stored, limits_of
from kinema.contract.limits import Limits

MODES: tuple[str, ...] = ("std", "pro")

_B64_RE = re.compile(r"[A-Za-z0-9+/_\-=\s]+")
_DATA_URI_RE = re.compile(r"data:[\w.+-]+/[\w.+-]+(;[\w.+-]+=[\w.+-]+)*;base64,", re.IGNORECASE)


def rule(message: str, sub: str = "") -> PydanticCustomError:
    """A rule failure. ``sub`` is a path below the failing location (e.g. ``"config"``) so a model-level
    validator can still name the exact field."""
    return PydanticCustomError("kinema_rule", "{rule}", {"rule": message, "sub": sub})


INPUT_REF_PREFIX = "input:"


def input_ref(name: str) -> str:
    """What a media field holds once its file is stored: ``input:<name>``, ``<name>`` being the key of the
    task's inputs (and of ``JobContext.inputs``). The payload itself never goes into the task row."""
    return INPUT_REF_PREFIX + name


def _check_input_ref(value: str) -> str:
    if not value.startswith(INPUT_REF_PREFIX) or len(value) == len(INPUT_REF_PREFIX):
        raise rule(f"must reference a stored input ({INPUT_REF_PREFIX}<name>) in a stored request")
    return value


def blank_to_none(value: Any) -> Any:
    """Clients often send ``""`` for "not set" (``"image_tail": ""``); treat it as absent."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _no_bool_number(value: Any) -> Any:
    """JSON ``true`` is not a number, whatever Python thinks."""
    if isinstance(value, bool):
        raise rule("must be a number")
    return value


def _no_bool_int(value: Any) -> Any:
    if isinstance(value, bool):
        raise rule("must be an integer")
    return value


def _id_to_str(value: Any) -> Any:
    """Task/audio/video ids are numeric strings; some clients send them as JSON integers. Accept both."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return blank_to_none(value)


OptStr = Annotated[str | None, BeforeValidator(blank_to_none)]
IdStr = Annotated[str | None, BeforeValidator(_id_to_str)]
Number = Annotated[float, BeforeValidator(_no_bool_number)]
Int = Annotated[int, BeforeValidator(_no_bool_int)]


def is_url(value: str) -> bool:
    """The spec's own test: a media string is a URL when it starts with ``http://`` or ``https://``."""
    return value[:8].lower().startswith(("http://", "https://"))


def check_http_url(value: str, max_chars: int) -> str:
    if len(value) > max_chars:
        raise rule(f"must be at most {max_chars} characters, got {len(value)}")
    if not is_url(value):
        raise rule("must be an http(s) URL")
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises on a non-numeric port
    except ValueError as exc:
        raise rule("must be a valid http(s) URL") from exc
    if not parts.hostname or any(c.isspace() for c in value):
        raise rule("must be a valid http(s) URL")
    return value


def check_media(value: str, limits: Limits) -> str:
    """URL or raw base64 (optionally ``data:…;base64,``-prefixed when allowed). Shape only, not content."""
    if is_url(value):
        return check_http_url(value, limits.url_max_chars)
    body = value
    if value[:5].lower() == "data:":
        if not limits.allow_data_uri:
            raise rule("must be an http(s) URL or raw base64 without a data: URI prefix")
        match = _DATA_URI_RE.match(value)
        if match is None:
            raise rule("data: URI must be of the form data:<type>;base64,<data>")
        body = value[match.end() :]
    if not body or _B64_RE.fullmatch(body) is None:
        raise rule("must be an http(s) URL or base64 data")
    return value


def _media_string(value: str | None, info: ValidationInfo) -> str | None:
    if value is None:
        return None
    return _check_input_ref(value) if is_stored(info) else check_media(value, limits_of(info))


def _media_url(value: str | None, info: ValidationInfo) -> str | None:
    if value is None:
        return None
    if is_stored(info):
        return _check_input_ref(value)
    return check_http_url(value, limits_of(info).url_max_chars)


#: A media input: an http(s) URL or base64 (``image``, ``sound_file``, masks…).
MediaStr = Annotated[str | None, BeforeValidator(blank_to_none), AfterValidator(_media_string)]
#: A media input that must be a URL (``video_url``).
MediaUrl = Annotated[str | None, BeforeValidator(blank_to_none), AfterValidator(_media_url)]


def one_of(value: str, choices: Sequence[str]) -> str:
    """The rule of every enumerated string field (modes, camera types, model names, languages…)."""
    if value not in choices:
        raise rule(f"must be one of {', '.join(choices)}, got {value!r}")
    return value


def check_len(value: str | None, max_chars: int) -> str | None:
    if value is not None and len(value) > max_chars:
        raise rule(f"must be at most {max_chars} characters, got {len(value)}")
    return value


def optional(description: str, *, validate_default: bool = False, **schema: Any) -> Any:
    """An optional field with its documentation (shown in the generated OpenAPI document)."""
    options: dict[str, Any] = {"description": description, "validate_default": validate_default}
    if schema:
        options["json_schema_extra"] = schema
    return Field(None, **options)


def required_in_schema(*names: str) -> ConfigDict:
    """Mark fields required in the JSON schema only: the validators enforce it, with Kling's messages."""
    return ConfigDict(json_schema_extra={"required": list(names)})


class Body(BaseModel):
    """Common config: unknown fields (``aspect_ratio``…) are ignored, as upstream does."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class AsyncBody(Body):
    """``callback_url`` and ``external_task_id``: shared by the three asynchronous endpoints."""

    callback_url: OptStr = optional(
        "http(s) URL that receives a POST with the task object on every status change."
    )
    external_task_id: IdStr = optional(
        "Your own id for the task (unique per account, <=256 chars); usable to query."
    )

    @field_validator("callback_url")
    @classmethod
    def _callback(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else check_http_url(value, limits_of(info).callback_url_max_chars)

    @field_validator("external_task_id")
    @classmethod
    def _external_id(cls, value: str | None, info: ValidationInfo) -> str | None:
        return check_len(value, limits_of(info).external_task_id_max_chars)

class VideoPromptBody(AsyncBody):
    """The rules of ``prompt``, ``negative_prompt`` and ``cfg_scale`` where a video kind takes them (image to
    video, text to video, video extension): one place, so the three share the limits profile's lengths and
    range. Each subclass declares the fields (with its own descriptions); the rules apply to those it has."""

    @field_validator("prompt", check_fields=False)
    @classmethod
    def _prompt(cls, value: str | None, info: ValidationInfo) -> str | None:
        return check_len(value, limits_of(info).i2v_prompt_max_chars)

    @field_validator("negative_prompt", check_fields=False)
    @classmethod
    def _negative(cls, value: str | None, info: ValidationInfo) -> str | None:
        return check_len(value, limits_of(info).i2v_negative_prompt_max_chars)

    @field_validator("cfg_scale", check_fields=False)
    @classmethod
    def _cfg(cls, value: float | None, info: ValidationInfo) -> float | None:
        limits = limits_of(info)
        low, high = limits.cfg_scale_min, limits.cfg_scale_max
        if value is not None and (not math.isfinite(value) or not low <= value <= high):
            raise rule(f"must be between {low:g} and {high:g}")
        return value



class WatermarkInfo(Body):
    enabled: bool | None = optional("Return a watermarked copy too.")


def check_mode(value: str | None) -> str:
    return "std" if value is None else one_of(value, MODES)
