"""The runner's watermark step: driven by the kind table's flag and the request, for any executor (a plug-in
here), stored on the video's asset and swept with it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import pytest
from sqlalchemy import select, update

from kinema.db.models import Asset
from kinema.jobs import service
from kinema.jobs.executors.base import JobContext, OutputFile
from kinema.jobs.retention import sweep_once
from kinema.jobs.runner import run_task
from kinema.jobs.watermark import wants_watermark
from kinema.runtime import Runtime
from tests.media.test_watermark import _clip
from tests.support.db import BACKENDS, make_account, runtime

PLUGIN = "tests.jobs.test_watermark_step:execute"


def execute(ctx: JobContext[Any]) -> list[OutputFile]:
    """A plug-in executor that knows nothing of watermarks: one real 2 s clip with sound."""
    path = _clip(ctx.workdir / "plugin.mp4")
    return [OutputFile(role="video", path=path, duration_s=2.0)]


@pytest.fixture(params=BACKENDS)
def rt(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    yield from runtime(tmp_path, request.param, executors={"avatar": PLUGIN, "image2video": PLUGIN})


def _run(rt: Runtime, kind: str, enabled: bool | None) -> dict[str, Any]:
    acct = make_account(rt)
    key = f"{acct}/inputs/u1/image.png"
    rt.storage.put_bytes(key, b"png-bytes", "image/png")
    params: dict[str, Any] = {"image": "input:image"}
    if kind == "avatar":
        params["audio_id"] = "1"
    if enabled is not None:
        params["watermark_info"] = {"enabled": enabled}
    task = service.create_task(rt, account_id=acct, kind=kind, params=params, inputs={"image": key})
    assert run_task(rt, task.id, "w") == "succeed"
    done = service.get_task(rt, acct, kind, task_id=task.id)
    assert done is not None
    return done.result["videos"][0]


@pytest.mark.parametrize("kind", ["avatar", "image2video"])
def test_enabled_makes_a_stored_copy_recorded_on_the_asset(rt: Runtime, kind: str, tmp_path: Path) -> None:
    video = _run(rt, kind, True)
    mark = video["watermark_key"]
    assert mark == video["key"].removesuffix(".mp4") + ".watermark.mp4"
    local = tmp_path / "copy.mp4"
    rt.storage.download_to(mark, local)
    with av.open(str(local)) as c:
        assert c.streams.video[0].frames == 48 and c.streams.audio
    with rt.db.read() as s:
        asset = s.scalars(select(Asset).where(Asset.id == video["id"])).one()
    assert asset.extra["watermark"] == mark
    with rt.db.write() as s:  # past retention: the copy goes with the video
        s.execute(update(Asset).where(Asset.id == video["id"]).values(expires_at=1))
    assert sweep_once(rt) == 1
    assert rt.storage.info(mark) is None and rt.storage.info(video["key"]) is None


@pytest.mark.parametrize("enabled", [False, None])
def test_no_copy_unless_enabled(rt: Runtime, enabled: bool | None) -> None:
    assert list(_run(rt, "image2video", enabled)) == ["id", "key", "duration"]


def test_only_kinds_flagged_in_the_kind_table_want_copies() -> None:
    class Req:
        watermark_info = type("W", (), {"enabled": True})()

    assert wants_watermark("avatar", Req()) and wants_watermark("image2video", Req())
    assert not wants_watermark("video_to_audio", Req())  # no watermark flag, whatever the body says
    assert not wants_watermark("image2video", object())


def test_a_video_that_brings_its_own_copy_is_not_marked_again(tmp_path: Path) -> None:
    """The gateway archives the upstream's watermarked copy: the step keeps it, byte for byte."""
    from types import SimpleNamespace

    from kinema.jobs.watermark import WATERMARK_EXTRA, add_watermarked_copies
    from kinema.settings import Settings

    video, theirs = _clip(tmp_path / "v.mp4"), _clip(tmp_path / "theirs.mp4")
    request = SimpleNamespace(watermark_info=SimpleNamespace(enabled=True))
    ctx = SimpleNamespace(kind="image2video", request=request, workdir=tmp_path, progress=lambda f: None)
    outs = [
        OutputFile(role="video", path=video, duration_s=2.0, extra={WATERMARK_EXTRA: theirs}),
        OutputFile(role="video", path=video, duration_s=2.0),
    ]
    kept, made = add_watermarked_copies(ctx, outs, Settings())  # type: ignore[arg-type]
    assert kept.extra[WATERMARK_EXTRA] == theirs
    assert made.extra[WATERMARK_EXTRA] == tmp_path / "watermark-1.mp4"  # none given: the local step's
