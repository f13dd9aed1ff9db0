"""Shared fixtures: a fresh, migrated database per test on SQLite (default) or on the
PostgreSQL server named by ``DATABASE_URL`` (each test gets its own scratch database there).

Fixture chain (flaskr style): ``database_url`` → ``db`` (migrated URL) → ``app`` → ``client``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


#: the PostgreSQL server of this run (DATABASE_URL as given to pytest), read once
_SERVER_URL = os.environ.get("DATABASE_URL")


def _server_url() -> str | None:
    url = _SERVER_URL
    return url if url and url.startswith(("postgresql", "postgres")) else None


@pytest.fixture(autouse=True)
def _no_stray_database(monkeypatch, tmp_path):
    """A test that does not ask for a database never writes to ./stockpilot.db or to the CI
    server's database: its default database is a file in its own temp folder."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'default.db'}")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (real sales data and OR-Library instances)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared data not found at {SHARED_DATA}; tests need ../shared/data beside the repo")
    return SHARED_DATA


@pytest.fixture()
def database_url(tmp_path):
    """URL of an empty database for this test only."""
    server = _server_url()
    if server is None:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    from api.db.scratch import create_scratch_database

    url, drop = create_scratch_database(server, "sp")
    try:
        yield url
    finally:
        drop()


@pytest.fixture()
def db(database_url):
    """A migrated (head) database URL; DATABASE_URL is pointed at it for code that reads it."""
    from api.db.migrate import upgrade

    upgrade(database_url)
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = database_url
    try:
        yield database_url
    finally:
        if old is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = old


@pytest.fixture(scope="session")
def sample_path() -> Path:
    from scenarios.datasets.sample import sample_dir

    return sample_dir()
