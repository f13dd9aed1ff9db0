"""Backtest: hand-checkable min/max and order-up-to levels on constant demand, the stockpilot
rule's order-up-to on a constant series, no peeking at later sales, the bench JSON shape and the
bad-input rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scenarios.backtest import BENCH_KPIS, BacktestConfig, bench_backtest, run_backtest
from scenarios.datasets.planning_data import PlanningData


def tiny_data(weekly=None, weeks: int = 40, lead: float = 7.0) -> PlanningData:
    """One item sold at one store served by one warehouse, weekly buckets from 2024-01-04."""
    dates = pd.date_range("2024-01-04", periods=weeks, freq="7D")
    qty = np.full(weeks, 70.0) if weekly is None else np.asarray(weekly, float)
    return PlanningData.from_frames({
        "items": pd.DataFrame({"item_id": ["A"], "category": ["c"], "unit_cost": [2.0], "price": [3.0],
                               "unit_volume_m3": [0.001], "holding_rate_per_year": [0.25],
                               "lifecycle": ["active"]}),
        "locations": pd.DataFrame({"location_id": ["W1", "S1"], "type": ["warehouse", "store"],
                                   "parent_id": [np.nan, np.nan]}),
        "suppliers": pd.DataFrame({"supplier_id": ["SUP"], "order_cost": [10.0]}),
        "itemsuppliers": pd.DataFrame({"item_id": ["A"], "supplier_id": ["SUP"], "location_id": [np.nan],
                                       "unit_cost": [2.0], "lead_time_days": [lead], "lead_time_std_days": [0.0],
                                       "size_minimum": [0.0], "size_multiple": [1], "priority": [1]}),
        "itemdistributions": pd.DataFrame({"origin_id": ["W1"], "destination_id": ["S1"], "item_id": [np.nan],
                                           "transit_days": [1.0], "cost_per_unit": [0.1]}),
        "sales": pd.DataFrame({"item_id": "A", "location_id": "S1", "date": dates, "qty": qty}),
    })


CFG = BacktestConfig(random_lead_times=False, warmup_weeks=2)


def test_minmax_and_order_up_to_levels_on_constant_demand():
    res = run_backtest(tiny_data(), ["minmax", "order_up_to"], CFG)
    mm = res["minmax"].trace
    # m = 10/day, L = 7: start stock 10 x (7 + 7 + 14) = 280; min = 10 x (7 + 14) = 210,
    # max = 210 + 10 x 28 = 490. Stock hits 210 at the end of day 6 -> order 490 - 210 = 280.
    assert mm.initial_on_hand[0] == 280.0
    assert mm.ordered[0, :7].tolist() == [0, 0, 0, 0, 0, 0, 280]
    assert res["minmax"].kpis["fill_rate"] == pytest.approx(1.0)
    # order-up-to, weekly review on day 6: S = 10 x (7 + 7 + 14) = 280, IP = 280 - 70 -> 70
    out = res["order_up_to"].trace
    assert np.flatnonzero(out.ordered[0]).tolist()[:3] == [6, 13, 20]
    assert out.ordered[0, 6] == pytest.approx(70.0)
    # steady state: every week orders exactly the week's demand
    assert out.ordered[0, 13] == pytest.approx(70.0)


def test_stockpilot_rule_orders_up_to_the_forecast_over_lead_time_plus_review():
    res = run_backtest(tiny_data(), ["stockpilot"], CFG)
    tr = res["stockpilot"].trace
    # constant 70/week: forecast mean 70 per week with no spread, so S = 70 x (7 + 1)/7 = 80
    # units; the start stock 280 is above it: nothing is ordered until the position drops below 80
    # (day 20: 280 - 21 x 10 = 70 -> order 10), then every day the day's 10 units
    first = int(np.flatnonzero(tr.ordered[0])[0])
    assert first == 20
    assert tr.ordered[0, first] == pytest.approx(10.0, abs=0.5)
    assert tr.ordered[0, first + 1] == pytest.approx(10.0, abs=0.5)
    assert res["stockpilot"].kpis["fill_rate"] == pytest.approx(1.0)


def test_replanning_uses_only_data_known_then():
    rng = np.random.default_rng(3)
    base = rng.poisson(70, 40).astype(float)
    other = base.copy()
    other[33:] *= 5          # sales from week 33 on differ
    a = run_backtest(tiny_data(base), ["stockpilot", "minmax"], CFG)
    b = run_backtest(tiny_data(other), ["stockpilot", "minmax"], CFG)
    start = a["stockpilot"].start
    cut = (pd.Timestamp("2024-01-04") + pd.Timedelta(weeks=33) - start).days   # first changed day
    for name in ("stockpilot", "minmax"):
        ta, tb = a[name].trace, b[name].trace
        np.testing.assert_array_equal(ta.ordered[:, :cut], tb.ordered[:, :cut])
        assert not np.array_equal(ta.ordered, tb.ordered)


def test_bad_windows_and_policies():
    data = tiny_data()
    with pytest.raises(ValueError, match="needs 26 weeks of history"):
        run_backtest(data, ["minmax"], BacktestConfig(start=pd.Timestamp("2024-02-01")))
    with pytest.raises(ValueError, match="after the end of the sales history"):
        run_backtest(data, ["minmax"], BacktestConfig(end=pd.Timestamp("2030-01-01")))
    with pytest.raises(ValueError, match="unknown policy 'magic'"):
        run_backtest(data, ["magic"], CFG)
    with pytest.raises(ValueError, match="service_level"):
        BacktestConfig(service_level=1.0)


@pytest.mark.slow
def test_bench_backtest_on_the_bundled_sample_has_the_documented_shape():
    # a shorter replay than the benchmark's (same code path) keeps the suite fast
    cfg = BacktestConfig(seed=7, start=pd.Timestamp("2019-06-06"), end=pd.Timestamp("2020-01-29"))
    out = bench_backtest(seed=7, cfg=cfg)
    assert (out["start"], out["end"]) == ("2019-06-06", "2020-01-29")
    assert set(out["variants"]) == {"stockpilot_without_promo_calendar"}
    assert set(out["policies"]) == {"stockpilot", "minmax", "order_up_to"}
    for kp in out["policies"].values():
        assert set(BENCH_KPIS) <= set(kp)
        assert 0 < kp["fill_rate"] <= 1 and kp["turnover_days"] > 0 and 0 <= kp["slow_moving_rate"] <= 1
    assert out["series"] == 33   # 11 brands x 3 warehouses
    assert out["ratios"]["turnover_days_vs_minmax"] == pytest.approx(
        out["policies"]["stockpilot"]["turnover_days"] / out["policies"]["minmax"]["turnover_days"])


def test_fill_rate_levels_meet_the_target_and_favour_cheap_stock():
    from scipy import stats

    from scenarios.backtest_policies import fill_rate_levels

    def loss(z):
        return stats.norm.pdf(z) - z * stats.norm.sf(z)

    # two series with the same demand (mean 80 over L + R, 70 over L; std 20 and 18.7); the
    # second's stock costs 10x more: it gets the lower level, and the pooled expected shortage
    # per period meets (1 - 0.95) x the 2 x 10 units demanded per period, as closely as the
    # z grid (steps of 0.05) allows
    moments = np.array([[80.0, 20.0, 70.0, 18.7], [80.0, 20.0, 70.0, 18.7]])
    s = fill_rate_levels(moments, np.array([1.0, 10.0]), 0.95)
    assert s[0] > s[1]
    short = [20.0 * loss((si - 80) / 20.0) - 18.7 * loss((si - 70) / 18.7) for si in s]
    assert 0.9 * 0.05 * 20.0 <= sum(short) <= 0.05 * 20.0
