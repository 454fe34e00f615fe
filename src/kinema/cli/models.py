"""``kinema models check``: what ``KINEMA_MODELS`` configures, and whether every folder can serve.

The same check runs when ``kinema serve`` or ``kinema worker`` starts (:func:`require_models`), so a missing
or broken folder stops the server with the reason instead of failing tasks later or trying a download.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from kinema.engines.generative.catalog import ModelConfigError
from kinema.engines.generative.report import human, inspect
from kinema.jobs.executors.generative import catalog
from kinema.settings import Settings, get_settings

models_app = typer.Typer(
    help="Generative models on this machine (KINEMA_MODELS, docs/gpu.md).", no_args_is_help=True
)
console = Console()


def require_models(settings: Settings) -> bool:
    """Exit with the configuration error (code 2) when a configured folder cannot serve; else whether any
    model is configured (then GPU-lane tasks exist and need a ``kinema worker --gpu``)."""
    try:
        return bool(catalog(settings).entries)
    except ModelConfigError as exc:
        console.print(f"[bold red]KINEMA_MODELS:[/] {exc}")
        raise typer.Exit(2) from None


@models_app.command("check")
def check() -> None:
    """Check every configured folder: files, weight dtypes, parameter count, estimated memory."""
    settings = get_settings()
    require_models(settings)
    cat = catalog(settings)
    if not cat.entries:
        console.print(
            "No generative models configured (KINEMA_MODELS); every request runs on the CPU engines."
        )
        return
    for entry in cat.entries:
        report = inspect(entry)
        console.print(
            f"[bold]{entry.model_name}[/] → {entry.path}  [green]ok[/]  {entry.pipeline} "
            f"serves {', '.join(entry.kinds)}; device {entry.device}, dtype {entry.dtype}"
            f"{', CPU offload' if entry.offload else ''}"
        )
        table = Table("component", "class", "files", "on disk", "parameters", "weight dtypes")
        for comp in report.components:
            dtypes = ", ".join(f"{d} {human(n, '')}" for d, n in comp.dtypes.most_common())
            table.add_row(
                comp.name,
                f"{comp.library}.{comp.cls}",
                str(comp.files),
                human(comp.bytes_on_disk),
                human(comp.parameters, ""),
                dtypes,
            )
        console.print(table)
        run = entry.dtype if entry.dtype != "auto" else "bfloat16 (auto, on a GPU)"
        console.print(
            f"  {human(report.parameters, '')} parameters; weights at run dtype {run} ≈ "
            f"{human(report.estimated_bytes)} (activations and VAE decode come on top)"
        )
