"""The model names each endpoint knows, from the official capability map (2026 notes, §1.3): one place.

A ``model_name`` that is not on its endpoint's list — never existed, retired, or belongs to another endpoint
(``kling-video-o1`` is omni-video only) — is "a requested resource that does not exist, such as the model" in
the official error table: code 1203, HTTP 404, not the 1201 of a malformed field. The validator raises
:func:`unknown_model`; :mod:`kinema.contract.parsing` turns it into that error, naming the model.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic_core import PydanticCustomError

#: The pydantic error type of an unknown model; ``parsing`` maps it to code 1203.
UNKNOWN_MODEL = "kinema_unknown_model"

#: ``POST …/videos/image2video``: every video model of the map with an i2v tick.
IMAGE2VIDEO_MODELS: tuple[str, ...] = (
    "kling-v1",
    "kling-v1-5",
    "kling-v1-6",
    "kling-v2-master",
    "kling-v2-1",
    "kling-v2-1-master",
    "kling-v2-5-turbo",
    "kling-v2-6",
    "kling-v3",
)
#: ``POST …/videos/text2video`` (no kinema endpoint yet): kling-v1-5 and kling-v2-1 have no t2v tick.
TEXT2VIDEO_MODELS: tuple[str, ...] = (
    "kling-v1",
    "kling-v1-6",
    "kling-v2-master",
    "kling-v2-1-master",
    "kling-v2-5-turbo",
    "kling-v2-6",
    "kling-v3",
)
#: ``POST …/videos/omni-video`` (no kinema endpoint yet): the omni-only models.
OMNI_VIDEO_MODELS: tuple[str, ...] = ("kling-video-o1", "kling-v3-omni")

#: Endpoint (its path below ``/videos``) → the model names it accepts, default first.
MODELS_BY_ENDPOINT: Mapping[str, tuple[str, ...]] = {
    "image2video": IMAGE2VIDEO_MODELS,
    "text2video": TEXT2VIDEO_MODELS,
    "omni-video": OMNI_VIDEO_MODELS,
}


def unknown_model(name: str, endpoint: str) -> PydanticCustomError:
    """The validation error for a model ``endpoint`` does not serve; the message names it and the list."""
    known = MODELS_BY_ENDPOINT[endpoint]
    elsewhere = [e for e, names in MODELS_BY_ENDPOINT.items() if e != endpoint and name in names]
    why = f"is served by {', '.join(elsewhere)} only" if elsewhere else "does not exist or is retired"
    return PydanticCustomError(
        UNKNOWN_MODEL,
        "{rule}",
        {"rule": f"model {name!r} {why}; {endpoint} serves {', '.join(known)}", "sub": ""},
    )


def check_model(name: str, endpoint: str) -> str:
    """``name`` when ``endpoint`` serves it, else :func:`unknown_model` (code 1203)."""
    if name not in MODELS_BY_ENDPOINT[endpoint]:
        raise unknown_model(name, endpoint)
    return name
