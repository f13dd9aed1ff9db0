"""``stockpilot import | export | sample | schema`` and ``stockpilot bench import``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from api.cli.errors import CliError


def ensure_schema() -> None:
    """Create the schema in an empty database; refuse to work on an outdated one."""
    from api.db.migrate import current_revision, head_revision, upgrade

    current = current_revision()
    if current is None:
        upgrade()
    elif current != head_revision():
        raise CliError(f"database schema is at revision {current}, the code needs {head_revision()}: "
                       "run `stockpilot db upgrade`")


@click.command("import")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--source", default="import", show_default=True, help="Recorded in every changed row's `source`.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def import_cmd(folder: Path, source: str, quiet: bool) -> None:
    """Load the data files in FOLDER into the database, all or nothing.

    FOLDER holds any of items, locations, suppliers, itemsuppliers, itemdistributions,
    buffers, sales, events, presales, presale_deposits as .csv, .csv.gz or .parquet. Every
    problem of every file is reported before anything is written; re-importing the same
    files changes nothing. Run `stockpilot schema` for the columns.
    """
    from api.db.session import transaction
    from api.services.data_import import import_dir

    if not folder.is_dir():
        raise CliError(f"{folder}: no such folder")
    ensure_schema()
    with transaction() as session:
        report = import_dir(session, folder, source=source, progress=not quiet)
    for name in report.inserted:
        click.echo(f"{name:>18}: {report.inserted[name]:>8} new, {report.updated[name]:>8} updated, "
                   f"{report.unchanged[name]:>8} unchanged")


@click.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "csv.gz", "parquet"]), default="csv", show_default=True)
def export_cmd(folder: Path, fmt: str) -> None:
    """Write every table of the database to FOLDER as the files `import` reads."""
    from api.db.session import transaction
    from api.services.data_import import export_dir

    ensure_schema()
    with transaction() as session:
        written = export_dir(session, folder, fmt=fmt)
    for path in written:
        click.echo(str(path))


@click.command("sample")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def sample_cmd(folder: Path) -> None:
    """Write the bundled sample data files to FOLDER (see README: Sample data)."""
    from scenarios.datasets.sample import write_sample

    for path in write_sample(folder):
        click.echo(str(path))


@click.command("schema")
def schema_cmd() -> None:
    """Print every data file's columns with type, unit and rule (Markdown)."""
    from scenarios.datasets.schemas import describe_markdown

    click.echo(describe_markdown())


@click.command("import")
@click.option("--rows", type=click.IntRange(min=1), default=1_000_000, show_default=True, help="Sales rows.")
@click.option("--database-url", default=None, help="Target database (default: a fresh SQLite file).")
@click.option("--seed", type=int, default=0, show_default=True)
def bench_import_cmd(rows: int, database_url: str | None, seed: int) -> None:
    """Import ROWS generated sales rows into a fresh database; reference: pandas to_sql.

    Prints JSON with rows/s of `stockpilot import` (validate + reference checks + upsert) and of
    a plain `DataFrame.to_sql` append of the same rows into the same kind of database.
    """
    from api.services.import_bench import run_import_bench

    click.echo(json.dumps(run_import_bench(rows, database_url, seed), indent=2))


def register(cli: click.Group, bench: click.Group) -> None:
    for command in (import_cmd, export_cmd, sample_cmd, schema_cmd):
        cli.add_command(command)
    bench.add_command(bench_import_cmd)
