"""Jobs: plan runs return 202 + job URL and publish atomically; a crash at any point — in the
plan function, during publication, or of the worker process itself — leaves the previous plan
intact and the job failed (never left running); cancellation; import jobs; data uploads with
the import's validation."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from api.jobs.plan_job import PlanOutput
from tests.api.conftest import REPO_ROOT, plan_lines, publish


def _snapshot(client, keys):
    r = client.get("/api/v1/plan-lines?limit=1000", headers=keys["viewer"]).get_json()
    return sorted((x["reference"], x["status"], x["quantity_proposed"]) for x in r["items"])


def _forecasts():
    return pd.DataFrame(
        {
            "item_id": ["OJ01"] * 2,
            "location_id": ["W1"] * 2,
            "date": ["2026-12-07", "2026-12-14"],
            "mean": [10.0, 12.0],
            "p10": [5.0, 6.0],
            "p50": [9.0, 11.0],
            "p90": [16.0, 19.0],
            "p95": [18.0, 21.0],
            "model": ["ets", "ets"],
        }
    )


def _alerts():
    return pd.DataFrame(
        {
            "type": ["stockout"],
            "severity": ["critical"],
            "item_id": ["OJ01"],
            "location_id": ["W1"],
            "message": ["OJ01 at W1 runs out on 2026-12-28"],
        }
    )


def test_plan_run_job_202_progress_and_results(app, client, keys, sessions):
    from api.jobs.worker import Worker

    r = client.post(
        "/api/v1/plan-runs", json={"horizon_weeks": 8, "seed": 7}, headers=keys["planner"]
    )
    assert r.status_code == 202
    job_url = r.headers["Location"]
    assert job_url == r.get_json()["job"]["url"]
    assert client.get(job_url, headers=keys["viewer"]).get_json()["status"] == "queued"
    seen = []

    def plan(inputs, progress):
        assert inputs.horizon_weeks == 8 and inputs.seed == 7
        assert set(inputs.data.items["item_id"]) >= {"OJ01", "OJ02"}
        progress(0.5, "forecasting")
        seen.append(client.get(job_url, headers=keys["viewer"]).get_json())
        return PlanOutput(
            lines=plan_lines(),
            forecasts=_forecasts(),
            alerts=_alerts(),
            kpis={"fill_rate": 0.96, "turnover_days": 31.5},
            input_hash="abc",
            versions={"x": "1"},
        )

    assert Worker(sessions, {"PLAN_FUNCTION": plan}).run_once() is not None
    assert seen[0]["status"] == "running" and seen[0]["progress"] == pytest.approx(
        0.05 + 0.85 * 0.5
    )
    job = client.get(job_url, headers=keys["viewer"]).get_json()
    assert job["status"] == "succeeded" and job["progress"] == 1.0
    run_id = job["result"]["plan_run_id"]
    run = client.get(f"/api/v1/plan-runs/{run_id}", headers=keys["viewer"]).get_json()
    assert run["status"] == "succeeded" and run["published"] and run["input_hash"] == "abc"
    assert (
        client.get("/api/v1/plan-runs/current", headers=keys["viewer"]).get_json()["id"] == run_id
    )
    base = f"/api/v1/plan-runs/{run_id}"
    assert client.get(f"{base}/purchase-orders", headers=keys["viewer"]).get_json()["total"] == 4
    assert client.get(f"{base}/transfers", headers=keys["viewer"]).get_json()["total"] == 1
    assert client.get(f"{base}/presale-plans", headers=keys["viewer"]).get_json()["total"] == 0
    fc = client.get(f"{base}/forecasts?item=OJ01", headers=keys["viewer"]).get_json()
    assert [f["p90"] for f in fc["items"]] == [16.0, 19.0] and fc["items"][0]["quantiles"] == {
        "p95": 18.0
    }
    assert (
        client.get(f"{base}/kpis", headers=keys["viewer"]).get_json()["kpis"]["turnover_days"]
        == 31.5
    )
    alerts = client.get("/api/v1/alerts", headers=keys["viewer"]).get_json()
    assert alerts["items"][0]["message"] == "OJ01 at W1 runs out on 2026-12-28"
    assert (
        client.get(f"{base}/alerts?severity=info", headers=keys["viewer"]).get_json()["total"] == 0
    )


def test_new_plan_replaces_proposals_keeps_released_orders(client, keys, plan, sessions):
    from tests.api.conftest import released

    keep = plan["orders"]["S2"][0]
    released(client, keys, keep)
    publish(sessions, PlanOutput(lines=plan_lines(order_date="2026-12-01").iloc[:2]))
    lines = client.get("/api/v1/plan-lines?limit=1000", headers=keys["viewer"]).get_json()["items"]
    assert sorted(x["status"] for x in lines) == ["proposed", "proposed", "released"]
    assert any(x["order_ref"] == keep for x in lines)


def test_crash_in_plan_function_keeps_previous_plan(client, keys, plan, sessions):
    from api.jobs.worker import Worker
    from api.services import plan_runs

    before = _snapshot(client, keys)
    r = client.post("/api/v1/plan-runs", json={}, headers=keys["planner"])
    job_url = r.headers["Location"]
    from tests.api.plan_functions import failing_plan

    Worker(sessions, {"PLAN_FUNCTION": failing_plan}).run_once()
    job = client.get(job_url, headers=keys["viewer"]).get_json()
    assert job["status"] == "failed" and "solver exploded" in job["error"]["detail"]
    run = client.get(
        f"/api/v1/plan-runs/{r.get_json()['plan_run']['id']}", headers=keys["viewer"]
    ).get_json()
    assert run["status"] == "failed" and not run["published"]
    assert _snapshot(client, keys) == before
    assert plan_runs.current_run(sessions).id == plan["run_id"]


def test_crash_during_publication_keeps_previous_plan(client, keys, plan, sessions, monkeypatch):
    """The new lines are written, then the alert insert fails: the transaction rolls back."""
    from api.jobs import plan_job

    before = _snapshot(client, keys)

    def broken_alerts(frame, run_id):
        raise OSError("disk full while writing alerts")

    monkeypatch.setattr(plan_job, "_alert_records", broken_alerts)
    job_id, run_id = publish(
        sessions, PlanOutput(lines=plan_lines(order_date="2026-12-01"), alerts=_alerts())
    )
    job = client.get(f"/api/v1/jobs/{job_id}", headers=keys["viewer"]).get_json()
    assert job["status"] == "failed" and "disk full" in job["error"]["detail"]
    assert _snapshot(client, keys) == before
    assert (
        client.get("/api/v1/plan-runs/current", headers=keys["viewer"]).get_json()["id"]
        == plan["run_id"]
    )


def test_bad_plan_output_is_refused_and_previous_plan_kept(client, keys, plan, sessions):
    before = _snapshot(client, keys)
    bad = plan_lines()
    bad.loc[1, "supplier_id"] = None
    job_id, _ = publish(sessions, PlanOutput(lines=bad))
    job = client.get(f"/api/v1/jobs/{job_id}", headers=keys["viewer"]).get_json()
    assert job["status"] == "failed" and "a PO needs supplier_id" in job["error"]["detail"]
    assert _snapshot(client, keys) == before


def test_worker_killed_mid_run_job_marked_failed_plan_intact(app, client, keys, plan, sessions, db):
    """A real worker process is SIGKILLed while running a plan; the next worker marks the job
    failed (not left running) and the previous plan is untouched."""
    from api.jobs.worker import Worker

    before = _snapshot(client, keys)
    r = client.post("/api/v1/plan-runs", json={}, headers=keys["planner"])
    job_url = r.headers["Location"]
    code = (
        "from api.db.session import session_factory; "
        "from api.jobs.worker import Worker; "
        "Worker(session_factory(), {'PLAN_FUNCTION': 'tests.api.plan_functions:sleeping_plan', "
        "'JOBS_HEARTBEAT_S': 0.2}).run_once()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env={**os.environ, "DATABASE_URL": db}
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            job = client.get(job_url, headers=keys["viewer"]).get_json()
            if job["status"] == "running" and job["message"] == "thinking":
                break
            assert proc.poll() is None, "worker exited early"
            time.sleep(0.1)
        assert job["status"] == "running"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    # a worker starting later (after a restart) recovers the stale job
    assert (
        Worker(sessions, {"JOBS_STALE_S": 60}).recover() == []
    )  # heartbeat still fresh: left alone
    time.sleep(0.5)
    assert Worker(sessions, {"JOBS_STALE_S": 0.3}).recover() == [job["id"]]
    job = client.get(job_url, headers=keys["viewer"]).get_json()
    assert job["status"] == "failed" and job["error"]["type"] == "worker-lost"
    run = client.get(
        f"/api/v1/plan-runs/{r.get_json()['plan_run']['id']}", headers=keys["viewer"]
    ).get_json()
    assert run["status"] == "failed"
    assert _snapshot(client, keys) == before


def test_cancel_queued_and_running_jobs(client, keys, sessions, plan):
    from api.jobs.worker import Worker

    before = _snapshot(client, keys)
    r = client.post("/api/v1/plan-runs", json={}, headers=keys["planner"])
    url = r.headers["Location"]
    assert client.post(f"{url}/cancel", headers=keys["viewer"]).status_code == 403
    c = client.post(f"{url}/cancel", headers=keys["planner"])
    assert c.status_code == 202 and c.get_json()["status"] == "cancelled"
    assert (
        Worker(sessions, {"PLAN_FUNCTION": lambda i, p: PlanOutput(lines=plan_lines())}).run_once()
        is None
    )
    # running: cancelled at the next progress report, nothing published
    r = client.post("/api/v1/plan-runs", json={}, headers=keys["planner"])
    url = r.headers["Location"]

    def plan_fn(inputs, progress):
        client.post(f"{url}/cancel", headers=keys["planner"])
        progress(0.5, "after cancel")
        return PlanOutput(lines=plan_lines())

    Worker(sessions, {"PLAN_FUNCTION": plan_fn}).run_once()
    assert client.get(url, headers=keys["viewer"]).get_json()["status"] == "cancelled"
    assert _snapshot(client, keys) == before
    assert client.post("/api/v1/jobs/999999/cancel", headers=keys["planner"]).status_code == 404


def test_default_plan_function_without_pipeline_fails_clearly(client, keys, sessions, monkeypatch):
    import importlib

    from api.jobs.worker import Worker

    real = importlib.import_module

    def no_pipeline(name, *a, **k):
        if name == "scenarios.pipeline":
            raise ModuleNotFoundError("No module named 'scenarios.pipeline'")
        return real(name, *a, **k)

    monkeypatch.setattr(importlib, "import_module", no_pipeline)
    r = client.post("/api/v1/plan-runs", json={}, headers=keys["planner"])
    Worker(sessions, {}).run_once()
    job = client.get(r.headers["Location"], headers=keys["viewer"]).get_json()
    assert job["status"] == "failed" and "scenarios.pipeline" in job["error"]["detail"]


def test_scenario_run_stores_results_without_replacing_plan(client, keys, plan, sessions):
    from api.jobs.worker import Worker

    before = _snapshot(client, keys)
    r = client.post(
        "/api/v1/scenarios",
        json={"name": "double 11", "spec": {"demand": [{"factor": 3}]}},
        headers=keys["planner"],
    )
    assert r.status_code == 201
    sid = r.get_json()["id"]
    assert (
        client.post(
            "/api/v1/scenarios", json={"name": "double 11", "spec": {}}, headers=keys["planner"]
        ).status_code
        == 409
    )
    r = client.post(f"/api/v1/scenarios/{sid}/runs", json={}, headers=keys["planner"])
    assert r.status_code == 202

    def plan_fn(inputs, progress):
        assert inputs.scenario == {"demand": [{"factor": 3}]}
        return PlanOutput(lines=plan_lines(), kpis={"fill_rate": 0.9}, alerts=_alerts())

    Worker(sessions, {"PLAN_FUNCTION": plan_fn}).run_once()
    runs = client.get(f"/api/v1/scenarios/{sid}/runs", headers=keys["viewer"]).get_json()["items"]
    assert (
        runs[0]["status"] == "succeeded"
        and runs[0]["kpis"] == {"fill_rate": 0.9}
        and not runs[0]["published"]
    )
    assert _snapshot(client, keys) == before
    assert (
        client.post("/api/v1/scenarios/9999/runs", json={}, headers=keys["planner"]).status_code
        == 404
    )
