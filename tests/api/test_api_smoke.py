"""The app boots, documents itself and answers health checks."""

from __future__ import annotations


def test_healthz_and_openapi_are_public(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    doc = client.get("/api/v1/openapi.json")
    assert doc.status_code == 200
    spec = doc.get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/supplier/purchase-orders/{order_id}/acknowledgements" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert client.get("/api/v1/docs").status_code == 200


def test_no_redirects_trailing_slash(client, keys):
    r = client.get("/api/v1/purchase-orders/", headers=keys["planner"])
    assert r.status_code == 200


def test_plan_published(client, keys, plan):
    r = client.get("/api/v1/purchase-orders", headers=keys["viewer"])
    assert r.status_code == 200
    body = r.get_json()
    assert body["total"] == 3  # S1: two orders (W1 and W2), S2: one
    lines = sum(len(o["lines"]) for o in body["items"])
    assert lines == 4
    r = client.get(f"/api/v1/plan-runs/{plan['run_id']}/transfers", headers=keys["viewer"])
    assert r.get_json()["total"] == 1
