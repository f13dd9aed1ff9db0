"""API fixtures: ``app`` → ``client`` on a per-test database (SQLite, or PostgreSQL with
DATABASE_URL) copied from a session template that is migrated with the bundled sample imported;
keys for every role; a published plan with purchase orders for suppliers S1 and S2."""

from __future__ import annotations

import os
import shutil
import uuid

import pandas as pd
import pytest


from tests.conftest import _server_url  # the run's PostgreSQL server, read once at start


def _load_sample(url, sample_path):
    from api.db.migrate import upgrade
    from api.db.session import transaction
    from api.services.data_import import import_dir

    upgrade(url)
    with transaction(url) as session:
        import_dir(session, sample_path, source="test")


@pytest.fixture(scope="session")
def _template(tmp_path_factory, sample_path):
    """A migrated database with the sample imported, built once per session; each test gets a
    copy (file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL)."""
    from sqlalchemy import create_engine, text

    from api.db.session import database_url as normalise
    from api.db.session import dispose_engines

    server = _server_url()
    if server is None:
        path = tmp_path_factory.mktemp("template") / "template.db"
        _load_sample(f"sqlite:///{path}", sample_path)
        dispose_engines()
        yield ("sqlite", path, None)
        return
    base = normalise(server)
    name = f"sp_tmpl_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    _load_sample(base.rsplit("/", 1)[0] + "/" + name, sample_path)
    dispose_engines()
    try:
        yield ("pg", name, admin)
    finally:
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture()
def database_url(_template, tmp_path):
    """Overrides the root fixture for API tests: a fresh copy of the migrated sample database."""
    from sqlalchemy import text

    from api.app import dispose_read_engines
    from api.db.session import dispose_engines

    kind, source, admin = _template
    if kind == "sqlite":
        target = tmp_path / "test.db"
        shutil.copyfile(source, target)
        yield f"sqlite:///{target}"
        dispose_read_engines()
        dispose_engines()
        return
    name = f"sp_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    try:
        yield str(admin.url.set(database=name).render_as_string(hide_password=False))
    finally:
        dispose_read_engines()
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture()
def db(database_url):
    """The per-test database (already at head, sample imported); DATABASE_URL points at it."""
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = database_url
    try:
        yield database_url
    finally:
        if old is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = old


@pytest.fixture()
def app(db):
    from api.app import create_app

    return create_app({"DATABASE_URL": db, "TESTING": True, "RATE_LIMIT_PER_S": 0})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def sessions(app):
    return app.extensions["stockpilot"].sessions


@pytest.fixture()
def sample_db(db):
    """The bundled sample data imported (the template database has it)."""
    return db


def make_key(sessions, role, supplier_id=None, expires_in_days=None):
    from api.auth.keys import create_key
    from api.services.uow import unit_of_work

    with unit_of_work(sessions) as s:
        key, _ = create_key(s, role, supplier_id, expires_in_days=expires_in_days)
    return key


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture()
def keys(sample_db, sessions):
    """Authorization headers by name: admin, planner, viewer, s1, s2 (supplier keys)."""
    return {
        name: bearer(make_key(sessions, role, sup))
        for name, role, sup in (
            ("admin", "admin", None),
            ("planner", "planner", None),
            ("viewer", "viewer", None),
            ("s1", "supplier", "S1"),
            ("s2", "supplier", "S2"),
        )
    }


def plan_lines(order_date="2026-11-30") -> pd.DataFrame:
    """A small plan: two S1 orders (2 lines and 1 line), one S2 order, one transfer."""
    rows = [
        (
            "PO",
            "OJ01",
            "W1",
            None,
            "S1",
            1000.0,
            order_date,
            "2026-12-21",
            {"stockout_date": "2026-12-28", "rule": "case pack"},
        ),
        ("PO", "OJ04", "W1", None, "S1", 500.0, order_date, "2026-12-21", {"rule": "MOQ"}),
        ("PO", "OJ05", "W2", None, "S1", 300.0, order_date, "2026-12-21", {}),
        ("PO", "OJ02", "W1", None, "S2", 800.0, order_date, "2026-12-24", {"safety_stock": 120.0}),
        ("DO", "OJ01", "W2", "W1", None, 50.0, order_date, "2026-12-02", {"rule": "rebalance"}),
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "type",
            "item_id",
            "location_id",
            "origin_id",
            "supplier_id",
            "quantity",
            "order_date",
            "due_date",
            "reasons",
        ],
    )


def publish(sessions, output, kind="plan_run"):
    """Publish ``output`` as a new plan run through the real job machinery (queue + worker)."""
    from api.auth.keys import Principal
    from api.jobs.worker import Worker
    from api.services import plan_runs

    job, run = plan_runs.start_run(
        sessions, Principal(0, "test", "test", "admin"), as_of=None, horizon_weeks=4, seed=0
    )
    Worker(sessions, {"PLAN_FUNCTION": lambda inputs, progress: output}).run_once()
    return job.id, run.id


@pytest.fixture()
def plan(sample_db, sessions):
    """A published plan; returns {"run_id", "orders": {"S1": [...], "S2": [...]}}."""
    from api.jobs.plan_job import PlanOutput
    from api.repositories import orders as repo
    from api.services.uow import read_only

    _, run_id = publish(sessions, PlanOutput(lines=plan_lines(), kpis={"fill_rate": 0.97}))
    with read_only(sessions) as s:
        ids, _ = repo.list_order_ids(s, limit=100)
        orders = repo.load_orders(s, ids)
    by_supplier = {}
    for o in orders:
        by_supplier.setdefault(o.supplier_id, []).append(o.id)
    return {"run_id": run_id, "orders": by_supplier}


def released(client, keys, order_id):
    """Approve and release an order as the planner; its supplier ETag."""
    for action in ("approve", "release"):
        r = client.post(f"/api/v1/purchase-orders/{order_id}/{action}", headers=keys["planner"])
        assert r.status_code == 200, r.get_json()
    return r.headers["ETag"]


REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
