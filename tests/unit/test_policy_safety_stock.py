"""Safety stock, reorder point, fill rate and quantile order-up-to levels.

Published values: Chopra & Meindl, *Supply Chain Management: Strategy, Planning, and
Operation*, chapter "Managing Uncertainty in a Supply Chain: Safety Inventory" (the Lego at
Wal-Mart examples and the Dell random-lead-time example; chapter 12 in the 6th ed.; example
numbers differ between editions). Each value is also recomputed independently here.
"""

from __future__ import annotations

import doctest
import math

import pytest
from scipy import integrate, stats

from optimizer.policies import (
    normal_loss,
    order_up_to_from_quantiles,
    safety_stock_cycle_service,
    safety_stock_fill_rate,
)
from optimizer.policies import safety_stock as ss_mod


def test_doctests():
    assert doctest.testmod(ss_mod).failed == 0


def test_chopra_meindl_lego_cycle_service_level():
    # weekly demand N(2500, 500^2), L = 2 weeks, CSL = 0.90 -> ss = 906, ROP = 5906
    r = safety_stock_cycle_service(2500, 500, 2, 0.90)
    assert round(r.safety_stock) == 906
    assert round(r.reorder_point) == 5906
    assert r.protection_std == pytest.approx(500 * math.sqrt(2))
    assert r.safety_stock == pytest.approx(stats.norm.ppf(0.9) * 500 * math.sqrt(2))


def test_chopra_meindl_dell_random_lead_time():
    # daily demand N(2500, 500^2), lead time 7 +- 7 days, CSL 0.90 -> sigma_L = 17,550, ss = 22,491
    r = safety_stock_cycle_service(2500, 500, 7, 0.90, lead_time_std=7)
    assert round(r.protection_std) == 17550
    assert round(r.safety_stock) == 22491


def test_chopra_meindl_lego_fill_rate():
    # Q = 10,000, fill rate 0.975 -> ESC = 250 -> ss = 67
    r = safety_stock_fill_rate(2500, 500, 2, 0.975, 10_000)
    assert round(r.safety_stock) == 67
    # independent check: expected shortage per cycle by numerical integration of the normal
    sigma = 500 * math.sqrt(2)
    rop = r.reorder_point
    esc, _ = integrate.quad(lambda x: (x - rop) * stats.norm.pdf(x, 5000, sigma), rop, 5000 + 12 * sigma)
    assert esc == pytest.approx(250, rel=1e-6)
    assert r.order_up_to == pytest.approx(rop + 10_000)


def test_normal_loss_matches_integral():
    for z in (-1.5, 0.0, 0.7, 2.0):
        val, _ = integrate.quad(lambda x: (x - z) * stats.norm.pdf(x), z, 12)
        assert normal_loss(z) == pytest.approx(val, abs=1e-9)


def test_review_period_extends_protection_interval():
    # periodic review: protection over L + R = 3 weeks (Silver, Pyke & Thomas 4th ed. §6.7)
    r = safety_stock_cycle_service(100, 20, 2, 0.95, review_period=1)
    assert r.protection_mean == 300
    assert r.protection_std == pytest.approx(20 * math.sqrt(3))
    assert r.order_up_to == pytest.approx(300 + stats.norm.ppf(0.95) * 20 * math.sqrt(3))


def test_order_up_to_from_quantiles_fractional_interval():
    z9 = stats.norm.ppf(0.9)
    means, sig = [100, 200, 300], [10, 20, 30]
    p10 = [m - z9 * s for m, s in zip(means, sig)]
    p90 = [m + z9 * s for m, s in zip(means, sig)]
    r = order_up_to_from_quantiles(means, p10, p90, 1.5, 0.9, review_periods=1)  # 2.5 periods
    assert r.protection_mean == pytest.approx(100 + 200 + 0.5 * 300)
    assert r.protection_std == pytest.approx(math.sqrt(100 + 400 + 0.5 * 900))
    assert r.order_up_to == pytest.approx(r.protection_mean + z9 * r.protection_std)


@pytest.mark.parametrize("kwargs, msg", [
    (dict(demand_mean=-1, demand_std=1, lead_time=1, cycle_service_level=0.9), "demand_mean"),
    (dict(demand_mean=1, demand_std=1, lead_time=-2, cycle_service_level=0.9), "lead_time"),
    (dict(demand_mean=1, demand_std=1, lead_time=1, cycle_service_level=1.0), "cycle_service_level"),
])
def test_bad_input_names_the_parameter(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        safety_stock_cycle_service(**kwargs)


def test_bad_quantiles():
    with pytest.raises(ValueError, match="needs 3"):
        order_up_to_from_quantiles([1, 1], [0, 0], [2, 2], 2, 0.9, review_periods=1)
    with pytest.raises(ValueError, match="p90"):
        order_up_to_from_quantiles([1], [2], [1], 1, 0.9)
