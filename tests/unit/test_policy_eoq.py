"""EOQ with and without quantity discounts.

Published values: Snyder & Shen, *Fundamentals of Supply Chain Theory*, 2nd ed., Example 3.1
(K = 8, h = 0.225, λ = 1300 → Q* = 304.05, g* = 68.41); Chopra & Meindl, *Supply Chain
Management*, cycle-inventory chapter, the "Drugs Online" quantity-discount example (all-units:
order 10,000 at $354,520 a year; incremental: order about 16,961). All values are re-derived
here by a brute-force search over the order quantity.
"""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

from optimizer.policies import eoq, eoq_all_units_discount, eoq_incremental_discount

eoq_mod = importlib.import_module("optimizer.policies.eoq")
BPS, PRICES = [0, 5000, 10000], [3.00, 2.96, 2.92]


def test_doctests():
    assert doctest.testmod(eoq_mod).failed == 0


def test_snyder_shen_example_3_1():
    r = eoq(1300, 8, 0.225)
    assert r.order_quantity == pytest.approx(304.0467800264368)
    assert r.cost == pytest.approx(68.41052550594829)
    q = np.linspace(100, 600, 500_001)
    g = 8 * 1300 / q + 0.225 * q / 2
    assert q[g.argmin()] == pytest.approx(r.order_quantity, abs=1e-3)
    assert g.min() == pytest.approx(r.cost, rel=1e-9)


def _all_units_cost(q):
    price = np.select([q >= 10000, q >= 5000], [2.92, 2.96], 3.00)
    return 120000 * 100 / q + 0.2 * price * q / 2 + price * 120000


def _incremental_cost(q):
    value = np.where(q >= 10000, 15000 + 14800 + 2.92 * (q - 10000),
                     np.where(q >= 5000, 15000 + 2.96 * (q - 5000), 3.00 * q))
    return 120000 * 100 / q + 0.2 * value / 2 + 120000 * value / q


def test_chopra_meindl_all_units_discount():
    r = eoq_all_units_discount(120_000, 100, 0.2, BPS, PRICES)
    assert r.order_quantity == 10000
    assert r.cost == pytest.approx(354_520)
    assert r.unit_cost == 2.92
    q = np.arange(1, 40_001, dtype=float)
    assert q[_all_units_cost(q).argmin()] == 10000


def test_chopra_meindl_incremental_discount():
    r = eoq_incremental_discount(120_000, 100, 0.2, BPS, PRICES)
    assert round(r.order_quantity) == 16961
    q = np.arange(1, 40_001, dtype=float)
    costs = _incremental_cost(q)
    assert abs(q[costs.argmin()] - r.order_quantity) < 1
    assert r.cost == pytest.approx(costs.min(), rel=1e-7)


def test_bad_input():
    with pytest.raises(ValueError, match="holding_cost"):
        eoq(100, 10, 0)
    with pytest.raises(ValueError, match="demand_rate"):
        eoq(-1, 10, 1)
    with pytest.raises(ValueError, match="breakpoints"):
        eoq_all_units_discount(100, 10, 0.2, [10, 5], [3, 2])
