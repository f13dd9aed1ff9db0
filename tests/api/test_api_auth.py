"""Authentication and scoping: every route declares its roles; missing, malformed, unknown,
expired and revoked keys are refused (401); roles are enforced (403); keys are stored hashed;
rate limits answer 429 with Retry-After."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.api.conftest import bearer, make_key

PROBLEM = "application/problem+json"


def test_every_route_is_authenticated_and_declares_roles(app, client):
    from api.auth.guard import is_public

    checked = 0
    for rule in app.url_map.iter_rules():
        if is_public(rule.endpoint):
            continue
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "_roles", None), f"{rule.rule} declares no roles"
        url = rule.rule.replace("<string:", "<").replace("<id:", "<")
        url = url.replace("<order_id>", "X").replace("<table>", "items")
        for name in ("<run_id>", "<job_id>", "<line_id>", "<scenario_id>"):
            url = url.replace(name, "1")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            r = client.open(url, method=method)
            assert r.status_code == 401, (method, url, r.status_code)
            assert r.mimetype == PROBLEM
            assert r.headers["WWW-Authenticate"].startswith("Bearer")
            checked += 1
    assert checked >= 30


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer nonsense", "Basic abc", "Bearer sp_abc_def", "Bearer sp__x", "Token sp_a_b"],
)
def test_bad_or_unknown_keys_refused(client, keys, header):
    r = client.get("/api/v1/purchase-orders", headers={"Authorization": header})
    assert r.status_code == 401
    assert r.get_json()["type"].endswith(":unauthorized")


def test_wrong_secret_with_valid_prefix_refused(client, keys):
    key = keys["planner"]["Authorization"].split(" ")[1]
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    assert client.get("/api/v1/purchase-orders", headers=bearer(forged)).status_code == 401


def test_expired_key_refused_even_when_cached(client, sessions, sample_db):
    """The app's default AUTH_CACHE_S is on: expiry is checked on every request anyway."""
    from api.db.base import utcnow
    from api.db.models import ApiKey
    from api.services.uow import unit_of_work

    assert client.application.config["AUTH_CACHE_S"] > 0
    key = make_key(sessions, "planner", expires_in_days=1)
    assert client.get("/api/v1/purchase-orders", headers=bearer(key)).status_code == 200
    with unit_of_work(sessions) as s:
        s.execute(update(ApiKey).values(expires_at=utcnow() + timedelta(seconds=0.5)))
    time.sleep(0.3)  # let the cached entry be the one that knows the old expiry ...
    client.application.extensions["stockpilot"].auth_cache = type(
        client.application.extensions["stockpilot"].auth_cache
    )(10)
    assert (
        client.get("/api/v1/purchase-orders", headers=bearer(key)).status_code == 200
    )  # ... re-read: +0.5 s
    time.sleep(0.3)
    r = client.get("/api/v1/purchase-orders", headers=bearer(key))  # cached, but past its expiry
    assert r.status_code == 401
    assert "expired" in r.get_json()["detail"]


@pytest.mark.parametrize("cache_s", [0.0, 0.3])
def test_revoked_key_refused(db, sample_db, cache_s):
    """Refused at once without the cache; within AUTH_CACHE_S with it."""
    from api.app import create_app
    from api.auth.keys import revoke_key
    from api.services.uow import unit_of_work

    app = create_app({"DATABASE_URL": db, "RATE_LIMIT_PER_S": 0, "AUTH_CACHE_S": cache_s})
    client, sessions = app.test_client(), app.extensions["stockpilot"].sessions
    key = make_key(sessions, "supplier", "S1")
    assert client.get("/api/v1/supplier/purchase-orders", headers=bearer(key)).status_code == 200
    with unit_of_work(sessions) as s:
        revoke_key(s, key.split("_")[1])
    time.sleep(cache_s + 0.05)
    r = client.get("/api/v1/supplier/purchase-orders", headers=bearer(key))
    assert r.status_code == 401
    assert "revoked" in r.get_json()["detail"]


