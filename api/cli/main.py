"""Entry point of the ``stockpilot`` console script.

Commands live in their own modules in this package and are registered in ``COMMAND_MODULES``:
each such module exposes ``register(cli: click.Group, bench: click.Group)``, adding its
commands to the top-level group and its benchmarks to ``stockpilot bench``. Heavy libraries
(pandas, solvers, Prophet) are imported inside the commands, so ``--help`` stays fast.

User mistakes end with a one-line ``error: ...`` message and exit code 2 (usage) or 1 (data),
never a traceback: raise :class:`api.cli.errors.CliError` or a :class:`click.ClickException`.
"""

from __future__ import annotations

import importlib
import sys

import click

from api.cli.errors import run_guarded

COMMAND_MODULES = [
    "api.cli.allocation_cmd",
    "api.cli.db_cmd",
    "api.cli.data_cmd",
    "api.cli.scale_cmd",
    "api.cli.stage_cmd",
    "api.cli.presale_cmd",
    "api.cli.forecast_cmd",
    "api.cli.serve_cmd",
    "api.cli.keys_cmd",
    "api.cli.api_bench_cmd",
    "api.cli.plan_cmd",
    "api.cli.policy_cmd",
]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="stockpilot")
def cli() -> None:
    """stockpilot: demand forecasts, warehouse allocation, presale and JIT replenishment plans.

    The database is a SQLite file (./stockpilot.db) unless DATABASE_URL is set.
    """


@cli.group()
def bench() -> None:
    """Benchmarks: each prints JSON and compares against a named reference in the same run."""


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(cli, bench)


def main(argv: list[str] | None = None) -> int:
    return run_guarded(cli, argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
