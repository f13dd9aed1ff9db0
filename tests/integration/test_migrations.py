"""Alembic migrations upgrade and downgrade cleanly (SQLite, or PostgreSQL via DATABASE_URL)."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from api.db.base import Base
from api.db.migrate import alembic_config, current_revision, downgrade, head_revision, upgrade
from api.db.session import get_engine


def _tables(url):
    return set(inspect(get_engine(url)).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_every_step(database_url):
    script = ScriptDirectory.from_config(alembic_config(database_url))
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert revisions[0] == "0001"
    for rev in revisions:  # up one step at a time
        upgrade(database_url, rev)
        assert current_revision(database_url) == rev
    assert _tables(database_url) == set(Base.metadata.tables)
    for rev in reversed(revisions[:-1]):  # and down again
        downgrade(database_url, rev)
        assert current_revision(database_url) == rev
    downgrade(database_url, "base")
    assert current_revision(database_url) is None
    assert _tables(database_url) == set()
    upgrade(database_url)
    assert current_revision(database_url) == head_revision()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_models_match_migrations(database_url):
    """Autogenerate finds nothing to add: the migrations create exactly the models' schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    upgrade(database_url)
    with get_engine(database_url).connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = [d for d in compare_metadata(ctx, Base.metadata)
                if not (isinstance(d, tuple) and d[0] in ("remove_index", "add_index")
                        and str(getattr(d[1], "name", "")).startswith("uq_item"))]
    assert diff == []
