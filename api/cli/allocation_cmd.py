"""``stockpilot route`` and the allocation benchmarks (``bench orlib | facility | allocation |
routing``). Thin: parse, call optimizer/scenarios, print."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from api.cli.errors import CliError


def _emit(obj) -> None:
    click.echo(json.dumps(obj, indent=2, default=float))


@click.command("route")
@click.argument("orders_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Routed lines, CSV or Parquet by extension.",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Planning data folder (locations, buffers, itemdistributions); "
    "default: the bundled sample.",
)
@click.option(
    "--days", default=1.0, show_default=True, help="Days of outbound capacity the batch may use."
)
@click.option(
    "--parcel-cost", default=5.0, show_default=True, help="Cost of one parcel (currency)."
)
def route_cmd(
    orders_file: Path, out: Path, data_dir: Path | None, days: float, parcel_cost: float
) -> None:
    """Assign the order lines in ORDERS_FILE (order_id, item_id, location_id, qty) to warehouses
    with stock, few split parcels and low cost, honouring daily outbound capacity."""
    import pandas as pd

    from scenarios.allocate import route_orders
    from scenarios.datasets.files import read_dir
    from scenarios.datasets.sample import sample_dir

    if not orders_file.exists():
        raise CliError(f"{orders_file}: no such file")
    orders = (
        pd.read_parquet(orders_file)
        if orders_file.suffix == ".parquet"
        else pd.read_csv(orders_file)
    )
    data = read_dir(data_dir or sample_dir(), require=("items", "locations"))
    result = route_orders(data, orders, days=days, parcel_cost=parcel_cost)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".parquet":
        result.lines.to_parquet(out, index=False)
    else:
        result.lines.to_csv(out, index=False)
    click.echo(
        f"{len(result.lines)} lines routed: {result.parcels} parcels, {result.split_orders} split "
        f"orders, {result.backordered_units:g} units backordered, cost {result.cost:.2f} -> {out}"
    )


@click.command("orlib")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["cap", "sscflp"]),
    default="cap",
    show_default=True,
    help="cap: OR-Library Beasley files; sscflp: Holmberg single-source files.",
)
@click.option(
    "--capacity", type=float, default=None, help="Override every warehouse capacity (capa/b/c)."
)
@click.option(
    "--single-source", is_flag=True, help="Each customer served by exactly one warehouse."
)
@click.option("--reference", is_flag=True, help="Also run the textbook PuLP + CBC model.")
@click.option(
    "--time-limit", default=600.0, show_default=True, help="Seconds per instance and model."
)
def bench_orlib(files, fmt, capacity, single_source, reference, time_limit) -> None:
    """Solve facility location instances; JSON list (one object per instance) and a summary
    on stderr. Optima come from capopt.txt / os next to the files."""
    from tqdm import tqdm

    from optimizer.facility.bench import bench_orlib as run
    from optimizer.facility.bench import summarize
    from optimizer.facility.cflp import DEFAULT_OPTIONS
    from optimizer.facility.reference import REFERENCE_OPTIONS

    for f in files:
        if not f.exists():
            raise CliError(f"{f}: no such file")
    bar = tqdm(total=len(files), file=sys.stderr, desc="instances")
    rows = run(
        list(files),
        fmt,
        capacity,
        single_source,
        reference,
        DEFAULT_OPTIONS.with_(time_limit_s=time_limit),
        REFERENCE_OPTIONS.with_(time_limit_s=time_limit),
        progress=lambda _r: bar.update(),
    )
    bar.close()
    _emit(rows)
    click.echo(json.dumps(summarize(rows)), err=True)


@click.command("facility")
@click.option(
    "--families", default="A,B,C", show_default=True, help="Generated families (see docs)."
)
@click.option("--time-limit", default=60.0, show_default=True, help="Seconds per instance.")
def bench_facility(families, time_limit) -> None:
    """Platform-scale facility location: seeded 100 x 1,000 instances at four capacity
    settings per family (shaped like OR-Library capa/b/c); JSON per instance."""
    from tqdm import tqdm

    from optimizer.facility.bench import LARGE_FAMILIES, bench_large

    fams = tuple(f.strip() for f in families.split(",") if f.strip())
    bad = [f for f in fams if f not in LARGE_FAMILIES]
    if bad:
        raise CliError(f"unknown family {bad[0]!r}; choose from {', '.join(LARGE_FAMILIES)}")
    bar = tqdm(total=4 * len(fams), file=sys.stderr, desc="instances")
    rows = bench_large(fams, time_limit, progress=lambda _r: bar.update())
    bar.close()
    _emit(
        {
            "instances": rows,
            "proven_optimal": sum(r["status"] == "optimal" for r in rows),
            "within_60s": sum(r["status"] == "optimal" and r["wall_s"] <= 60 for r in rows),
        }
    )


@click.command("allocation")
@click.option("--items", default=5000, show_default=True)
@click.option("--warehouses", default=10, show_default=True)
@click.option("--regions", default=31, show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option(
    "--reference", is_flag=True, help="Also solve all items as one LP (slow) and report the gap."
)
def bench_allocation(items, warehouses, regions, seed, reference) -> None:
    """Seeded stock deployment + transfers instance; objective, cost split and time."""
    from optimizer.allocation_bench import run_allocation_bench

    _emit(run_allocation_bench(items, warehouses, regions, seed, reference))


@click.command("routing")
@click.option("--lines", default=100_000, show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option(
    "--exact-lines",
    default=400,
    show_default=True,
    help="Size of the small batches routed by both greedy and exact MILP to measure the gap.",
)
@click.option("--exact-batches", default=5, show_default=True)
def bench_routing(lines, seed, exact_lines, exact_batches) -> None:
    """Route N seeded order lines: time, parcels, splits; greedy vs exact MILP on small batches."""
    from optimizer.allocation_bench import run_routing_bench

    _emit(run_routing_bench(lines, seed, exact_lines, exact_batches))


def register(cli: click.Group, bench: click.Group) -> None:
    cli.add_command(route_cmd)
    for cmd in (bench_orlib, bench_facility, bench_allocation, bench_routing):
        bench.add_command(cmd)
