"""Newsvendor: normal, Poisson and discrete demand; cost and price forms.

Published values: Snyder & Shen, *Fundamentals of Supply Chain Theory*, 2nd ed., Examples
4.1–4.2 (h = 0.18, p = 0.70, D ~ N(50, 8²) → S* = 56.6, g(S*) = 1.998). Every optimum is
re-derived by brute force (numerical integration or enumeration).
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from scipy import integrate, optimize, stats

from optimizer.policies import newsvendor as nv_mod
from optimizer.policies import (
    newsvendor_discrete,
    newsvendor_normal,
    newsvendor_poisson,
    overage_underage_from_prices,
)


def test_doctests():
    assert doctest.testmod(nv_mod).failed == 0


def _normal_cost(S, h, p, mu, sigma):
    over, _ = integrate.quad(lambda x: (S - x) * stats.norm.pdf(x, mu, sigma), mu - 12 * sigma, S)
    under, _ = integrate.quad(lambda x: (x - S) * stats.norm.pdf(x, mu, sigma), S, mu + 12 * sigma)
    return h * over + p * under


def test_snyder_shen_example_4_1_normal():
    r = newsvendor_normal(50, 8, 0.18, 0.70)
    assert round(r.quantity, 1) == 56.6
    assert round(r.expected_cost, 3) == 1.998
    best = optimize.minimize_scalar(lambda S: _normal_cost(S, 0.18, 0.70, 50, 8), bounds=(40, 70),
                                    method="bounded", options={"xatol": 1e-6})
    assert best.x == pytest.approx(r.quantity, abs=1e-3)
    assert _normal_cost(r.quantity, 0.18, 0.70, 50, 8) == pytest.approx(r.expected_cost, rel=1e-7)


def test_poisson_by_enumeration():
    r = newsvendor_poisson(50, 0.18, 0.70)
    d = np.arange(0, 200)
    pmf = stats.poisson.pmf(d, 50)
    costs = [float(np.sum(pmf * (0.18 * np.maximum(S - d, 0) + 0.70 * np.maximum(d - S, 0)))) for S in range(120)]
    assert r.quantity == int(np.argmin(costs)) == 56
    assert r.expected_cost == pytest.approx(min(costs), rel=1e-9)


def test_discrete_empirical():
    values = [3, 7, 7, 8, 12, 15, 15, 20]
    r = newsvendor_discrete(values, None, 2, 5)
    costs = {S: np.mean([2 * max(S - v, 0) + 5 * max(v - S, 0) for v in values]) for S in range(0, 25)}
    assert r.quantity == min(costs, key=costs.get)
    assert r.expected_cost == pytest.approx(min(costs.values()))


def test_price_form_equals_cost_form():
    # r = 1.00, c = 0.30, v = 0.12 -> h = 0.18, p = 0.70: the Example 4.1 costs again
    h, p = overage_underage_from_prices(1.00, 0.30, 0.12)
    assert (h, p) == pytest.approx((0.18, 0.70))
    r = newsvendor_normal(50, 8, price=1.00, unit_cost=0.30, salvage_value=0.12)
    assert round(r.quantity, 1) == 56.6
    # expected profit by integration: r E[min(D,S)] + v E[(S-D)+] - c S
    S = r.quantity
    sales, _ = integrate.quad(lambda x: min(x, S) * stats.norm.pdf(x, 50, 8), 50 - 96, 50 + 96)
    left, _ = integrate.quad(lambda x: (S - x) * stats.norm.pdf(x, 50, 8), 50 - 96, S)
    assert r.expected_profit == pytest.approx(1.00 * sales + 0.12 * left - 0.30 * S, rel=1e-6)


def test_bad_input():
    with pytest.raises(ValueError, match="holding_cost"):
        newsvendor_normal(50, 8, 0, 0.7)
    with pytest.raises(ValueError, match="demand values"):
        newsvendor_discrete([-1, 2], None, 1, 1)
    with pytest.raises(ValueError, match="salvage_value"):
        newsvendor_poisson(5, price=2, unit_cost=1, salvage_value=1.5)
    with pytest.raises(ValueError, match="not both"):
        newsvendor_normal(5, 1, 1, 1, price=2, unit_cost=1)
