"""What the playground's forms are made from: the kind table, the request models and the limits in force.

The page (``static/form.js``) builds one form per kind from this description alone, so a kind added to
``kinema.contract.kinds`` appears in the playground with no page code. The JSON schema is the request model's
own (the one ``/openapi.json`` documents); the rest is what a schema cannot say: which string fields carry
media (and in which formats and sizes), which ones name an earlier result, and the server's limits profile,
whose numbers may differ from the defaults written into the schema.
"""

from __future__ import annotations

from typing import Any

from kinema.contract.kinds import KINDS, PREFIXES, KindSpec, MediaField, ReuseField
from kinema.contract.limits import Limits
from kinema.contract.requests.fields import AsyncBody
from kinema.contract.vocabulary import TaskStatus
from kinema.contract.voices import VOICES
from kinema.media.inputs import accepted_formats, size_cap

#: MIME types of the formats ``kinema.media.inputs`` accepts, for the file picker's ``accept``.
_MIME = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "m4a": "audio/mp4",
    "aac": "audio/aac",
    "ogg": "audio/ogg",
    "flac": "audio/flac",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
}


def _media(field: MediaField, limits: Limits) -> dict[str, Any]:
    formats = accepted_formats(field.kind, limits)
    return {
        "path": field.path,
        "kind": field.kind,
        "formats": list(formats),
        "accept": ",".join(_MIME[f] for f in formats if f in _MIME),
        "max_bytes": size_cap(field.kind, limits),
        "duration_s": list(field.duration(limits)) if field.duration else None,
    }


def _reuse(field: ReuseField, limits: Limits) -> dict[str, Any]:
    return {"field": field.field, "role": field.role, "duration_s": list(field.duration(limits))}


def _suggestions(spec: KindSpec) -> dict[str, list[str]]:
    """Values a free string field takes from a vocabulary the schema does not list (the preset voices)."""
    fields = spec.request.model_fields
    if "voice_id" in fields and "voice_language" in fields:
        return {"voice_id": [voice for voices in VOICES.values() for voice in voices]}
    return {}


def describe_kind(spec: KindSpec, limits: Limits) -> dict[str, Any]:
    """One kind's form: where it posts, how it answers, its fields (JSON schema) and their media rules."""
    return {
        "kind": str(spec.kind),
        "summary": spec.summary,
        "path": spec.path,
        "synchronous": spec.synchronous,
        "results": list(spec.results),
        "schema": spec.request.model_json_schema(by_alias=True),
        "media": [_media(m, limits) for m in spec.media],
        "reuse": [_reuse(r, limits) for r in spec.reuse],
        "suggestions": _suggestions(spec),
        # Every queued kind's delivery fields: the page folds them away below the kind's own fields.
        "shared_fields": list(AsyncBody.model_fields) if issubclass(spec.request, AsyncBody) else [],
    }


def describe(limits: Limits, dev_key: str | None) -> dict[str, Any]:
    """The playground's whole description. ``dev_key`` is only ever given for a loopback caller."""
    return {
        "prefix": PREFIXES[0],
        "dev_key": dev_key,
        "statuses": [str(s) for s in TaskStatus],
        "page_size_max": limits.page_size_max,
        "limits": limits.model_dump(),
        "kinds": [describe_kind(spec, limits) for spec in KINDS.values()],
    }
