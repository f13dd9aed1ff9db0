"""``stockpilot keys create|list|revoke``: API keys (the key is printed once, stored hashed)."""

from __future__ import annotations

import click


@click.group("keys")
def keys_group() -> None:
    """API keys: create (printed once), list, revoke."""


@keys_group.command("create")
@click.option(
    "--role",
    type=click.Choice(["admin", "planner", "viewer", "supplier"]),
    required=True,
    help="What the key may do; a supplier key sees only its own supplier's data.",
)
@click.option(
    "--supplier", "supplier_id", default=None, help="Supplier id (required for --role supplier)."
)
@click.option("--name", default=None, help="A label to tell keys apart.")
@click.option(
    "--expires-in-days",
    type=float,
    default=None,
    help="Expire after this many days (default: never).",
)
def create_cmd(
    role: str, supplier_id: str | None, name: str | None, expires_in_days: float | None
) -> None:
    """Create a key and print it once (only its hash is stored)."""
    from api.auth.keys import create_key
    from api.cli.errors import CliError
    from api.db.session import transaction

    try:
        with transaction() as session:
            key, info = create_key(session, role, supplier_id, name, expires_in_days)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    click.echo(key)
    expires = info.expires_at.isoformat() if info.expires_at else "never"
    click.echo(
        f"prefix {info.prefix}, role {info.role}"
        + (f", supplier {info.supplier_id}" if info.supplier_id else "")
        + f", expires {expires}. Store the key now: it is not shown again.",
        err=True,
    )


@keys_group.command("list")
def list_cmd() -> None:
    """List keys (prefix, role, supplier, state) — never the secrets."""
    from api.auth.keys import list_keys
    from api.db.session import transaction

    with transaction() as session:
        keys = list_keys(session)
    click.echo(f"{'prefix':<12} {'role':<9} {'supplier':<10} {'state':<8} {'expires':<26} name")
    for k in keys:
        click.echo(
            f"{k.prefix:<12} {k.role:<9} {k.supplier_id or '-':<10} {k.state:<8} "
            f"{k.expires_at.isoformat() if k.expires_at else 'never':<26} {k.name}"
        )


@keys_group.command("revoke")
@click.argument("prefix")
def revoke_cmd(prefix: str) -> None:
    """Revoke the key with PREFIX (takes effect on the next request)."""
    from api.auth.keys import revoke_key
    from api.cli.errors import CliError
    from api.db.session import transaction

    try:
        with transaction() as session:
            info = revoke_key(session, prefix)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    click.echo(f"revoked {info.prefix} ({info.role})")


def register(cli: click.Group, bench: click.Group) -> None:
    cli.add_command(keys_group)
