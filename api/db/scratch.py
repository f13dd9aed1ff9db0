"""Scratch PostgreSQL databases for tests and benchmarks: created empty, dropped with FORCE."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import create_engine, text

from api.db.session import database_url, dispose_engines


def create_scratch_database(server_url: str, prefix: str) -> tuple[str, Callable[[], None]]:
    """Create an empty database ``<prefix>_<random>`` on the server of ``server_url``.

    Returns its URL and a function that drops it (closing this process's connections first)."""
    base = database_url(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin.url.set(database=name).render_as_string(hide_password=False), drop
