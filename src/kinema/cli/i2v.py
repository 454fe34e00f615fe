"""``kinema i2v --image in.jpg [--prompt …] [--camera zoom=5 | down_back] -o out.mp4``: local, no server."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from kinema.contract.limits import limits_from_settings
from kinema.contract.vocabulary import Mode
from kinema.engines.base import EngineInputError
from kinema.engines.image2video import (
    CameraControl,
    DynamicMask,
    I2VOptions,
    I2VResult,
    Shot,
    intelligent_shots,
    render_image_to_video,
)
from kinema.engines.image2video.options import CAMERA_AXES, CAMERA_PRESETS
from kinema.engines.video_to_audio.native import NativeAudio, add_native_audio
from kinema.jobs.executors.image2video import RENDER_SHARE, sound_words
from kinema.settings import get_settings


def parse_camera_option(value: str | None) -> CameraControl | None:
    """``zoom=5`` (one axis, -10..10) or a preset name such as ``down_back``."""
    if not value:
        return None
    if value in CAMERA_PRESETS:
        return CameraControl(type=value)
    axis, sep, number = value.partition("=")
    if not sep or axis not in CAMERA_AXES:
        raise typer.BadParameter(
            f"use AXIS=VALUE with AXIS in {', '.join(CAMERA_AXES)}, or one of {', '.join(CAMERA_PRESETS)}",
            param_hint="--camera",
        )
    try:
        amount = float(number)
    except ValueError as exc:
        raise typer.BadParameter(f"{number!r} is not a number", param_hint="--camera") from exc
    return CameraControl(type="simple", config={axis: amount})


def parse_dynamic_mask(value: str) -> DynamicMask:
    """``mask.png:x1,y1;x2,y2;...`` (image pixels, origin bottom-left, as on the wire)."""
    path, sep, points = value.rpartition(":")
    if not sep or not path:
        raise typer.BadParameter("use MASK.png:x1,y1;x2,y2[;...]", param_hint="--dynamic-mask")
    try:
        traj = tuple((float(x), float(y)) for x, y in (p.split(",") for p in points.split(";") if p.strip()))
    except ValueError as exc:
        raise typer.BadParameter(f"bad trajectory {points!r}", param_hint="--dynamic-mask") from exc
    if len(traj) < 2:
        raise typer.BadParameter("a trajectory needs at least 2 points", param_hint="--dynamic-mask")
    return DynamicMask(mask=Path(path), trajectory=traj)


def parse_shot(value: str) -> Shot:
    """``SECONDS:PROMPT`` (one ``multi_prompt`` entry), e.g. ``2:slow zoom in``."""
    seconds, sep, prompt = value.partition(":")
    try:
        duration = int(seconds)
    except ValueError:
        duration = 0
    if not sep or duration < 1:
        raise typer.BadParameter("use SECONDS:PROMPT with whole seconds >= 1", param_hint="--shot")
    return Shot(prompt.strip(), float(duration))


def shots_option(entries: list[str], auto: bool, prompt: str, duration: int) -> tuple[Shot, ...]:
    """``--shot`` entries (their seconds must add up to ``--duration``, as upstream checks ``multi_prompt``)
    or ``--auto-shots`` (the prompt cut by the server's ``intelligence`` rule)."""
    if entries and auto:
        raise typer.BadParameter("give --shot entries or --auto-shots, not both", param_hint="--shot")
    if auto:
        return intelligent_shots(prompt, duration)
    shots = tuple(parse_shot(v) for v in entries)
    total = sum(s.duration_s for s in shots)
    if shots and total != duration:
        text = f"the seconds add up to {total:g}, not --duration {duration}"
        raise typer.BadParameter(text, param_hint="--shot")
    return shots


def command(
    image: Path | None = typer.Option(None, "--image", "-i", help="First frame (JPEG/PNG)."),
    output: Path = typer.Option(Path("i2v.mp4"), "-o", "--output", help="Output MP4."),
    prompt: str = typer.Option("", "--prompt", "-p", help="e.g. 'slow zoom in, wind in the trees'."),
    negative_prompt: str = typer.Option(
        "", "--negative-prompt", help="Motions to avoid, e.g. 'camera shake'."
    ),
    cfg_scale: float | None = typer.Option(
        None, "--cfg-scale", help="0..1: how strongly the prompt drives motion."
    ),
    camera: str | None = typer.Option(
        None,
        "--camera",
        help="AXIS=VALUE in -10..10 with Kling's signs (zoom=5 widens the view, zoom=-5 pushes in) "
        "or a preset (down_back).",
    ),
    tail: Path | None = typer.Option(None, "--tail", help="Last frame: the clip ends on this image."),
    duration: int = typer.Option(5, "--duration", help="Seconds (5 or 10; 3..15 under the default limits)."),
    mode: Mode = typer.Option(
        Mode.STD, "--mode", help="std (720p, fast) or pro (1080p on most models, slower, better)."
    ),
    model_name: str = typer.Option("kling-v1", "--model", help="Kling model name (sets motion liveliness)."),
    static_mask: Path | None = typer.Option(None, "--static-mask", help="White = keep frozen."),
    dynamic_mask: list[str] = typer.Option(
        [], "--dynamic-mask", help="MASK.png:x1,y1;x2,y2;... (repeatable, ≤6; origin bottom-left)."
    ),
    shot: list[str] = typer.Option(
        [],
        "--shot",
        help="SECONDS:PROMPT, repeatable (multi_shot customize); the seconds add up to --duration.",
    ),
    auto_shots: bool = typer.Option(
        False,
        "--auto-shots",
        help="Cut --prompt into shots at sentences and 'then' (shot_type intelligence).",
    ),
    seed: int = typer.Option(0, "--seed", help="Random seed (particles, grain)."),
    sound: bool = typer.Option(
        False, "--sound", help="Add a soundtrack from the clip and the prompt's sound words (AAC, -16 LUFS)."
    ),
) -> None:
    """Animate a photo into an MP4 offline on the CPU (camera, brush, last frame, prompt, shots, sound), at
    the model's and mode's size and frame rate (e.g. kling-v1: 720p 30 fps)."""
    if image is None and tail is None:
        raise typer.BadParameter("give --image and/or --tail", param_hint="--image")
    limits = limits_from_settings(get_settings())  # the server's rule, KINEMA_LIMIT_OVERRIDES included
    low, high = limits.i2v_duration_min_s, limits.i2v_duration_max_s
    if not low <= duration <= high:
        raise typer.BadParameter(f"must be between {low} and {high}", param_hint="--duration")
    shots = shots_option(shot, auto_shots, prompt, duration)
    opts = I2VOptions(
        image=image,
        image_tail=tail,
        prompt=prompt,
        negative_prompt=negative_prompt,
        cfg_scale=cfg_scale,
        mode=mode,
        duration_s=duration,
        model_name=model_name,
        camera=parse_camera_option(camera),
        static_mask=static_mask,
        dynamic_masks=tuple(parse_dynamic_mask(v) for v in dynamic_mask),
        seed=seed,
        shots=shots,
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        result, scored = _render(opts, output, sound)
    except EngineInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    _report(output, result, scored)


def _report(output: Path, result: I2VResult, scored: NativeAudio | None) -> None:
    """One line for the clip (size, rate, length, cuts, motions) and one for its sound, if any."""
    moves = ", ".join(f"{k}={v:g}" for k, v in result.motions.items())
    cuts = f"  cuts at frames {', '.join(map(str, result.cuts))}" if result.cuts else ""
    typer.echo(
        f"{output}  {result.width}x{result.height}  {result.fps} fps  {result.duration_s:.2f} s  "
        f"{result.frames} frames{cuts}  {moves}"
    )
    if scored is not None:
        typer.echo(
            f"sound: effects {scored.sound_effect_prompt or '(from the picture)'!r}, "
            f"music {scored.bgm_prompt or '(from the picture)'!r}, beds {', '.join(scored.summary['beds'])}, "
            f"{scored.lufs:.1f} LUFS, peak {scored.true_peak_db:.1f} dBTP"
        )


def _render(opts: I2VOptions, output: Path, sound: bool) -> tuple[I2VResult, NativeAudio | None]:
    """Render under a progress bar; with ``sound``, the silent render is scored into ``output`` (as the
    image2video executor does for ``sound: "on"``) and then removed."""
    silent = output.with_name(f".{output.stem}.silent.mp4") if sound else output
    share = RENDER_SHARE if sound else 1.0
    with Progress(TextColumn("[bold]i2v"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn()) as bar:
        task = bar.add_task("render", total=1.0)
        try:
            result = render_image_to_video(opts, silent, lambda f: bar.update(task, completed=share * f))
            if not sound:
                return result, None
            scored = add_native_audio(
                silent,
                sound_words(opts),
                output,
                seed=opts.seed,
                progress=lambda f: bar.update(task, completed=share + (1 - share) * f),
            )
            return result, scored
        finally:
            if sound:
                silent.unlink(missing_ok=True)
