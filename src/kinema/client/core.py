"""What the sync and async clients share: auth headers, media encoding, reply parsing, errors.

Paths and the families themselves come from the kind table (:mod:`kinema.contract.kinds`), never copied here.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt

from kinema.contract.kinds import KindSpec, MediaField, queued_kinds
from kinema.contract.vocabulary import TERMINAL_STATUSES, TaskKind, TaskStatus

#: The queued kinds the clients expose as families (``client.avatar`` …), by ``sdk_name``.
FAMILIES: dict[str, KindSpec] = {spec.sdk_name: spec for spec in queued_kinds()}


class ApiError(Exception):
    """A reply with ``code != 0``: the Kling code, the message, the request id and the HTTP status."""

    def __init__(self, code: int, message: str, request_id: str, status: int) -> None:
        super().__init__(f"[{code}] {message} (request {request_id}, HTTP {status})")
        self.code, self.message, self.request_id, self.status = code, message, request_id, status


@dataclass(frozen=True)
class Task:
    """A task object as the server sent it, with shortcuts to the common fields."""

    data: dict[str, Any]
    request_id: str = ""

    @property
    def task_id(self) -> str:
        return str(self.data["task_id"])

    @property
    def status(self) -> str:
        return str(self.data["task_status"])

    @property
    def message(self) -> str:
        return str(self.data.get("task_status_msg", ""))

    @property
    def progress(self) -> int:
        return int(self.data.get("task_progress", 100 if self.status == TaskStatus.SUCCEED else 0))

    @property
    def done(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def videos(self) -> list[dict[str, Any]]:
        return list(self.data.get("task_result", {}).get("videos", []))

    @property
    def audios(self) -> list[dict[str, Any]]:
        return list(self.data.get("task_result", {}).get("audios", []))

    @property
    def audio_id(self) -> str:
        """The first audio's id (what a TTS result gives the avatar)."""
        return str(self.audios[0]["id"])


@dataclass
class Auth:
    """An opaque key, or an AK/SK pair from which short-lived HS256 JWTs are minted (spec §9)."""

    api_key: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    _token: str = field(default="", repr=False)
    _expires: float = 0.0

    def header(self) -> dict[str, str]:
        if self.api_key:
            return {"Authorization": f"Bearer {self.api_key}"}
        if not (self.access_key and self.secret_key):
            raise ValueError("give api_key, or access_key and secret_key")
        now = time.time()
        if now > self._expires - 60:
            claims = {"iss": self.access_key, "exp": int(now) + 1800, "nbf": int(now) - 5}
            self._token = jwt.encode(claims, self.secret_key, algorithm="HS256", headers={"typ": "JWT"})
            self._expires = now + 1800
        return {"Authorization": f"Bearer {self._token}"}


def media(value: str | Path | bytes | None) -> str | None:
    """A URL stays a URL; a local path or raw bytes become raw base64 (no ``data:`` prefix, as upstream
    wants); any other string is taken to be base64 already."""
    if value is None:
        return None
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, Path):
        return base64.b64encode(value.read_bytes()).decode()
    if value.startswith(("http://", "https://")):
        return value
    try:
        is_file = len(value) < 4096 and Path(value).is_file()
    except OSError:
        is_file = False
    return base64.b64encode(Path(value).read_bytes()).decode() if is_file else value


def unwrap(status: int, body: Any) -> tuple[Any, str]:
    """(data, request_id) of a successful reply, or :class:`ApiError`."""
    if not isinstance(body, dict) or "code" not in body:
        raise ApiError(-1, f"not a Kling envelope: {str(body)[:200]}", "", status)
    rid = str(body.get("request_id", ""))
    if body["code"] != 0:
        raise ApiError(int(body["code"]), str(body.get("message", "")), rid, status)
    return body.get("data"), rid


def drop_none(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None}


