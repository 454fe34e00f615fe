"""The upstream body of a stored request, and which tasks are routed upstream."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from kinema.contract.context import validation_context
from kinema.contract.kinds import spec_for
from kinema.contract.limits import Limits
from kinema.settings import Settings
from kinema.upstream.forward import NotForwardable, encode_file, upstream_body
from kinema.upstream.routes import goes_upstream


def _stored(kind: str, data: dict) -> object:
    return spec_for(kind).request.model_validate(data, context=validation_context(Limits(), stored=True))


def test_media_become_base64_the_task_id_becomes_external_task_id(tmp_path: Path) -> None:
    image = tmp_path / "image.png"
    image.write_bytes(b"\x89PNG fake bytes")
    req = _stored(
        "image2video",
        {
            "image": "input:image",
            "prompt": "a boat",
            "external_task_id": "client-own",
            "callback_url": "http://x/",
        },
    )
    body = upstream_body(
        spec_for("image2video"),
        req,  # type: ignore[arg-type]
        task_id="900",
        media=lambda name: encode_file({"image": image}[name]),
        upstream_ids={},
    )
    assert base64.b64decode(body["image"]) == b"\x89PNG fake bytes"
    assert body["external_task_id"] == "900"  # the client's own id stays in kinema
    assert "callback_url" not in body  # kinema sends the callbacks
    assert body["prompt"] == "a boat" and body["model_name"] == "kling-v1"


def test_a_video_id_is_translated_or_refused() -> None:
    spec = spec_for("video_to_audio")
    req = _stored("video_to_audio", {"video_id": "123"})
    body = upstream_body(spec, req, task_id="1", media=str, upstream_ids={"video_id": "up-9"})  # type: ignore[arg-type]
    assert body["video_id"] == "up-9"
    with pytest.raises(NotForwardable, match="video_id: this video was not made upstream"):
        upstream_body(spec, req, task_id="1", media=str, upstream_ids={})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("routes", "kind", "model", "expected"),
    [
        ("", "image2video", "kling-v1", False),
        ("all", "image2video", "kling-v1", True),
        ("all", "tts", None, True),  # forwarded by the API, inside the request (jobs/upstream_tts.py)
        ("image2video", "tts", None, False),
        ("image2video", "image2video", "kling-v1", True),
        ("image2video", "text_to_audio", None, False),
        ("kling-v2-6", "image2video", "kling-v2-6", True),
        ("kling-v2-6", "image2video", "kling-v1", False),
    ],
)
def test_routing_by_kind_and_model_name(routes: str, kind: str, model: str | None, expected: bool) -> None:
    settings = Settings(upstream_url="http://up", upstream_routes=routes)
    assert goes_upstream(settings, kind, {"model_name": model}) is expected
    assert goes_upstream(Settings(upstream_routes=routes), kind, {"model_name": model}) is False  # no URL
