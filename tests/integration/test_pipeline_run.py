"""The planning run on a slice of the bundled sample: stages and their reports, reproducibility,
a scenario's effect, bad scenarios stopped before anything runs, atomic publishing, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from scenarios import pipeline
from scenarios.datasets.files import read_dir, write_dir
from scenarios.datasets.planning_data import empty_frame
from scenarios.datasets.sample import sample_dir
from scenarios.publish import publish
from scenarios.spec import SpecError, parse_spec

ITEMS = ["OJ01", "OJ02", "OJ05"]


@pytest.fixture(scope="module")
def data():
    """Three brands of the sample, no presale campaigns (the presale stage is timed elsewhere)."""
    full = read_dir(sample_dir())
    keep = lambda f: f[f["item_id"].isin(ITEMS)]  # noqa: E731
    return full.replace(items=keep(full.items), itemsuppliers=keep(full.itemsuppliers),
                        buffers=keep(full.buffers), sales=keep(full.sales),
                        presales=empty_frame("presales"), presale_deposits=empty_frame("presale_deposits"))


@pytest.fixture(scope="module")
def baseline(data):
    return pipeline.run_plan(data, pipeline.PlanRequest(horizon_weeks=4, n_reps=20, seed=3))


def test_stages_in_order_with_honest_reports(data, baseline):
    names = [s.name for s in baseline.stages]
    assert names == list(pipeline.STAGES)
    for s in baseline.stages:
        assert s.status == "ok" or s.status == pipeline.SKIPPED
    if baseline.stage("replenishment").status == pipeline.SKIPPED:
        assert baseline.purchase_orders is None
        assert "stock on hand only" in baseline.stage("simulate").detail
    assert baseline.input_hash == data.input_hash() == baseline.scenario_input_hash
    assert "solver:highs" in baseline.versions and "pandas" in baseline.versions
    assert baseline.as_of == pd.Timestamp("2020-10-07")          # last week 2020-10-01 + 6 days
    fc = baseline.forecasts
    assert set(fc["item_id"]) == set(ITEMS) and fc["date"].nunique() == 4
    assert fc["date"].min() == baseline.as_of + pd.Timedelta(days=1)   # week k = k-th week after as_of
    assert {"mean", "p10", "p50", "p90"} <= set(fc.columns)
    ci = baseline.kpi_intervals.set_index("kpi")
    assert (ci.loc["fill_rate", "ci_low"] <= baseline.kpis["fill_rate"] <= ci.loc["fill_rate", "ci_high"])
    assert len(baseline.projection) == 28


def test_missing_stage_is_skipped_never_faked(data, monkeypatch):
    real = pipeline.stage_function
    monkeypatch.setattr(pipeline, "stage_function",
                        lambda module, name: None if module == "scenarios.replenish" else real(module, name))
    res = pipeline.run_plan(data, pipeline.PlanRequest(horizon_weeks=2, n_reps=5))
    rep = res.stage("replenishment")
    assert rep.status == "skipped: not available" and "scenarios.replenish" in rep.detail
    assert res.purchase_orders is None
    assert res.kpis["cost_purchase"] == 0.0          # nothing was ordered in its place


def test_same_inputs_and_seed_give_the_same_plan(data, baseline):
    again = pipeline.run_plan(data, pipeline.PlanRequest(horizon_weeks=4, n_reps=20, seed=3))
    pd.testing.assert_frame_equal(baseline.forecasts, again.forecasts)
    pd.testing.assert_frame_equal(baseline.kpi_intervals, again.kpi_intervals)
    if baseline.purchase_orders is not None:
        pd.testing.assert_frame_equal(baseline.purchase_orders, again.purchase_orders)


def test_demand_scenario_moves_the_kpis(data, baseline):
    spec = parse_spec({"name": "surge", "demand": [{"factor": 4.0, "start": "2020-10-02", "end": "2020-11-15"}]})
    res = pipeline.run_plan(data, pipeline.PlanRequest(horizon_weeks=4, n_reps=20, seed=3, spec=spec))
    assert res.forecasts["mean"].sum() == pytest.approx(4 * baseline.forecasts["mean"].sum(), rel=1e-9)
    assert res.kpis["lost_sales_units"] > baseline.kpis["lost_sales_units"]
    table = pipeline.compare({"baseline": baseline, "surge": res}, ["fill_rate", "turnover_days"])
    assert list(table.columns) == ["baseline", "surge", "Δ surge"]
    assert table.loc["fill_rate", "Δ surge"] == pytest.approx(res.kpis["fill_rate"] - baseline.kpis["fill_rate"])


def test_bad_scenario_stops_before_any_stage(data):
    seen = []
    spec = parse_spec({"name": "bad", "suppliers": [{"supplier": "S99", "lead_time_add_days": 7}]})
    with pytest.raises(SpecError, match="unknown supplier 'S99'"):
        pipeline.run_plan(data, pipeline.PlanRequest(spec=spec), progress=seen.append)
    assert seen == []
    with pytest.raises(ValueError, match="as_of 2010-01-01: before the first sales date"):
        pipeline.run_plan(data, pipeline.PlanRequest(as_of=pd.Timestamp("2010-01-01")))
    with pytest.raises(ValueError, match="horizon_weeks"):
        pipeline.PlanRequest(horizon_weeks=0)


def test_publish_writes_files_and_replaces_atomically(baseline, tmp_path, monkeypatch):
    out = tmp_path / "plan"
    paths = publish(baseline, out)
    names = {p.name for p in paths}
    assert {"forecasts.csv", "alerts.csv", "kpis.json", "kpis.png", "projection.png", "forecast.png"} <= names
    doc = json.loads((out / "kpis.json").read_text())
    assert doc["input_hash"] == baseline.input_hash and doc["seed"] == 3
    assert doc["kpis"]["fill_rate"] == pytest.approx(baseline.kpis["fill_rate"])
    assert [s["name"] for s in doc["stages"]] == list(pipeline.STAGES)
    # a failing publish leaves the previous run complete and untouched
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    import scenarios.publish as pub

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pub, "_charts", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        publish(baseline, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]      # no temporary folders left


def test_cli_plan_and_bad_scenario(data, tmp_path, capsys):
    from api.cli.main import main

    folder = tmp_path / "data"
    write_dir(data, folder)
    out = tmp_path / "out"
    assert main(["plan", "--data", str(folder), "--horizon", "2", "--reps", "5", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "fill_rate" in captured.out and "95% interval" in captured.out
    assert "forecast" in captured.err and (out / "kpis.json").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ndemand:\n  - factor: -2\n    start: 2020-11-01\n    end: 2020-11-02\n")
    assert main(["plan", "--data", str(folder), "--scenario", str(bad), "--out", str(tmp_path / "o2")]) == 1
    err = capsys.readouterr().err
    assert "error: scenario bad.yaml: demand[0].factor: must be >= 0 (got -2)" in err
    assert not (tmp_path / "o2").exists()


def test_cli_alerts_json(data, tmp_path, capsys):
    from api.cli.main import main

    folder = tmp_path / "data"
    write_dir(data, folder)
    assert main(["alerts", "--data", str(folder), "--json"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert lines and {"type", "severity", "item_id", "location_id", "message"} <= set(lines[0])
    assert all(np.isfinite(x["value"]) or x["value"] is None for x in lines)


def test_replenishment_plan_is_simulated_and_respects_the_scenario_budget(data, baseline):
    pos = baseline.purchase_orders
    assert pos is not None and len(pos) > 0
    assert baseline.stage("simulate").detail.startswith(f"{len(pos)} purchase-order lines")
    # the simulation receives the planned orders that arrive inside the horizon
    assert baseline.kpis["cost_purchase"] > 0
    weekly = pos.groupby("order_date")["line_cost"].sum()
    budget = 0.5 * float(weekly.max())
    spec = parse_spec({"name": "tight", "budget": {"per_week": budget}})
    res = pipeline.run_plan(data, pipeline.PlanRequest(horizon_weeks=4, n_reps=20, seed=3, spec=spec))
    assert f"budget {budget:,.0f} per week" in res.stage("replenishment").detail
    spent = res.purchase_orders.groupby("order_date")["line_cost"].sum()
    assert (spent <= budget + 1e-6).all()
