"""The plan-run job with the real planning pipeline (scenarios.pipeline) on the bundled sample:
published through the API with forecasts, KPIs, alerts and the presale lines it proposes."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_plan_run_with_the_real_pipeline(client, keys, plan, sessions):
    from api.jobs.worker import Worker
    from tests.api.conftest import released

    released(client, keys, plan["orders"]["S2"][0])  # open supply handed to the pipeline
    r = client.post(
        "/api/v1/plan-runs", json={"horizon_weeks": 4, "seed": 1}, headers=keys["planner"]
    )
    assert r.status_code == 202
    Worker(sessions, {}).run_once()  # default plan function: the pipeline
    job = client.get(r.headers["Location"], headers=keys["viewer"]).get_json()
    assert job["status"] == "succeeded", job.get("error")
    run_id = job["result"]["plan_run_id"]
    run = client.get(f"/api/v1/plan-runs/{run_id}", headers=keys["viewer"]).get_json()
    assert run["published"] and len(run["input_hash"]) == 64
    assert [s["name"] for s in run["versions"]["stages"]][:2] == ["apply scenario", "forecast"]
    assert 0.0 <= run["kpis"]["fill_rate"] <= 1.0
    fc = client.get(
        f"/api/v1/plan-runs/{run_id}/forecasts?limit=1", headers=keys["viewer"]
    ).get_json()
    assert fc["total"] == job["result"]["forecasts"] > 0
    assert fc["items"][0]["p10"] <= fc["items"][0]["p50"] <= fc["items"][0]["p90"]
    alerts = client.get("/api/v1/alerts?limit=1000", headers=keys["viewer"]).get_json()
    assert alerts["total"] == job["result"]["alerts"]
    # the test plan's proposals were replaced; the released order stays
    lines = client.get("/api/v1/plan-lines?limit=1000", headers=keys["viewer"]).get_json()["items"]
    assert {x["plan_run_id"] for x in lines if x["status"] == "proposed"} <= {run_id}
    assert sum(1 for x in lines if x["status"] == "released") == 1
