"""Monte Carlo: the confidence interval contains an independently computed exact value, and
demand sampled from forecast quantiles reproduces those quantiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scenarios.simulation import (
    BaseStockPolicy,
    SimulationConfig,
    forecast_sampler,
    monte_carlo,
    quantile_sample,
)


def exact_fill_rate_base_stock_poisson(lam: float, lead_days: int, base_stock: int) -> float:
    """Exact fill rate of a daily-review base-stock policy with backorders, Poisson(lam) daily
    demand and a fixed lead time of L days (order at the end of day t arrives at the start of
    day t + L). At the start of day t + L, after receipts, the net stock is S - Y with Y the
    demand of the L - 1 days in between, Y ~ Poisson((L - 1) lam); the units of day t + L's
    demand D filled from stock are min(D, (S - Y)+). Fill rate = E[min(D, (S - Y)+)] / lam
    (the standard result, e.g. Zipkin, Foundations of Inventory Management, 2000, sec. 6.2;
    here summed exactly over the two Poisson pmfs)."""
    y = np.arange(0, base_stock + 1)
    py = stats.poisson.pmf(y, (lead_days - 1) * lam)
    d = np.arange(0, 200)
    pd_ = stats.poisson.pmf(d, lam)
    expected = sum(py_k * (pd_ * np.minimum(d, base_stock - y_k)).sum() for y_k, py_k in zip(y, py))
    return float(expected / lam)


def test_mc_interval_contains_exact_fill_rate_of_base_stock_with_poisson_demand():
    lam, lead, base = 5.0, 3, 18
    exact = exact_fill_rate_base_stock_poisson(lam, lead, base)
    assert exact == pytest.approx(0.89916, abs=1e-5)   # stock-outs matter here
    setup = pd.DataFrame({"item_id": ["A"], "location_id": ["W"], "unit_cost": [1.0],
                          "lead_time_days": [float(lead)], "initial_on_hand": [float(base)]})
    days = 400

    def poisson_demand(rng, reps):
        return rng.poisson(lam, (reps, 1, days)).astype(float)

    cfg = SimulationConfig(mode="backorder", review_period_days=1, random_lead_times=False,
                           warmup_days=20, seed=2024)
    mc = monte_carlo(setup, poisson_demand, BaseStockPolicy(np.array([float(base)])), cfg, n_reps=60)
    row = mc.summary.set_index("kpi").loc["fill_rate"]
    assert row["ci_low"] <= exact <= row["ci_high"]
    assert row["ci_high"] - row["ci_low"] < 0.01     # and the interval is informative
    # every KPI carries an interval
    assert {"turnover_days", "total_cost", "stockout_days"} <= set(mc.summary["kpi"])
    # deterministic with the seed
    again = monte_carlo(setup, poisson_demand, BaseStockPolicy(np.array([float(base)])), cfg, n_reps=60)
    pd.testing.assert_frame_equal(mc.per_rep, again.per_rep)


def test_quantile_sampling_hits_the_given_quantiles():
    levels = np.array([0.1, 0.5, 0.9])
    values = np.array([[10.0, 20.0, 40.0]])
    u = np.array([[0.1], [0.5], [0.9], [0.3], [0.0], [1.0]])
    out = quantile_sample(levels, values, u)[:, 0]
    # 0.3 is half-way 10 -> 20; the tails extend the nearest slope: 10 - 10*0.1/0.4 = 7.5,
    # 40 + 20*0.1/0.4 = 45
    np.testing.assert_allclose(out, [10, 20, 40, 15, 7.5, 45])
    big = quantile_sample(levels, values, np.random.default_rng(0).random((200_000, 1)))[:, 0]
    np.testing.assert_allclose(np.quantile(big, [0.1, 0.5, 0.9]), [10, 20, 40], rtol=0.01)


def test_forecast_sampler_spreads_weekly_buckets_over_days_and_maps_locations():
    fc = pd.DataFrame({"item_id": ["A", "A", "A"], "location_id": ["S1", "S1", "S2"],
                       "date": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-01"]),
                       "p10": [7.0, 14.0, 70.0], "p50": [7.0, 14.0, 70.0], "p90": [7.0, 14.0, 70.0]})
    setup = pd.DataFrame({"item_id": ["A"], "location_id": ["W1"]})
    dates = pd.date_range("2024-01-01", periods=14)
    sample = forecast_sampler(fc, setup, dates, location_map={"S1": "W1", "S2": "W1"})
    d = sample(np.random.default_rng(0), 2)
    assert d.shape == (2, 1, 14)
    np.testing.assert_allclose(d[0, 0, :7], 1.0 + 10.0)
    np.testing.assert_allclose(d[0, 0, 7:], 2.0)   # S2 has one week: it covers days 0..6
    with pytest.raises(ValueError, match="no forecast for item B at W1"):
        forecast_sampler(fc, pd.DataFrame({"item_id": ["B"], "location_id": ["W1"]}), dates,
                         location_map={"S1": "W1"})
    with pytest.raises(ValueError, match="at least two quantile columns"):
        forecast_sampler(fc[["item_id", "location_id", "date", "p50"]], setup, dates)
