"""Property-based fuzzing of the served OpenAPI document with schemathesis: for every
operation, generated requests (valid and invalid) never get a 5xx, and every response —
status code, content type, headers and body — conforms to the document."""

from __future__ import annotations

import os
import shutil
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(
    os.environ.get("STOCKPILOT_FUZZ_EXAMPLES", "6")
)  # modest: the suite runs twice in CI
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzz_app(_template, tmp_path_factory):
    """One app for the whole module on a copy of the sample database, with a published plan,
    released orders, and keys for an admin and supplier S1."""
    import os

    from sqlalchemy import text

    from api.app import create_app
    from api.db.session import dispose_engines
    from tests.api.conftest import bearer, make_key, plan_lines, publish, released

    kind, source, admin = _template
    if kind == "sqlite":
        target = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
        shutil.copyfile(source, target)
        url, name = f"sqlite:///{target}", None
    else:
        name = f"sp_fuzz_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
        url = admin.url.set(database=name).render_as_string(hide_password=False)
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    app = create_app({"DATABASE_URL": url, "RATE_LIMIT_PER_S": 0, "TESTING": True})
    sessions = app.extensions["stockpilot"].sessions
    from api.jobs.plan_job import PlanOutput

    publish(sessions, PlanOutput(lines=plan_lines()))
    keys = {
        "admin": bearer(make_key(sessions, "admin")),
        "s1": bearer(make_key(sessions, "supplier", "S1")),
    }
    client = app.test_client()
    orders = client.get("/api/v1/purchase-orders?supplier=S1", headers=keys["admin"]).get_json()[
        "items"
    ]
    released(client, {"planner": keys["admin"]}, orders[0]["id"])
    app.config["FUZZ_KEYS"] = keys
    yield app
    from api.app import dispose_read_engines

    dispose_read_engines()
    dispose_engines()
    if old is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = old
    if name is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _runner(strategy, auth: dict, statuses: list):
    """A hypothesis test sending ``EXAMPLES`` generated requests with ``auth``."""
    from hypothesis import given

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        headers = dict(case.headers or {})
        headers.update(auth)
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses.append(response.status_code)

    return run


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_api_conforms_to_its_openapi_document(fuzz_app, mode):
    """Every operation of the served document, ``EXAMPLES`` generated requests each.
    (Driven through schemathesis' Python API: its lazy pytest loader does not run on pytest 9.)"""
    from schemathesis.generation.modes import GenerationMode

    keys = fuzz_app.config["FUZZ_KEYS"]
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)
    failures, n_ops, statuses = [], 0, []
    for result in api.get_all_operations():
        operation = result.ok()
        n_ops += 1
        auth = keys["s1" if operation.path.startswith("/api/v1/supplier/") else "admin"]
        run = _runner(operation.as_strategy(generation_mode=GenerationMode(mode)), auth, statuses)
        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert n_ops >= 35
    assert len(statuses) >= 2 * n_ops, failures[:3]  # the run did exercise the API
    if mode == "positive":  # valid requests get through auth and validation to real answers
        assert sum(1 for c in statuses if c < 300) >= n_ops // 2, sorted(statuses)
    else:
        assert sum(1 for c in statuses if c in (400, 404, 415, 422)) >= n_ops // 2, sorted(statuses)
    assert not failures, "\n\n".join(failures)
