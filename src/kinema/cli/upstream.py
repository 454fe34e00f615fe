"""``kinema upstream …``: the gateway's connection to an upstream Kling API (docs/gateway.md)."""

from __future__ import annotations

import typer
from rich.console import Console

from kinema.contract.kinds import spec_for
from kinema.settings import get_settings
from kinema.upstream.client import UpstreamClient, UpstreamError
from kinema.upstream.routes import FORWARDABLE, LISTABLE, route_names

upstream_app = typer.Typer(help="The upstream Kling API this server forwards tasks to.", no_args_is_help=True)
console = Console()


@upstream_app.command()
def check() -> None:
    """Call the upstream once per routed kind (a list of one task): proves reachability and credentials."""
    settings = get_settings()
    names = route_names(settings)
    routed = FORWARDABLE if "all" in names or not (names & FORWARDABLE) else names & FORWARDABLE
    kinds = sorted(routed & LISTABLE)
    failed = False
    try:
        client = UpstreamClient(settings)
    except UpstreamError as exc:
        console.print(f"[red]not configured[/red]: {exc}")
        raise typer.Exit(2) from exc
    with client:
        for kind in kinds:
            try:
                client.check(spec_for(kind).path)
                console.print(f"[green]ok[/green] {kind}: {client.base}{spec_for(kind).path}")
            except UpstreamError as exc:
                failed = True
                console.print(f"[red]failed[/red] {kind}: {exc}")
    for kind in sorted(routed - LISTABLE):  # TTS: the official API has no list (nor query) call for it
        console.print(f"[yellow]unchecked[/yellow] {kind}: no list call upstream; forwarded at each create")
    console.print(f"routes: {settings.upstream_routes or '(none: every task runs locally)'}")
    if failed:
        raise typer.Exit(1)
