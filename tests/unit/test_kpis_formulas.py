"""Every KPI of scenarios.kpis against a tiny case computed by hand (the arithmetic is in the
comments), plus the bad-input rules."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from scenarios import kpis


def test_turnover_days_is_average_inventory_over_daily_cogs():
    # average inventory value 3,000; COGS 9,000 over 30 days = 300 per day -> 10 days
    assert kpis.inventory_turnover_days(3000.0, 9000.0, 30) == pytest.approx(10.0)
    # no sales: undefined, not zero
    assert math.isnan(kpis.inventory_turnover_days(3000.0, 0.0, 30))
    with pytest.raises(ValueError, match="days must be positive"):
        kpis.inventory_turnover_days(1.0, 1.0, 0)


def test_average_inventory_value_and_working_capital():
    on_hand = [[10, 20, 30], [1, 1, 1]]      # units, two series x three days
    in_transit = [[0, 5, 0], [2, 2, 2]]
    cost = [2.0, 10.0]
    # day values on hand: 2*10+10*1=30, 2*20+10=50, 2*30+10=70 -> mean 50
    assert kpis.average_inventory_value(on_hand, cost) == pytest.approx(50.0)
    # plus transit values: day1 0+20=20, day2 10+20=30, day3 0+20=20 -> mean 23.33; total 73.33
    assert kpis.average_working_capital(on_hand, in_transit, cost) == pytest.approx(50.0 + 70.0 / 3)


def test_slow_moving_rate_default_window_is_90_days():
    # stock values 100 / 200 / 700; last sale 89, 90 and never (inf) days ago
    value = [100.0, 200.0, 700.0]
    since = [89, 90, float("inf")]
    assert kpis.slow_moving_rate(value, since) == pytest.approx(0.9)   # (200+700)/1000
    assert kpis.slow_moving_rate(value, since, n_days=30) == pytest.approx(1.0)
    assert kpis.slow_moving_rate(value, since, n_days=91) == pytest.approx(0.7)
    assert math.isnan(kpis.slow_moving_rate([0.0], [400]))
    with pytest.raises(ValueError, match="n_days"):
        kpis.slow_moving_rate(value, since, n_days=0)


def test_aged_stock_rate_fifo():
    # series A: 100 on hand, 30 received recently -> 70 aged (cost 1); B: 10 on hand, 20 received
    # -> 0 aged (cost 5). aged value 70 / total 100 + 50 = 150
    assert kpis.aged_stock_rate([100, 10], [30, 20], [1.0, 5.0]) == pytest.approx(70 / 150)


def test_fill_rate_cycle_service_stockout_days_lost_sales():
    demand = [[4, 0, 6], [2, 2, 2]]
    filled = [[4, 0, 3], [0, 2, 2]]
    assert kpis.fill_rate(demand, filled) == pytest.approx(11 / 16)
    assert kpis.stockout_days(demand, filled) == 2.0       # (A, day 3) and (B, day 1)
    assert kpis.lost_sales([[0, 0, 3], [2, 0, 0]]) == 5.0
    assert kpis.cycle_service_level([True, False, False, False, False]) == pytest.approx(0.8)
    assert math.isnan(kpis.fill_rate([0, 0], [0, 0]))
    assert math.isnan(kpis.cycle_service_level([]))


def test_costs_split_and_total():
    # holding: 365 units for 2 days at cost 4 and 25 %/year -> 365*2*4*0.25/365 = 2.0
    assert kpis.holding_cost([[365, 365]], [4.0], [0.25]) == pytest.approx(2.0)
    c = kpis.total_cost(purchase=100.0, ordering=20.0, holding=2.0, transport=3.0, shortage=7.5)
    assert c.total == pytest.approx(132.5)
    assert c.as_dict()["shortage"] == 7.5
    with pytest.raises(ValueError, match="cost holding"):
        kpis.total_cost(holding=-1.0)


def test_replenishment_cycle_time_stages():
    lines = pd.DataFrame({
        "need_date": ["2024-01-01", "2024-01-03"],
        "released_date": ["2024-01-02", "2024-01-03"],
        "acknowledged_date": ["2024-01-04", None],
        "received_date": ["2024-01-11", None],
    })
    ct = kpis.replenishment_cycle_time(lines)
    assert ct.need_to_release == pytest.approx(0.5)   # (1 + 0) / 2
    assert ct.release_to_ack == pytest.approx(2.0)    # only line 1
    assert ct.ack_to_receipt == pytest.approx(7.0)
    assert ct.total == pytest.approx(10.0)
    assert ct.lines == 2
    with pytest.raises(ValueError, match="received_date before acknowledged_date"):
        kpis.replenishment_cycle_time(lines.assign(received_date=["2024-01-03", None]))
    with pytest.raises(ValueError, match="lack column"):
        kpis.replenishment_cycle_time(lines.drop(columns="need_date"))


def test_presale_share():
    assert kpis.presale_share(500, 1000) == 0.5
    with pytest.raises(ValueError, match="exceed"):
        kpis.presale_share(5, 4)


def test_docstring_examples():
    import doctest

    result = doctest.testmod(kpis)
    assert result.attempted >= 12 and result.failed == 0