def avatar_body(
    image: str | Path | bytes,
    *,
    audio_id: str | None = None,
    sound_file: str | Path | bytes | None = None,
    prompt: str | None = None,
    mode: str | None = None,
    callback_url: str | None = None,
    external_task_id: str | None = None,
) -> dict[str, Any]:
    return drop_none(
        {
            "image": media(image),
            "audio_id": audio_id,
            "sound_file": media(sound_file),
            "prompt": prompt,
            "mode": mode,
            "callback_url": callback_url,
            "external_task_id": external_task_id,
        }
    )


def image2video_body(
    image: str | Path | bytes | None = None,
    *,
    image_tail: str | Path | bytes | None = None,
    prompt: str | None = None,
    negative_prompt: str | None = None,
    cfg_scale: float | None = None,
    mode: str | None = None,
    duration: str | int | None = None,
    model_name: str | None = None,
    camera_control: dict[str, Any] | None = None,
    static_mask: str | Path | bytes | None = None,
    dynamic_masks: list[tuple[str | Path | bytes, list[tuple[int, int]]]] | None = None,
    callback_url: str | None = None,
    external_task_id: str | None = None,
) -> dict[str, Any]:
    masks = None
    if dynamic_masks:
        masks = [
            {"mask": media(m), "trajectories": [{"x": x, "y": y} for x, y in points]}
            for m, points in dynamic_masks
        ]
    return drop_none(
        {
            "image": media(image),
            "image_tail": media(image_tail),
            "prompt": prompt,
            "negative_prompt": negative_prompt,
            "cfg_scale": cfg_scale,
            "mode": mode,
            "duration": None if duration is None else str(duration),
            "model_name": model_name,
            "camera_control": camera_control,
            "static_mask": media(static_mask),
            "dynamic_masks": masks,
            "callback_url": callback_url,
            "external_task_id": external_task_id,
        }
    )


def video_to_audio_body(
    video_url: str | None = None,
    *,
    video_id: str | None = None,
    sound_effect_prompt: str | None = None,
    bgm_prompt: str | None = None,
    asmr_mode: bool | None = None,
    callback_url: str | None = None,
    external_task_id: str | None = None,
) -> dict[str, Any]:
    return drop_none(
        {
            "video_url": video_url,
            "video_id": video_id,
            "sound_effect_prompt": sound_effect_prompt,
            "bgm_prompt": bgm_prompt,
            "asmr_mode": asmr_mode,
            "callback_url": callback_url,
            "external_task_id": external_task_id,
        }
    )


#: Hand-written builders with friendlier arguments (positional media, trajectories as tuples), by kind.
BODY_BUILDERS: dict[TaskKind, Callable[..., dict[str, Any]]] = {
    TaskKind.AVATAR: avatar_body,
    TaskKind.IMAGE2VIDEO: image2video_body,
    TaskKind.VIDEO_TO_AUDIO: video_to_audio_body,
}


def _is_top_level(field: MediaField) -> bool:
    return "[]" not in field.path


def generic_body(spec: KindSpec, fields: dict[str, Any]) -> dict[str, Any]:
    """A body for any kind from keyword arguments named as on the wire: top-level media fields go through
    :func:`media`, the rest as given. Unknown names are a ``TypeError``, as for a function."""
    known = set(spec.request.model_fields)
    unknown = sorted(set(fields) - known)
    if unknown:
        raise TypeError(f"{spec.sdk_name}.create() got unexpected keyword arguments {unknown}")
    media_names = {f.path for f in spec.media if _is_top_level(f)}
    return drop_none({k: media(v) if k in media_names else v for k, v in fields.items()})


def build_body(spec: KindSpec, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The create body of ``spec``: its hand-written builder when there is one, else :func:`generic_body`."""
    builder = BODY_BUILDERS.get(spec.kind)
    if builder is not None:
        return builder(*args, **kwargs)
    if args:
        raise TypeError(f"{spec.sdk_name}.create() takes keyword arguments only")
    return generic_body(spec, kwargs)
