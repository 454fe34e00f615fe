"""Account rules and costs: ``kinema keys budget`` (unit budget, arrears, IP allow-list) and
``kinema account costs`` (the ``GET /account/costs`` reply of an account). Both read and write the database
directly, as the other admin commands do; docs/accounts.md says what each rule does."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kinema.accounts.policy import AccountRules
from kinema.contract.prices import parse_units, units_text

console = Console()
account_app = typer.Typer(help="Account usage: what its unit budget has left.", no_args_is_help=True)


def rules_cells(rules: AccountRules) -> tuple[str, str, str]:
    """(budget, arrears, allowed IPs) of an account as table cells; budget as ``spent / total``."""
    budget = "" if rules.budget is None else f"{units_text(rules.spent)} / {units_text(rules.budget)}"
    return budget, "yes" if rules.arrears else "", ", ".join(rules.allowed_ips)


def _show(rules: AccountRules) -> None:
    table = Table("account", "budget (spent / total)", "left", "ends", "arrears", "allowed IPs")
    left = "" if rules.remaining is None else units_text(rules.remaining)
    ends = "" if rules.expires_at is None else str(rules.expires_at)
    budget, arrears, ips = rules_cells(rules)
    table.add_row(rules.name, budget or "none", left, ends, arrears, ips or "any")
    console.print(table)


def budget(
    account: Annotated[str, typer.Argument(help="Account name (created when new).")],
    units: Annotated[
        str | None,
        typer.Option(help="Budget total in units (e.g. 100 or 12.5); a top-up keeps what is spent."),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the budget: nothing is counted.")] = False,
    valid_days: Annotated[
        float | None, typer.Option(help="The budget ends this many days after it started (1102 after).")
    ] = None,
    arrears: Annotated[
        bool | None, typer.Option("--arrears/--no-arrears", help="Refuse every create with 1101 (or stop).")
    ] = None,
    allow_ip: Annotated[
        list[str] | None, typer.Option(help="Accept calls only from this CIDR or address (repeatable).")
    ] = None,
    any_ip: Annotated[bool, typer.Option("--any-ip", help="Remove the IP allow-list.")] = False,
) -> None:
    """Set an account's unit budget, arrears and IP allow-list; shows the account's rules after."""
    from kinema.accounts.policy import update_rules
    from kinema.runtime import build_runtime
    from kinema.settings import get_settings

    if allow_ip and any_ip:
        raise typer.BadParameter("give --allow-ip or --any-ip, not both")
    try:
        amount = parse_units(units) if units is not None else None
        rules = update_rules(
            build_runtime(get_settings()).db,
            account,
            units=amount,
            clear_budget=clear,
            valid_days=valid_days,
            arrears=arrears,
            allowed_ips=[] if any_ip else (allow_ip or None),
        )
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    _show(rules)


@account_app.command("costs")
def costs(
    account: Annotated[str, typer.Argument(help="Account name.")],
    start_time: Annotated[int, typer.Option(help="Unix ms; default 0.")] = 0,
    end_time: Annotated[int | None, typer.Option(help="Unix ms; default: no end.")] = None,
    resource_pack_name: Annotated[str | None, typer.Option(help="Only the pack of this name.")] = None,
) -> None:
    """The account's resource packs as ``GET /account/costs`` answers them (its unit budget, what is left)."""
    from kinema.accounts.packs import account_costs
    from kinema.accounts.policy import find_account_id
    from kinema.contract.account import MAX_TIME_MS
    from kinema.runtime import build_runtime
    from kinema.settings import get_settings

    db = build_runtime(get_settings()).db
    account_id = find_account_id(db, account)
    if account_id is None:
        console.print(f"[red]no account {account}[/]")
        raise typer.Exit(1)
    end = MAX_TIME_MS if end_time is None else end_time
    console.print_json(json.dumps(account_costs(db, account_id, start_time, end, resource_pack_name)))


def add_commands(app: typer.Typer, keys_app: typer.Typer) -> None:
    """``kinema keys budget`` and ``kinema account …``."""
    keys_app.command("budget")(budget)
    app.add_typer(account_app, name="account")
