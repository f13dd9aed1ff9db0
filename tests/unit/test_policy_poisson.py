"""Optimal (s,S) and (r,Q) policies for Poisson demand.

Published values: Snyder & Shen, *Fundamentals of Supply Chain Theory*, 2nd ed., Example 4.7
((s,S) with λ = 6, h = 1, p = 4, K = 5 → s = 4, S = 10, cost 8.0341) and Example 5.8 ((r,Q) with
λ = 1.5, L = 2, h = 20, p = 150, K = 100 → r = 3, Q = 5, cost 107.9236); Zheng & Federgruen,
*Operations Research* 39(4) 1991, test problem with λ = 10, K = 64, h = 1, p = 9, L = 0 →
s = 6, S = 40, cost 35.02. Every optimum is checked by an independent brute force: the (s,S)
cost from the stationary distribution of a Markov chain over the inventory position, the (r,Q)
cost over a full grid.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from scipy import stats

from optimizer.policies import poisson as poisson_mod
from optimizer.policies import rq_poisson, rq_poisson_cost, ss_poisson, ss_poisson_cost


def test_doctests():
    assert doctest.testmod(poisson_mod).failed == 0


def _G(y, mu, h, p):
    d = np.arange(0, int(mu + 20 * np.sqrt(mu) + 50))
    pmf = stats.poisson.pmf(d, mu)
    return float(np.sum(pmf * (h * np.maximum(y - d, 0) + p * np.maximum(d - y, 0))))


def _markov_ss_cost(s, S, lam, h, p, K):
    """Stationary cost of (s,S): start-of-period position y in s+1..S after ordering."""
    states = np.arange(s + 1, S + 1)
    n = len(states)
    P = np.zeros((n, n))
    order_prob = np.zeros(n)
    for i, y in enumerate(states):
        for j, y2 in enumerate(states):
            P[i, j] += stats.poisson.pmf(y - y2, lam) if y2 <= y else 0.0
        below = stats.poisson.sf(y - s - 1, lam)  # P(y - D <= s) = P(D >= y - s)
        P[i, n - 1] += below
        order_prob[i] = below
    A = np.vstack([P.T - np.eye(n), np.ones(n)])
    b = np.zeros(n + 1)
    b[-1] = 1
    pi = np.linalg.lstsq(A, b, rcond=None)[0]
    Gs = np.array([_G(y, lam, h, p) for y in states])
    return float(pi @ Gs + K * (pi @ order_prob))


def test_snyder_shen_example_4_7():
    r = ss_poisson(6, 1, 4, 5)
    assert (r.s, r.S) == (4, 10)
    assert round(r.cost, 4) == 8.0341
    assert _markov_ss_cost(4, 10, 6, 1, 4, 5) == pytest.approx(r.cost, rel=1e-9)
    best = min((_markov_ss_cost(s, S, 6, 1, 4, 5), s, S) for s in range(-2, 9) for S in range(s + 1, 22))
    assert (best[1], best[2]) == (4, 10)


def test_zheng_federgruen_lambda_10():
    r = ss_poisson(10, 1, 9, 64)
    assert (r.s, r.S) == (6, 40)
    assert round(r.cost, 2) == 35.02
    assert _markov_ss_cost(6, 40, 10, 1, 9, 64) == pytest.approx(r.cost, rel=1e-8)
    # neighbourhood brute force (the formula of ss_poisson_cost is not used)
    grid = [(_markov_ss_cost(s, S, 10, 1, 9, 64), s, S) for s in range(3, 10) for S in range(34, 47)]
    assert min(grid)[1:] == (6, 40)


def test_ss_cost_formula_matches_markov_chain():
    for s, S in ((2, 8), (4, 10), (0, 15)):
        assert ss_poisson_cost(s, S, 6, 1, 4, 5) == pytest.approx(_markov_ss_cost(s, S, 6, 1, 4, 5), rel=1e-9)


def test_snyder_shen_example_5_8_rq():
    r = rq_poisson(1.5, 2, 20, 150, 100)
    assert (r.reorder_point, r.order_quantity) == (3, 5)
    assert round(r.cost, 4) == 107.9236
    mu = 1.5 * 2
    G = {y: _G(y, mu, 20, 150) for y in range(-20, 60)}
    grid = {(rr, q): (100 * 1.5 + sum(G[y] for y in range(rr + 1, rr + q + 1))) / q
            for rr in range(-10, 20) for q in range(1, 30)}
    assert min(grid, key=grid.get) == (3, 5)
    assert rq_poisson_cost(3, 5, 1.5, 2, 20, 150, 100) == pytest.approx(min(grid.values()), rel=1e-9)


def test_bad_input():
    with pytest.raises(ValueError, match="demand_mean"):
        ss_poisson(-1, 1, 4, 5)
    with pytest.raises(ValueError, match="lead_time"):
        rq_poisson(1.5, -2, 20, 150, 100)
    with pytest.raises(ValueError, match="S > s"):
        ss_poisson_cost(5, 5, 6, 1, 4, 5)
