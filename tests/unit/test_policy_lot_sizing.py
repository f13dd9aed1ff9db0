"""Dynamic lot sizing: Wagner–Whitin and Silver–Meal.

Published value: Snyder & Shen, *Fundamentals of Supply Chain Theory*, 2nd ed., Example 3.9
(d = 90, 120, 80, 70; K = 500; h = 2 → order in periods 1 and 3, cost 1380). The Wagner–Whitin
optimum is checked against an enumeration of every set of order periods; the Silver–Meal rule
(Silver, Pyke & Thomas 4th ed. §6.5.1) is checked against a hand computation.
"""

from __future__ import annotations

import doctest
import itertools

import numpy as np
import pytest

from optimizer.policies import lot_sizing as ls_mod
from optimizer.policies import silver_meal, wagner_whitin


def test_doctests():
    assert doctest.testmod(ls_mod).failed == 0


def _enumerate(d, K, h, c):
    """Cheapest plan over all 2^(T-1) choices of order periods (period 1 always orders)."""
    T = len(d)
    best = (float("inf"), None)
    for mask in itertools.product([0, 1], repeat=T - 1):
        orders = [0] + [t + 1 for t, m in enumerate(mask) if m]
        q = np.zeros(T)
        bounds = orders + [T]
        for a, b in zip(bounds, bounds[1:]):
            q[a] = sum(d[a:b])
        inv, cost = 0.0, 0.0
        for t in range(T):
            inv += q[t] - d[t]
            cost += (K[t] if q[t] > 0 else 0) + c[t] * q[t] + h[t] * inv
        best = min(best, (cost, tuple(q)), key=lambda x: x[0])
    return best


def test_snyder_shen_example_3_9():
    r = wagner_whitin([90, 120, 80, 70], 500, 2)
    assert r.order_quantities == (210, 0, 150, 0)
    assert r.cost == 1380
    assert _enumerate([90, 120, 80, 70], [500] * 4, [2] * 4, [0] * 4) == (1380, (210, 0, 150, 0))


def test_time_varying_costs_against_enumeration():
    rng = np.random.default_rng(3)
    for _ in range(5):
        d = list(rng.integers(0, 100, 8).astype(float))
        K = list(rng.uniform(50, 300, 8))
        h = list(rng.uniform(0.5, 3, 8))
        c = list(rng.uniform(1, 4, 8))
        r = wagner_whitin(d, K, h, c)
        cost, _q = _enumerate(d, K, h, c)
        assert r.cost == pytest.approx(cost)


def test_silver_meal_hand_computed():
    # per-period costs from period 1: 500/1, (500+240)/2 = 370, (500+240+320)/3 = 353.3,
    # (500+240+320+420)/4 = 370 -> cover periods 1-3, then order 70 in period 4
    r = silver_meal([90, 120, 80, 70], 500, 2)
    assert r.order_quantities == (290, 0, 0, 70)
    assert r.cost == 500 + 2 * 120 + 2 * 2 * 80 + 500


def test_bad_input():
    with pytest.raises(ValueError, match=r"demand\[period 2\]"):
        wagner_whitin([10, -5], 100, 1)
    with pytest.raises(ValueError, match="order_cost must be one number or 2"):
        silver_meal([10, 5], [100, 100, 100], 1)
