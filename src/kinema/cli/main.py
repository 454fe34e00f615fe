"""``kinema``: serve the API, run workers, manage keys and tasks, and run every engine locally."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from kinema.cli.account import add_commands as _add_account_commands
from kinema.cli.models import models_app, require_models
from kinema.cli.upstream import upstream_app
from kinema.cli.voices import command as voices_command
from kinema.contract.kinds import KINDS
from kinema.db.models import Task
from kinema.observe.logs import configure_logging
from kinema.runtime import Runtime
from kinema.settings import Settings, get_settings

app = typer.Typer(help="kinema — Kling's video/audio API, offline on CPU.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys and AK/SK pairs.", no_args_is_help=True)
tasks_app = typer.Typer(help="Inspect and cancel tasks (reads the database directly).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(tasks_app, name="tasks")
_add_account_commands(app, keys_app)
app.add_typer(models_app, name="models")
app.add_typer(upstream_app, name="upstream")
console = Console()


def _settings() -> Settings:
    return get_settings()


def _die_with_parent() -> None:
    """In the worker child, before exec: ask Linux for SIGTERM when the parent (``kinema serve``) dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default KINEMA_HOST or 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default KINEMA_PORT or 8000).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: cores).")] = None,
    api_workers: Annotated[int | None, typer.Option(help="API processes (default 1).")] = None,
    api_only: Annotated[bool, typer.Option("--api-only", help="Do not start workers here.")] = False,
) -> None:
    """Run the API and the workers on this machine (embedded SQLite + local folder by default)."""
    import uvicorn

    from kinema.accounts.devkey import ensure_dev_key
    from kinema.api.app import create_app
    from kinema.runtime import build_runtime

    given = {"host": host, "port": port, "workers": workers, "api_workers": api_workers}
    overrides = {k: v for k, v in given.items() if v is not None}
    settings = _settings().model_copy(update=overrides)
    configure_logging(settings.log_format, settings.log_level)
    generative = require_models(settings)
    for name, value in overrides.items():  # the worker subprocess reads the same settings from the env
        os.environ[f"KINEMA_{name.upper()}"] = str(value)
    rt = build_runtime(settings)
    key = ensure_dev_key(rt)
    workers_started: list[subprocess.Popen[bytes]] = []
    if not api_only:
        # Same process group as this one: a crash or kill of the server's group takes the workers with it
        # (the reaper then re-runs their tasks), and Ctrl-C reaches both. If only this process dies, the
        # kernel tells the worker (parent-death signal), so no orphan keeps running jobs. With generative
        # models configured, a second worker takes the GPU lane (one process: one job at a time).
        for extra in [[], ["--gpu"]] if generative else [[]]:
            cmd = [sys.executable, "-m", "kinema", "worker", *extra]
            workers_started.append(subprocess.Popen(cmd, preexec_fn=_die_with_parent))
    _banner(settings, key)
    try:
        if settings.api_workers > 1:  # each process builds its app from the same KINEMA_* environment
            rt.close()
            uvicorn.run(
                "kinema.api.app:create_app_process",
                factory=True,
                host=settings.host,
                port=settings.port,
                workers=settings.api_workers,
                **uvicorn_logging(settings),
            )
        else:
            served = create_app(settings, rt)
            uvicorn.run(served, host=settings.host, port=settings.port, **uvicorn_logging(settings))
    finally:
        _stop_workers(workers_started)


def _banner(settings: Settings, key: str) -> None:
    """Where the server listens and the development key: on the console, or as a log line in JSON mode
    (where every line of the output must be a JSON object)."""
    where, data = f"http://{settings.host}:{settings.port}", settings.data_dir.resolve()
    if settings.log_format == "json":
        log = logging.getLogger("kinema.cli")
        log.info("serving on %s (playground: /, docs: /docs, data: %s)", where, data)
        log.info("development API key: %s", key)
        return
    console.print(
        f"[bold green]kinema[/] serving on [bold]{where}[/]  (playground: /, docs: /docs, data: {data})"
    )
    console.print(f"development API key: [bold]{key}[/]")


def uvicorn_logging(settings: Settings) -> dict[str, Any]:
    """uvicorn's own lines at WARNING; in JSON mode through kinema's handler (none of uvicorn's own)."""
    return {"log_level": "warning", **({"log_config": None} if settings.log_format == "json" else {})}


