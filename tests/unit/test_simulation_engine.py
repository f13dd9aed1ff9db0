"""The day-by-day simulation: hand-traced cases, conservation, modes, terms, closures, seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scenarios.simulation import (
    BaseStockPolicy,
    MinMaxPolicy,
    PlanPolicy,
    SimulationConfig,
    apply_terms,
    simulate,
    summarize,
)


def _setup(n=1, **kw):
    base = {"item_id": [f"I{i}" for i in range(n)], "location_id": ["W1"] * n,
            "unit_cost": [2.0] * n, "price": [3.0] * n, "lead_time_days": [2.0] * n,
            "initial_on_hand": [5.0] * n}
    base.update({k: v if isinstance(v, list) else [v] * n for k, v in kw.items()})
    return pd.DataFrame(base)


def _plan(orders):
    return PlanPolicy(np.atleast_2d(np.asarray(orders, float)))


def test_hand_traced_lost_sales_and_backorder():
    # on hand 5, demand 3,4,2,1; 10 units ordered on day 0 arrive (lead time 2) on day 2
    demand = np.array([[3.0, 4.0, 2.0, 1.0]])
    cfg = dict(review_period_days=1, random_lead_times=False)
    lost = simulate(_setup(), demand, _plan([10, 0, 0, 0]), SimulationConfig(mode="lost_sales", **cfg))
    assert lost.filled.tolist() == [[3, 2, 2, 1]]
    assert lost.lost.tolist() == [[0, 2, 0, 0]]
    assert lost.on_hand.tolist() == [[2, 0, 8, 7]]
    assert lost.received.tolist() == [[0, 0, 10, 0]]
    back = simulate(_setup(), demand, _plan([10, 0, 0, 0]), SimulationConfig(mode="backorder", **cfg))
    assert back.filled.tolist() == [[3, 2, 2, 1]]
    assert back.backlog.tolist() == [[0, 2, 0, 0]]
    assert back.shipped.tolist() == [[3, 2, 4, 1]]   # the backlog of 2 ships on day 2
    assert back.on_hand.tolist() == [[2, 0, 6, 5]]
    assert back.lost.sum() == 0


def _random_instance(seed, mode):
    rng = np.random.default_rng(seed)
    n, days = 6, 120
    setup = _setup(n, lead_time_days=list(rng.integers(1, 9, n).astype(float)),
                   lead_time_std_days=list(rng.uniform(0, 3, n)), size_minimum=10.0,
                   size_multiple=4.0, initial_on_hand=list(rng.uniform(0, 50, n)))
    demand = rng.poisson(rng.uniform(1, 8, (n, 1)), (n, days)).astype(float)
    demand[:, -40:] = 0.0   # a quiet tail: every order placed has arrived by the end
    cfg = SimulationConfig(mode=mode, review_period_days=3, random_lead_times=True,
                           short_ship_probability=0.3, seed=seed)
    policy = BaseStockPolicy(rng.uniform(10, 60, n))
    return setup, demand, simulate(setup, demand, policy, cfg)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_conservation_of_units(seed):
    setup, demand, r = _random_instance(seed, "lost_sales")
    start = setup["initial_on_hand"].to_numpy()
    # start + receipts - (demand - lost) = end, per series
    np.testing.assert_allclose(start + r.received.sum(1) - (demand.sum(1) - r.lost.sum(1)), r.on_hand[:, -1])
    np.testing.assert_allclose(r.filled, demand - r.lost)
    setup, demand, b = _random_instance(seed, "backorder")
    # net stock: start + receipts - demand = on_hand - backlog at the end
    np.testing.assert_allclose(start + b.received.sum(1) - demand.sum(1), b.on_hand[:, -1] - b.backlog[:, -1])
    assert (b.on_hand >= -1e-9).all() and (b.backlog >= -1e-9).all()
    # never both stock and backlog at the end of a day
    assert not ((b.on_hand > 1e-9) & (b.backlog > 1e-9)).any()
    # everything ordered was received or short-shipped (cancelled); nothing left on order
    assert b.short_shipped_units.sum() > 0
    np.testing.assert_allclose(b.on_order[:, -1], 0.0)
    np.testing.assert_allclose(b.ordered.sum(1), b.received.sum(1) + b.short_shipped_units)


def test_backorders_keep_demand_lost_sales_drop_it():
    setup, demand, lost = _random_instance(5, "lost_sales")
    _, _, back = _random_instance(5, "backorder")
    assert lost.lost.sum() > 0 and back.lost.sum() == 0
    assert back.backlog.max() > 0 and lost.backlog.max() == 0


def test_same_seed_same_trace_other_seed_differs():
    _, _, a = _random_instance(11, "lost_sales")
    _, _, b = _random_instance(11, "lost_sales")
    np.testing.assert_array_equal(a.on_hand, b.on_hand)
    np.testing.assert_array_equal(a.received, b.received)
    setup, demand, _ = _random_instance(11, "lost_sales")
    c = simulate(setup, demand, BaseStockPolicy(np.full(6, 40.0)),
                 SimulationConfig(review_period_days=3, short_ship_probability=0.3, seed=12))
    d = simulate(setup, demand, BaseStockPolicy(np.full(6, 40.0)),
                 SimulationConfig(review_period_days=3, short_ship_probability=0.3, seed=13))
    assert not np.array_equal(c.received, d.received)


def test_review_cycle_orders_only_on_review_days():
    demand = np.full((1, 30), 2.0)
    r = simulate(_setup(initial_on_hand=0.0), demand, BaseStockPolicy(np.array([20.0])),
                 SimulationConfig(review_period_days=7, review_offset_days=6, random_lead_times=False))
    assert np.flatnonzero(r.ordered[0]).tolist() == [6, 13, 20, 27]


def test_moq_and_case_pack_rounding():
    np.testing.assert_array_equal(apply_terms(np.array([0.0, 3.0, 25.0, 24.0]), np.full(4, 10.0), np.full(4, 6.0)),
                                  [0.0, 12.0, 30.0, 24.0])
    r = simulate(_setup(initial_on_hand=0.0, size_minimum=10.0, size_multiple=6.0),
                 np.zeros((1, 3)), BaseStockPolicy(np.array([3.0])),
                 SimulationConfig(review_period_days=1, random_lead_times=False))
    assert r.ordered[0, 0] == 12.0   # want 3 -> MOQ 10 -> two cases of 6


def test_short_shipment_received_on_arrival():
    r = simulate(_setup(initial_on_hand=0.0), np.zeros((1, 5)), _plan([10, 0, 0, 0, 0]),
                 SimulationConfig(review_period_days=1, random_lead_times=False,
                                  short_ship_probability=1.0, short_ship_fill=(0.55, 0.55)))
    assert r.received[0, 2] == 5.0          # floor(10 * 0.55)
    assert r.on_order[0, 1] == 10.0 and r.on_order[0, 2] == 0.0
    assert r.short_shipped_units[0] == 5.0


def test_closed_location_neither_ships_nor_receives():
    closed = np.array([[False, False, True, True, False]])
    r = simulate(_setup(initial_on_hand=4.0), np.array([[1.0, 1.0, 1.0, 1.0, 1.0]]),
                 _plan([6, 0, 0, 0, 0]), SimulationConfig(review_period_days=1, random_lead_times=False),
                 closed=closed)
    assert r.filled.tolist() == [[1, 1, 0, 0, 1]]
    assert r.received.tolist() == [[0, 0, 0, 0, 6]]   # due day 2, waits for day 4


def test_min_max_orders_up_to_max_when_at_or_below_min():
    demand = np.array([[3.0, 3.0, 3.0, 3.0]])
    r = simulate(_setup(initial_on_hand=10.0, lead_time_days=10.0), demand,
                 MinMaxPolicy(np.array([5.0]), np.array([20.0])),
                 SimulationConfig(review_period_days=1, random_lead_times=False))
    # end of day 0: IP 7 > 5 none; day 1: IP 4 <= 5 -> order 16; later IP 17, 14 > 5
    assert r.ordered.tolist() == [[0, 16, 0, 0]]


def test_plan_lines_mapped_to_days_and_bad_lines_rejected():
    setup = _setup(2)
    dates = pd.date_range("2024-03-01", periods=4)
    lines = pd.DataFrame({"item_id": ["I1"], "location_id": ["W1"], "order_date": ["2024-03-02"], "qty": [7.0]})
    p = PlanPolicy.from_lines(lines, setup, dates)
    assert p.orders.tolist() == [[0, 0, 0, 0], [0, 7, 0, 0]]
    with pytest.raises(ValueError, match="item I9 at W1: not a simulated item-location"):
        PlanPolicy.from_lines(lines.assign(item_id="I9"), setup, dates)
    with pytest.raises(ValueError, match="outside the simulated days"):
        PlanPolicy.from_lines(lines.assign(order_date="2025-01-01"), setup, dates)


def test_bad_setup_and_config_named():
    with pytest.raises(ValueError, match="lead_time_days must be a number >= 0 .item I0 at W1"):
        simulate(_setup(lead_time_days=-1.0), np.zeros((1, 3)), BaseStockPolicy(np.zeros(1)))
    with pytest.raises(ValueError, match="size_multiple must be >= 1"):
        simulate(_setup(size_multiple=0.0), np.zeros((1, 3)), BaseStockPolicy(np.zeros(1)))
    with pytest.raises(ValueError, match="demand must be finite and >= 0"):
        simulate(_setup(), np.array([[1.0, -1.0]]), BaseStockPolicy(np.zeros(1)))
    with pytest.raises(ValueError, match="mode"):
        SimulationConfig(mode="magic")
    with pytest.raises(ValueError, match="review_period_days"):
        SimulationConfig(review_period_days=0)


def test_summary_kpis_of_hand_case():
    demand = np.array([[3.0, 4.0, 2.0, 1.0]])
    r = simulate(_setup(order_cost=50.0, holding_rate_per_year=0.365 * 100), demand, _plan([10, 0, 0, 0]),
                 SimulationConfig(review_period_days=1, random_lead_times=False))
    k = summarize(r)
    assert k["fill_rate"] == pytest.approx(8 / 10)
    assert k["lost_sales_units"] == 2.0
    assert k["stockout_days"] == 1.0
    # inventory value: on hand 2,0,8,7 x cost 2 -> mean 8.5; COGS 8 units x 2 = 16 over 4 days
    assert k["avg_inventory_value"] == pytest.approx(8.5)
    assert k["turnover_days"] == pytest.approx(8.5 / (16 / 4))
    assert k["cost_purchase"] == pytest.approx(20.0)
    assert k["cost_ordering"] == pytest.approx(50.0)
    assert k["cost_shortage"] == pytest.approx(2.0)      # 2 lost x margin (3 - 2)
    # holding: sum(on hand) 17 x cost 2 x rate 36.5/365 = 3.4
    assert k["cost_holding"] == pytest.approx(3.4)
    assert k["cycle_time_days"] == pytest.approx(2.0)


def test_presale_share_from_the_presold_fraction_of_each_series():
    demand = np.array([[10.0, 10.0], [30.0, 30.0]])
    setup = _setup(2, presale_fraction=[0.5, 0.0])
    r = simulate(setup, demand, BaseStockPolicy(np.zeros(2)), SimulationConfig(review_period_days=1))
    # presold: 0.5 x 20 = 10 of 80 units
    assert summarize(r)["presale_share"] == pytest.approx(10 / 80)
