"""A request is either rejected at create time or it runs: for every limit an override can relax, a request
at the relaxed value passes create, is stored, comes back typed in the worker and is rendered by its
executor without failing for a limit reason.

Each case goes through the code the API and the runner run: ``parse_request`` and the create-time media
checks (``resolve_create_inputs``) under the overridden limits, the stored request of the task row, the
worker's ``request_from_row`` under the same limits, and the built-in executor with its real engine. Engines
are stopped once they have checked their inputs and started producing output (the first rendered frame; for
video to audio, the first step of the soundtrack after the picture analysis).
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from PIL import Image

from kinema.contract.kinds import spec_for
from kinema.contract.limit_bounds import BOUNDS
from kinema.contract.limits import Limits, build_limits
from kinema.contract.parsing import parse_page, parse_request
from kinema.contract.stored import request_from_row, stored_request
from kinema.engines.base import Cancelled
from kinema.jobs.executors.base import JobContext, OutputFile
from kinema.jobs.registry import get_executor
from kinema.media.inputs import resolve_create_inputs
from kinema.settings import Settings
from tests.api.media import png_b64, portrait_b64, wav_bytes
from tests.media.helpers import mp4_bytes

#: Each engine's progress once its input checks are behind it and output has started; None: run to the end.
STARTED: dict[str, float | None] = {
    "avatar": 0.02,
    "image2video": 0.0,
    "video_to_audio": 0.5,
    "text_to_audio": None,
    "video_extend": 0.25,  # the parent copied, the continuation about to be rendered
}

#: Switches whose relaxed reading is the default: turning them on only rejects more.
RELAXED_BY_DEFAULT = {"require_avatar_prompt", "require_i2v_image", "i2v_duration_only_5_10", "strict"}
#: Not a rule on input: the page size used when a list request names none; the memory budget and the
#: concurrency of the create-time checks (they change how a file is checked, never whether a request passes).
NOT_A_RULE = {"page_size_default", "image_check_memory_bytes", "media_checks_concurrent"}


class _Files(BaseHTTPRequestHandler):
    """Serves ``/<name>?<anything>`` from ``files`` (URL inputs: long URLs, big downloads)."""

    files: ClassVar[dict[str, bytes]] = {}

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        body = self.files.get(self.path.partition("?")[0].strip("/"), b"")
        self.send_response(200 if body else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def files_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def image_b64(width: int, height: int, fmt: str = "PNG", noise: bool = False) -> str:
    """A textured picture; ``noise`` makes it incompressible (a PNG of about 3 bytes a pixel)."""
    if noise:
        arr = np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)
    else:
        y, x = np.mgrid[0:height, 0:width]
        arr = np.stack([x % 256, y % 256, (x + y) % 256], -1).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format=fmt)
    return b64(buf.getvalue())


def speech(seconds: float, rate: int = 48000) -> str:
    return b64(wav_bytes(seconds, rate))


def video(tmp: Path, seconds: float, pad_bytes: int = 0) -> bytes:
    """A tiny H.264 clip; ``pad_bytes`` appends an MP4 ``free`` box (players skip it) to make it big."""
    data = mp4_bytes(tmp, seconds, size=(96, 64), fps=8)
    if pad_bytes:
        data += (pad_bytes + 8).to_bytes(4, "big") + b"free" + bytes(pad_bytes)
    return data


def served(name: str, data: bytes, query: str = "") -> Callable[[str], str]:
    """A URL input: ``data`` served at ``<server>/<name>?<query>``."""

    def url(base: str) -> str:
        _Files.files[name] = data
        return f"{base}/{name}?{query}"

    return url


Body = Callable[[Path, str], dict[str, Any]]


@dataclass(frozen=True)
class Case:
    """Override ``value`` and a request ``body(tmp, files_url)`` of ``kind`` that only it lets through."""

    value: float | bool
    kind: str
    body: Body
    phones: bool = False
    """Give the avatar phone timings (as a TTS ``audio_id`` would), so minutes of speech need no phone
    recognition before the first frame."""
    reused: Callable[[Path], dict[str, Path]] | None = None
    """The inputs an id of an earlier result (``video_id``) resolves to; the API looks them up in the
    account, this test hands the files to the worker directly."""


AV = {"image": portrait_b64(512)}
I2V = {"image": png_b64(480, 320)}
TRAJ = [{"x": 10 + i, "y": 10 + i} for i in range(90)]


def _i2v(**fields: Any) -> Body:
    """An image-to-video body; cases whose feature kling-v1 lacks name a model that has it
    (contract/capabilities.py)."""
    return lambda tmp, url: {**I2V, **fields}


def _avatar(seconds: float = 2.5, rate: int = 48000, **fields: Any) -> Body:
    return lambda tmp, url: {**AV, "sound_file": speech(seconds, rate), **fields}


def _v2a(seconds: float = 4.0, **fields: Any) -> Body:
    return lambda tmp, url: {"video_url": served(f"v{seconds}.mp4", video(tmp, seconds))(url), **fields}


def _t2a(prompt: str = "rain on a tin roof", duration: float = 3.0) -> Body:
    return lambda tmp, url: {"prompt": prompt, "duration": duration}


def _parent_video(seconds: float) -> Callable[[Path], dict[str, Path]]:
    """A ``video_id`` of a tiny video of ``seconds``."""

    def inputs(work: Path) -> dict[str, Path]:
        path = work / "parent.mp4"
        path.write_bytes(mp4_bytes(work, seconds, size=(96, 64), fps=8))
        return {"video": path}

    return inputs


def _multi_prompt(entries: int, chars: int = 20) -> Body:
    shots = [{"index": i + 1, "prompt": "p" * chars, "duration": "1"} for i in range(entries)]
    return _i2v(
        model_name="kling-v3",
        duration=str(entries),
        multi_shot=True,
        shot_type="customize",
        multi_prompt=shots,
    )


CASES: dict[str, Case] = {
    "image_max_bytes": Case(11 * 1024 * 1024, "image2video", _i2v(image=image_b64(1900, 1900, noise=True))),
    "image_min_side_px": Case(200, "image2video", _i2v(image=image_b64(240, 200))),
    "image_aspect_min": Case(0.3, "image2video", _i2v(image=image_b64(320, 1000))),
    "image_aspect_max": Case(3.0, "image2video", _i2v(image=image_b64(960, 320))),
    "image_max_pixels": Case(60_000_000, "image2video", _i2v(image=image_b64(7500, 7500, "JPEG"))),
    "avatar_audio_min_s": Case(0.1, "avatar", _avatar(0.1)),
    # 8 kHz keeps five minutes of speech under the 5 MB sound_file cap
    "avatar_audio_max_s": Case(305.0, "avatar", _avatar(302.0, rate=8000), phones=True),
    "sound_file_max_bytes": Case(6 * 1024 * 1024, "avatar", _avatar(60.0), phones=True),
    "avatar_prompt_max_chars": Case(3000, "avatar", _avatar(prompt="smile and nod, " * 190)),
    "i2v_prompt_max_chars": Case(3000, "image2video", _i2v(prompt="slow zoom in, " * 200)),
    "i2v_negative_prompt_max_chars": Case(3000, "image2video", _i2v(negative_prompt="shake, " * 400)),
    "i2v_duration_min_s": Case(1, "image2video", _i2v(model_name="kling-v3", duration="1")),
    "i2v_duration_max_s": Case(20, "image2video", _i2v(model_name="kling-v3", duration="20")),
    "trajectory_max_points": Case(
        100,
        "image2video",
        _i2v(dynamic_masks=[{"mask": image_b64(480, 320), "trajectories": TRAJ}]),
    ),
    "multi_prompt_max": Case(8, "image2video", _multi_prompt(7)),
    "multi_prompt_prompt_max_chars": Case(600, "image2video", _multi_prompt(3, chars=580)),
    "element_list_max": Case(
        4, "image2video", _i2v(model_name="kling-v3", element_list=[{"element_id": i} for i in range(4)])
    ),
    "voice_list_max": Case(
        3,
        "image2video",
        _i2v(model_name="kling-v2-6", mode="pro", voice_list=[{"voice_id": f"v{i}"} for i in range(3)]),
    ),
    "v2a_video_max_bytes": Case(
        102 * 1024 * 1024,
        "video_to_audio",
        lambda tmp, url: {"video_url": served("big.mp4", video(tmp, 4.0, 101 * 1024 * 1024))(url)},
    ),
    "v2a_video_min_s": Case(1.0, "video_to_audio", _v2a(1.5)),
    "v2a_video_max_s": Case(25.0, "video_to_audio", _v2a(24.0)),
    "v2a_prompt_max_chars": Case(300, "video_to_audio", _v2a(sound_effect_prompt="rain " * 50)),
    "extend_total_max_s": Case(
        190.0,
        "video_extend",
        lambda tmp, url: {"video_id": "914919190112902203"},
        reused=_parent_video(178.0),
    ),
    "t2a_prompt_max_chars": Case(300, "text_to_audio", _t2a(prompt="rain " * 50)),
    "t2a_duration_min_s": Case(2.0, "text_to_audio", _t2a(duration=2.5)),
    "t2a_duration_max_s": Case(12.0, "text_to_audio", _t2a(duration=11.0)),
    "callback_url_max_chars": Case(
        3000, "image2video", _i2v(callback_url="https://cb.example/" + "c" * 2500)
    ),
    "url_max_chars": Case(
        9000,
        "image2video",
        lambda tmp, url: {"image": served("long.png", base64.b64decode(I2V["image"]), "q" * 8500)(url)},
    ),
    "duration_tolerance_s": Case(0.5, "avatar", _avatar(1.6)),
    "allow_data_uri": Case(True, "image2video", _i2v(image="data:image/png;base64," + I2V["image"])),
    "allow_extra_formats": Case(True, "image2video", _i2v(image=image_b64(480, 320, "WEBP"))),
}


def _phones(path: Path) -> Path:
    path.write_text(json.dumps({"alphabet": "ipa", "phones": [{"p": "m", "start": 0.0, "end": 0.2}]}))
    return path


def create_then_run(
    limits: Limits,
    kind: str,
    body: dict[str, Any],
    tmp: Path,
    phones: bool,
    reused: Callable[[Path], dict[str, Path]] | None = None,
) -> str:
    """Create (contract + media checks), store, rebuild in the worker, execute. Returns how it ended."""
    spec = spec_for(kind)
    settings = Settings(allow_private_urls=True, data_dir=tmp / "data")
    req = parse_request(spec.request, json.dumps(body), limits)
    files = asyncio.run(
        resolve_create_inputs(kind, req, limits=limits, settings=settings, dest_dir=tmp / "in")
    )
    work = tmp / "work"
    work.mkdir(parents=True)
    inputs: dict[str, Path] = {}
    for name, media in files.items():
        inputs[name] = work / media.filename
        if media.data is not None:
            inputs[name].write_bytes(media.data)
        else:
            assert media.path is not None
            media.path.replace(inputs[name])
    if phones:
        inputs["phones"] = _phones(work / "phones.json")
    if reused is not None:
        inputs.update(reused(work))
    request = request_from_row(
        kind, stored_request(spec, req), {k: str(v) for k, v in inputs.items()}, limits
    )
    started = STARTED[kind]

    def progress(fraction: float) -> None:
        if started is not None and fraction > started:
            raise Cancelled()

    ctx = JobContext(
        task_id="t", kind=kind, request=request, inputs=inputs, workdir=work, progress=progress, limits=limits
    )
    try:
        outputs: list[OutputFile] = get_executor(kind, Settings())(ctx)
    except Cancelled:
        return "rendering"
    assert outputs and all(o.path.is_file() for o in outputs)
    return "done"


def test_every_limit_is_covered() -> None:
    """A new limit must say how it is relaxed and prove that the worker follows, or why it cannot be."""
    at_bound = {name for name, b in BOUNDS.items() if Limits.model_fields[name].default in (b.low, b.high)}
    paging = {"page_num_max", "page_size_max"}
    covered = set(CASES) | at_bound | RELAXED_BY_DEFAULT | NOT_A_RULE | paging
    assert sorted(set(Limits.model_fields) - covered) == []
    assert not set(CASES) & at_bound
    for name in RELAXED_BY_DEFAULT:
        assert Limits.model_fields[name].default is False


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_request_at_a_relaxed_limit_runs(name: str, tmp_path: Path, files_url: str) -> None:
    case = CASES[name]
    limits = build_limits("kling", overrides={name: case.value})
    default = Limits.model_fields[name].default
    body = case.body(tmp_path, files_url)
    if not isinstance(default, bool):  # the request really needs the override …
        with pytest.raises(Exception, match=r"must|exceeds|larger|unsupported|at most|too"):
            create_then_run(Limits(), case.kind, body, tmp_path / "default", case.phones, case.reused)
    # … and with it, it runs: no rule fails it on the way to the engine, which renders.
    outcome = create_then_run(limits, case.kind, body, tmp_path / "relaxed", case.phones, case.reused)
    assert outcome in ("rendering", "done")


def test_paging_limits_relax_too() -> None:
    raised = build_limits("kling", overrides={"page_num_max": 5000, "page_size_max": 900})
    assert parse_page("4000", "800", raised) == (4000, 800)
