"""``stockpilot db ...``: schema migrations."""

from __future__ import annotations

import click


@click.group("db")
def db_group() -> None:
    """Database schema: upgrade, downgrade, current revision (DATABASE_URL or ./stockpilot.db)."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def upgrade_cmd(revision: str) -> None:
    """Create or migrate the schema to REVISION."""
    from api.db.migrate import current_revision, upgrade
    from api.db.session import database_url

    upgrade(revision=revision)
    click.echo(f"{_safe(database_url())}: at revision {current_revision()}")


@db_group.command("downgrade")
@click.option("--revision", default="base", show_default=True, help="Target revision (base drops every table).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def downgrade_cmd(revision: str, yes: bool) -> None:
    """Migrate the schema down to REVISION (base: drop everything)."""
    from api.db.migrate import current_revision, downgrade
    from api.db.session import database_url

    if not yes:
        click.confirm(f"Downgrade {_safe(database_url())} to {revision}? Data in dropped tables is lost", abort=True)
    downgrade(revision=revision)
    click.echo(f"{_safe(database_url())}: at revision {current_revision() or 'base'}")


@db_group.command("current")
def current_cmd() -> None:
    """Print the schema revision of the database."""
    from api.db.migrate import current_revision, head_revision

    cur = current_revision()
    click.echo(f"current: {cur or 'none (empty database)'}; head: {head_revision()}")


def _safe(url: str) -> str:
    """The URL without a password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def register(cli: click.Group, bench: click.Group) -> None:
    cli.add_command(db_group)
