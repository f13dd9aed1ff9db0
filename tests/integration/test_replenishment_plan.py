"""``scenarios.replenish.plan_replenishment`` on the bundled sample (Dominick's orange juice with
the seeded supply side of ``scenarios/datasets/generator.py``), the warehouse mapping, and the
benchmark's JSON."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from optimizer.policies import order_up_to_from_quantiles
from optimizer.replenishment import ReplenishOptions
from optimizer.replenishment.bench import run_benchmark
from optimizer.solver import SolverOptions
from scenarios.datasets.files import read_dir
from scenarios.datasets.sample import sample_dir
from scenarios.replenish import (
    ReplenishPlanOptions,
    build_problem,
    plan_replenishment,
    serving_warehouse,
)

FAST = ReplenishPlanOptions(solve=ReplenishOptions(solver=SolverOptions(time_limit_s=5, mip_gap=1e-2)))


@pytest.fixture(scope="module")
def sample():
    return read_dir(sample_dir())


def _forecast(data, as_of, weeks=6, items=("OJ01", "OJ02", "OJ05")):
    s = data.sales[data.sales["item_id"].isin(items)]
    recent = s[s["date"] > as_of - pd.Timedelta(weeks=8)].groupby(["item_id", "location_id"])["qty"]
    stats_ = recent.agg(["mean", "std"]).fillna(0.0).reset_index()
    z = stats.norm.ppf(0.9)
    rows = [stats_.assign(date=as_of + pd.Timedelta(days=1 + 7 * k), p10=np.maximum(stats_["mean"] - z * stats_["std"], 0),
                          p50=stats_["mean"], p90=stats_["mean"] + z * stats_["std"]) for k in range(weeks)]
    return pd.concat(rows, ignore_index=True)


def test_cheapest_lane_and_parent_fallback(sample):
    lanes = sample.itemdistributions
    store = lanes["destination_id"][lanes["destination_id"].str.startswith("S")].iloc[0]
    own = lanes[lanes["destination_id"] == store].sort_values(["cost_per_unit", "transit_days", "origin_id"])
    assert serving_warehouse(sample, [store]) == {store: own["origin_id"].iloc[0]}
    # an item-specific lane wins over the all-items lanes even when dearer
    special = pd.DataFrame([{"origin_id": "W2", "destination_id": store, "item_id": "OJ01", "transit_days": 5.0,
                             "cost_per_unit": 9.0}])
    data = sample.replace(itemdistributions=pd.concat([lanes, special], ignore_index=True))
    assert serving_warehouse(data, [store], "OJ01") == {store: "W2"}
    # a store without lanes falls back to its parent region's lane
    parent = sample.locations.set_index("location_id").loc[store, "parent_id"]
    region_lane = pd.DataFrame([{"origin_id": "W3", "destination_id": parent, "item_id": np.nan,
                                 "transit_days": 1.0, "cost_per_unit": 0.1}])
    data = sample.replace(itemdistributions=pd.concat([lanes[lanes["destination_id"] != store], region_lane]))
    assert serving_warehouse(data, [store]) == {store: "W3"}
    data = sample.replace(itemdistributions=lanes[lanes["destination_id"] != store])
    with pytest.raises(ValueError, match=f"no lane in itemdistributions from any warehouse reaches sales location {store}"):
        serving_warehouse(data, [store])


def test_safety_stock_matches_the_quantile_policy(sample):
    as_of = sample.sales["date"].max()
    fc = _forecast(sample, as_of)
    p = build_problem(sample, fc, as_of, 6, 0.95, FAST)
    # one SKU by hand: weekly sums of the forecast at its stores, then order_up_to_from_quantiles
    sku = p.skus.iloc[0]
    d = p.demand[(p.demand["item_id"] == sku["item_id"]) & (p.demand["location_id"] == sku["location_id"])]
    src = p.sources[(p.sources["item_id"] == sku["item_id"]) & (p.sources["location_id"] == sku["location_id"])]
    pref = src.sort_values(["priority", "unit_cost"]).iloc[0]
    z9 = stats.norm.ppf(0.9)
    lanes = serving_warehouse(sample, list(fc["location_id"].unique()), sku["item_id"])
    mine = fc[(fc["item_id"] == sku["item_id"]) & fc["location_id"].map(lanes).eq(sku["location_id"])]
    sig2 = (((mine["p90"] - mine["p10"]) / (2 * z9)) ** 2).groupby(mine["date"]).sum().to_numpy()
    mean = mine.groupby("date")["mean"].sum().to_numpy()
    assert np.allclose(d["qty"].to_numpy(), mean)
    r = order_up_to_from_quantiles(mean, mean - z9 * np.sqrt(sig2), mean + z9 * np.sqrt(sig2),
                                   pref["lead_time_days"] / 7, 0.95, review_periods=1,
                                   lead_time_std_periods=pref["lead_time_std_days"] / 7)
    assert d["safety_stock"].iloc[0] == pytest.approx(r.safety_stock, abs=1e-3)


def test_plan_on_the_sample(sample):
    as_of = sample.sales["date"].max()
    po = plan_replenishment(sample, _forecast(sample, as_of), as_of, 6, 0.95, FAST)
    assert list(po.columns) == ["item_id", "location_id", "supplier_id", "order_date", "due_date", "qty", "unit_cost",
                                "line_cost", "case_packs", "stockout_date_prevented", "safety_stock", "service_level",
                                "shaped_by", "reason"]
    assert len(po) > 0 and po.attrs["status"] in ("optimal", "feasible")
    assert set(po["location_id"]) <= set(sample.warehouses()["location_id"])
    src = sample.itemsuppliers.set_index(["item_id", "supplier_id"])
    for row in po.itertuples():
        s = src.loc[(row.item_id, row.supplier_id)]
        assert row.qty % s["size_multiple"] == 0 and row.qty >= s["size_minimum"]
        assert row.order_date >= as_of + pd.Timedelta(days=1)
        assert row.due_date > row.order_date
        assert row.reason and row.service_level == 0.95
    # negative forecasts are refused, naming the item
    bad = _forecast(sample, as_of)
    bad.loc[0, "mean"] = -1.0
    with pytest.raises(ValueError, match=r"forecasts: mean must be a number >= 0 \(item OJ01"):
        plan_replenishment(sample, bad, as_of, 6, 0.95, FAST)


def test_benchmark_json():
    out = run_benchmark(4, 2, 2, 6, seed=3, time_limit_s=4)
    assert out["instance"]["item_locations"] == 8
    for side in ("stockpilot", "reference"):
        assert {"objective", "gap", "wall_s"} <= set(out[side])
    assert set(out["goal"]) == {"wall_s<60", "gap<=0.5%", "speedup>=5", "objective<=reference"}
    assert out["stockpilot"]["objective"] == pytest.approx(sum(out["stockpilot"]["costs"].values()), abs=0.1)
