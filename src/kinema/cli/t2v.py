"""``kinema t2v "a cat dances" --model kling-v2-6 [-d 5] [-o clip.mp4]``: text to video locally, on the
generative model ``KINEMA_MODELS`` configures for that name (docs/gpu.md) — the engine the server's
``/videos/text2video`` runs, with the same request rules and mapping."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import typer

from kinema.cli.models import require_models
from kinema.contract.errors import KlingError
from kinema.contract.limits import limits_from_settings
from kinema.contract.parsing import parse_request
from kinema.contract.requests import Text2VideoCreate
from kinema.jobs.executors import generative
from kinema.jobs.executors.base import JobContext
from kinema.settings import get_settings


def command(
    prompt: str = typer.Argument(..., help="What happens in the clip."),
    model: str = typer.Option("kling-v2-6", "--model", help="A model_name configured in KINEMA_MODELS."),
    duration: int = typer.Option(5, "-d", "--duration", help="Seconds."),
    mode: str = typer.Option("std", "--mode", help="std or pro."),
    aspect: str = typer.Option("16:9", "--aspect", help="16:9, 9:16 or 1:1."),
    negative: str = typer.Option("", "--negative", help="What to avoid."),
    output: Path = typer.Option(Path("t2v.mp4"), "-o", "--output", help="The MP4 to write."),
    seed: int = typer.Option(0, "--seed", help="Same request and seed: the same video."),
) -> None:
    """Generate a clip from a prompt on a local generative model; writes an H.264 MP4."""
    settings = get_settings()
    require_models(settings)
    body = {
        "model_name": model,
        "prompt": prompt,
        "duration": str(duration),
        "mode": mode,
        "aspect_ratio": aspect,
        "negative_prompt": negative or None,
    }
    limits = limits_from_settings(settings)
    try:
        request = parse_request(Text2VideoCreate, json.dumps(body), limits)
        generative.admit("text2video", request, settings)
    except KlingError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(code=2) from exc
    entry = generative.catalog(settings).find(model, "text2video")
    assert entry is not None  # admit() answered 1203 otherwise
    with tempfile.TemporaryDirectory() as tmp:
        ctx = JobContext(
            task_id="local",
            kind="text2video",
            request=request,
            inputs={},
            workdir=Path(tmp),
            progress=lambda _f: None,
            seed=seed,
            limits=limits,
        )
        out = generative.execute(ctx, entry)[0]
        output.parent.mkdir(parents=True, exist_ok=True)
        out.path.replace(output)
    extra = out.extra
    typer.echo(
        f"{output}\n{extra['width']}x{extra['height']}, {extra['frames']} frames at {extra['fps']} fps "
        f"({out.duration_s:.2f} s), {entry.pipeline} from {entry.path}"
    )
