"""``stockpilot replenish`` and ``stockpilot allocate``: one planning stage on the database,
stored as proposed orders (see :mod:`api.services.stage_runs`)."""

from __future__ import annotations

import click

from api.cli.data_cmd import ensure_schema

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _options(fn):
    fn = click.option("--seed", type=int, default=0, show_default=True, help="Seed of forecasts and simulation.")(fn)
    fn = click.option("--horizon", type=click.IntRange(1, 104), default=8, show_default=True,
                      help="Weeks to plan.")(fn)
    fn = click.option("--as-of", type=DATE, help="Plan as of this date (default: end of the sales history).")(fn)
    return fn


def _run(kind: str, as_of, horizon: int, seed: int) -> None:
    from api.services.stage_runs import run_stage

    ensure_schema()

    def progress(report) -> None:
        click.echo(f"  {report.name:<14}  {report.status:<26} {report.seconds:6.1f} s", err=True)

    counts, lines = run_stage(kind, as_of.date() if as_of else None, horizon, seed, progress=progress)
    click.echo(f"plan run {counts['plan_run_id']}: {counts['lines']} proposed {kind} line(s) stored "
               f"(earlier proposed {kind} lines replaced; approved and released ones kept)")
    if len(lines):
        show = lines.head(20).copy()
        show["why"] = [str((r or {}).get("reason") or (r or {}).get("shaped_by") or "")[:60] for r in show["reasons"]]
        cols = [c for c in ("item_id", "location_id", "supplier_id", "origin_id", "quantity", "order_date",
                            "due_date", "why") if c in show.columns and show[c].notna().any()]
        click.echo(show[cols].to_string(index=False))
        if len(lines) > 20:
            click.echo(f"... {len(lines) - 20} more (GET /api/v1/purchase-orders or `stockpilot export`)")


@click.command("replenish")
@_options
def replenish_cmd(as_of, horizon: int, seed: int) -> None:
    """Propose purchase orders from the database's data (status `proposed`), with reasons.

    Forecasts, stock, open orders (released and confirmed lines count as on order) and sourcing
    come from the database; run it daily to shorten the need → order cycle."""
    _run("PO", as_of, horizon, seed)


@click.command("allocate")
@_options
def allocate_cmd(as_of, horizon: int, seed: int) -> None:
    """Propose warehouse-to-warehouse transfers (DO lines, status `proposed`) from the database."""
    _run("DO", as_of, horizon, seed)


def register(cli: click.Group, bench: click.Group) -> None:
    cli.add_command(replenish_cmd)
    cli.add_command(allocate_cmd)
