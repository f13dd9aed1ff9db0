"""``stockpilot bench api``: load test of the supplier API (gunicorn on PostgreSQL)."""

from __future__ import annotations

import click


@click.command("api")
@click.option(
    "--clients",
    default=200,
    show_default=True,
    type=click.IntRange(1, 2000),
    help="Concurrent supplier pollers.",
)
@click.option(
    "--seconds",
    default=30.0,
    show_default=True,
    type=click.FloatRange(1, 3600),
    help="Duration of each phase.",
)
@click.option(
    "--rate",
    default=None,
    type=click.FloatRange(0.01, 10000),
    help="Requests per second per poller (default: unpaced).",
)
@click.option(
    "--workers",
    default=4,
    show_default=True,
    type=click.IntRange(1, 64),
    help="gunicorn worker processes.",
)
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Threads per gunicorn worker (gthread).",
)
@click.option(
    "--database-url",
    default=None,
    help="PostgreSQL server (default: DATABASE_URL, else postgresql://root@127.0.0.1:5432/"
    "postgres); a scratch database is created and dropped.",
)
@click.option("--no-reference", is_flag=True, help="Skip the GET /healthz reference phase.")
def bench_api_cmd(clients, seconds, rate, workers, threads, database_url, no_reference) -> None:
    """N supplier pollers (list / conditional list / get / acknowledge) against gunicorn on
    PostgreSQL with the sample data; prints p50/p95/p99 latency, throughput and errors as JSON,
    and the same for GET /healthz at the same concurrency."""
    import json

    from api.bench.api_load import run_benchmark

    result = run_benchmark(
        clients,
        seconds,
        rate,
        database_url=database_url,
        workers=workers,
        threads=threads,
        reference=not no_reference,
        progress=lambda msg: click.echo(msg, err=True),
    )
    click.echo(json.dumps(result, indent=2))


def register(cli: click.Group, bench: click.Group) -> None:
    bench.add_command(bench_api_cmd)
