"""``stockpilot bench scale``: the forecasting engines (local pool, Dask, Spark) side by side."""

from __future__ import annotations

import json

import click


@click.command("scale")
@click.option("--series", "n_series", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Number of generated weekly series.")
@click.option("--engine", type=click.Choice(["local", "dask", "spark"]), default="dask", show_default=True,
              help="Engine compared against the local process pool.")
@click.option("--engine-address", default=None,
              help="Dask scheduler (tcp://host:8786) or Spark master URL; default: a local cluster.")
@click.option("--models", default="auto", show_default=True,
              help="Models to forecast with (auto = stockpilot's choice; e.g. prophet).")
@click.option("--chunk-size", type=click.IntRange(min=1), default=256, show_default=True,
              help="Series per task.")
@click.option("--seed", type=int, default=0, show_default=True)
def bench_scale_cmd(n_series, engine, engine_address, models, chunk_size, seed) -> None:
    """Series/s and driver memory of ENGINE vs the local process pool, in one run (JSON)."""
    from scenarios.scale_bench import run_scale_bench

    result = run_scale_bench(n_series, engine, engine_address, models=models, chunk_size=chunk_size,
                             seed=seed, progress=True)
    click.echo(json.dumps(result, indent=2))


def register(cli: click.Group, bench: click.Group) -> None:
    bench.add_command(bench_scale_cmd)