def test_keys_stored_hashed_only(sessions, keys):
    from api.auth.keys import hash_key
    from api.db.models import ApiKey
    from api.services.uow import read_only

    plain = [h["Authorization"].split(" ")[1] for h in keys.values()]
    with read_only(sessions) as s:
        rows = [(r.key_hash, r.prefix, r.name) for r in s.scalars(select(ApiKey))]
    assert {r[0] for r in rows} == {hash_key(k) for k in plain}
    for r in rows:
        assert all(k not in r for k in plain)


def test_roles_enforced(client, keys, plan):
    order = plan["orders"]["S1"][0]
    # viewer reads but may not write
    assert client.get("/api/v1/purchase-orders", headers=keys["viewer"]).status_code == 200
    r = client.post(f"/api/v1/purchase-orders/{order}/approve", headers=keys["viewer"])
    assert r.status_code == 403 and r.mimetype == PROBLEM
    # suppliers may not use planner routes, planners may not use supplier routes
    assert client.get("/api/v1/purchase-orders", headers=keys["s1"]).status_code == 403
    assert client.get(f"/api/v1/purchase-orders/{order}", headers=keys["s1"]).status_code == 403
    assert client.get("/api/v1/data/items", headers=keys["s1"]).status_code == 403
    assert (
        client.get("/api/v1/supplier/purchase-orders", headers=keys["planner"]).status_code == 403
    )


def test_supplier_key_must_name_existing_supplier(sessions, sample_db):
    from api.auth.keys import create_key
    from api.services.uow import unit_of_work

    with pytest.raises(ValueError, match="supplier"):
        with unit_of_work(sessions) as s:
            create_key(s, "supplier", None)
    with pytest.raises(ValueError, match="does not exist"):
        with unit_of_work(sessions) as s:
            create_key(s, "supplier", "NOPE")
    with pytest.raises(ValueError, match="only supplier keys"):
        with unit_of_work(sessions) as s:
            create_key(s, "planner", "S1")


def test_rate_limit_answers_429_with_retry_after(db, sample_db, sessions):
    from api.app import create_app

    app = create_app({"DATABASE_URL": db, "RATE_LIMIT_PER_S": 1, "RATE_LIMIT_BURST": 3})
    client = app.test_client()
    headers = bearer(make_key(app.extensions["stockpilot"].sessions, "supplier", "S1"))
    codes = [
        client.get("/api/v1/supplier/purchase-orders", headers=headers).status_code
        for _ in range(5)
    ]
    assert codes[:3] == [200, 200, 200]
    assert codes[3] == 429
    r = client.get("/api/v1/supplier/purchase-orders", headers=headers)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert r.get_json()["type"].endswith(":rate-limited")


def test_token_bucket_refills():
    from api.auth.ratelimit import RateLimiter

    now = [0.0]
    rl = RateLimiter(2.0, 2, clock=lambda: now[0])
    assert rl.take("k") == 0 and rl.take("k") == 0
    assert rl.take("k") == pytest.approx(0.5)
    now[0] += 0.5
    assert rl.take("k") == 0


def test_keys_cli_prints_key_once(db, sample_db, monkeypatch):
    from click.testing import CliRunner

    from api.cli.main import cli

    runner = CliRunner()
    r = runner.invoke(cli, ["keys", "create", "--role", "supplier", "--supplier", "S1"])
    assert r.exit_code == 0, r.output
    key = r.stdout.strip()
    assert key.startswith("sp_")
    listing = runner.invoke(cli, ["keys", "list"])
    assert key.split("_")[1] in listing.stdout and key not in listing.stdout
    assert runner.invoke(cli, ["keys", "revoke", key.split("_")[1]]).exit_code == 0
    assert "revoked" in runner.invoke(cli, ["keys", "list"]).stdout
    bad = runner.invoke(cli, ["keys", "create", "--role", "supplier"])
    assert bad.exit_code == 1