def _stop_workers(started: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM each worker (its consumer hands running tasks back and stops its pool), then wait."""
    running = [w for w in started if w.poll() is None]
    for w in running:
        w.terminate()
    for w in running:
        try:
            w.wait(timeout=15)
        except subprocess.TimeoutExpired:
            w.kill()


@app.command()
def worker(
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: KINEMA_WORKERS or cores).")
    ] = None,
    gpu: Annotated[
        bool,
        typer.Option(
            "--gpu",
            help="Take only tasks that run on a generative pipeline (KINEMA_MODELS): one process, one job "
            "at a time, its pipeline kept warm. Run one per GPU (CUDA_VISIBLE_DEVICES).",
        ),
    ] = False,
) -> None:
    """Run job workers (plus reaper, callback sender and retention sweeper) until stopped."""
    from kinema.contract.vocabulary import Lane
    from kinema.worker import run_worker

    settings = _settings()
    generative = require_models(settings)
    if not gpu:
        run_worker(settings, workers or settings.workers)
        return
    if not generative:
        console.print("[bold red]--gpu:[/] no generative model is configured (KINEMA_MODELS, docs/gpu.md)")
        raise typer.Exit(2)
    if workers not in (None, 1):
        console.print("[bold red]--gpu:[/] one process per device; run one worker per GPU instead")
        raise typer.Exit(2)
    run_worker(settings, 1, Lane.GPU)


@keys_app.command("create")
def keys_create(
    account: Annotated[str, typer.Option(help="Account name (created when new).")] = "default",
    name: Annotated[str, typer.Option(help="A label for the key.")] = "",
    aksk: Annotated[bool, typer.Option("--aksk", help="Make an AK/SK pair for HS256 JWTs instead.")] = False,
) -> None:
    """Create a key; it is shown once and stored hashed."""
    from kinema.accounts import create_aksk, create_api_key
    from kinema.runtime import build_runtime

    rt = build_runtime(_settings())
    cred = create_aksk(rt.db, account, name) if aksk else create_api_key(rt.db, account, name)
    if aksk:
        console.print(f"access key: [bold]{cred.access_key}[/]\nsecret key: [bold]{cred.secret_key}[/]")
    else:
        console.print(f"API key: [bold]{cred.api_key}[/]")
    console.print(f"[dim]account {account} ({cred.account_id}), key id {cred.key_id}; shown once.[/]")


@keys_app.command("list")
def keys_list() -> None:
    """List keys (never their secrets), with their account's budget (spent / total units), arrears and
    IP allow-list."""
    from kinema.accounts import list_keys
    from kinema.accounts.policy import all_rules
    from kinema.cli.account import rules_cells
    from kinema.runtime import build_runtime

    db = build_runtime(_settings()).db
    rules = all_rules(db)
    table = Table("id", "account", "kind", "prefix", "name", "revoked", "budget", "arrears", "allowed IPs")
    for key, account in list_keys(db):
        revoked = "yes" if key.revoked_at else ""
        cells = rules_cells(rules[key.account_id])
        table.add_row(key.id, account, key.kind, key.prefix + "…", key.name, revoked, *cells)
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: str) -> None:
    """Revoke a key by id."""
    from kinema.accounts import revoke_key
    from kinema.runtime import build_runtime

    if not revoke_key(build_runtime(_settings()).db, key_id):
        console.print(f"[red]no active key {key_id}[/]")
        raise typer.Exit(1)
    console.print(f"revoked {key_id}")


@tasks_app.command("list")
def tasks_list(
    kind: Annotated[str | None, typer.Option(help=" | ".join(KINDS))] = None,
    status: Annotated[str | None, typer.Option(help="submitted | processing | succeed | failed")] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 30,
) -> None:
    """Newest tasks of every account."""
    from kinema.runtime import build_runtime

    rt = build_runtime(_settings())
    stmt = select(Task).order_by(Task.created_at.desc()).limit(limit)
    if kind:
        stmt = stmt.where(Task.kind == kind)
    if status:
        stmt = stmt.where(Task.status == status)
    table = Table("task_id", "kind", "status", "progress", "attempt", "external id", "message")
    with rt.db.read() as s:
        for t in s.scalars(stmt):
            table.add_row(
                t.id,
                t.kind,
                t.status,
                f"{t.progress}%",
                str(t.attempt),
                t.external_task_id or "",
                (t.status_msg or "")[:60],
            )
    console.print(table)


def _task_or_exit(task_id: str) -> tuple[Runtime, Task]:
    """The runtime and the task with this id, of any account; exit 1 when there is none."""
    from kinema.runtime import build_runtime

    rt = build_runtime(_settings())
    with rt.db.read() as s:
        task = s.get(Task, task_id)
    if task is None:
        console.print(f"[red]no task {task_id}[/]")
        raise typer.Exit(1)
    return rt, task


@tasks_app.command("show")
def tasks_show(task_id: str) -> None:
    """A task as the API would return it (URLs signed for the configured base URL)."""
    from kinema.contract.tasks import task_object

    rt, task = _task_or_exit(task_id)
    console.print_json(json.dumps(task_object(task, rt.urls.url)))


@tasks_app.command("cancel")
def tasks_cancel(task_id: str) -> None:
    """Cancel a task of any account."""
    from kinema.jobs import service

    rt, task = _task_or_exit(task_id)
    after = service.cancel_task(rt, task.account_id, task.kind, task.id)
    console.print(
        f"{task_id}: {after.status if after else task.status} "
        f"{'(cancel requested)' if after and after.cancel_requested else ''}"
    )


@app.command()
def config() -> None:
    """Show the effective settings (from KINEMA_* variables and .env) with what each one does."""
    settings = _settings()
    table = Table("setting (KINEMA_…)", "value", "meaning")
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        shown = "***" if ("secret" in name or name.endswith("api_key")) and value else str(value)
        table.add_row(name.upper(), shown, field.description or "")
    console.print(table)


def _register_engine_commands() -> None:
    """One command per kind of the kind table that names a CLI module; each is registered when importable."""
    import importlib
    import importlib.util

    for spec in KINDS.values():
        if not spec.cli_module or importlib.util.find_spec(spec.cli_module) is None:
            continue  # no local command for this kind, or its engine CLI is not installed in this build
        command = importlib.import_module(spec.cli_module).command
        app.command(spec.cli_name, help=spec.cli_help)(command)


_register_engine_commands()


def _register_watermark_command() -> None:
    """``kinema watermark``: the worker's watermarked copy, made locally from any MP4."""
    from kinema.cli.watermark import command

    app.command("watermark", help="Put the configured visible watermark on an MP4, locally.")(command)


_register_watermark_command()
app.command("voices")(voices_command)
