"""Alembic environment: the URL comes from the caller (``api.db.migrate``) or DATABASE_URL."""

from __future__ import annotations

from alembic import context

from api.db import models  # noqa: F401  (registers every table)
from api.db.base import Base
from api.db.session import database_url, get_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=database_url(config.get_main_option("sqlalchemy.url") or None),
                      target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = get_engine(config.get_main_option("sqlalchemy.url") or None)
        with engine.connect() as connection:
            _run(connection)
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
