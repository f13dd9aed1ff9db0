"""Optimal (s,S) and (r,Q) policies for Poisson demand, exact.

Symbols and units (one time unit, "period"):

* ``λ`` demand_mean — Poisson demand per period [units/period]
* ``h`` holding_cost [currency/(unit·period)], ``p`` stockout_cost — backorder cost
  [currency/(unit·period)], ``K`` order_cost [currency/order]
* ``L`` lead_time [periods]
* one-period cost at inventory position y: ``G(y) = h·E[(y − D)+] + p·E[(D − y)+]`` with D the
  demand over the lead time (+1 review period for periodic review): the newsvendor cost.

(s,S), periodic review (Zheng & Federgruen, "Finding optimal (s,S) policies is about as simple
as evaluating a single policy", *Operations Research* 39(4):654–665, 1991; Snyder & Shen,
*Fundamentals of Supply Chain Theory* 2nd ed. §4.6, Algorithm 4.2). At the start of each period,
if the inventory position is ``≤ s`` order up to S. Expected cost per period

    c(s,S) = [K + Σ_{j=0}^{S−s−1} m(j)·G(S − j)] / M(S − s)

with the renewal mass ``m(0) = 1/(1 − p₀)``, ``m(j) = m(0)·Σ_{l=1}^{j} p_l·m(j − l)`` and
``M(j) = Σ_{i<j} m(i)``, ``p_l = P(one period's demand = l)``. With lead time L, G uses the
demand over L + 1 periods (Poisson(λ(L+1))).

(r,Q), continuous review (Federgruen & Zheng, "An efficient algorithm for computing an optimal
(r,Q) policy in continuous review stochastic inventory systems", *Operations Research*
40(4):808–813, 1992; Snyder & Shen 2nd ed. §5.5, eq. (5.48)). Order Q when the inventory
position reaches r; the position is uniform on r+1..r+Q and

    g(r,Q) = [K·λ + Σ_{y=r+1}^{r+Q} G(y)] / Q,   D ~ Poisson(λL).

The optimum grows the window of Q consecutive positions from argmin G, adding the cheaper
neighbour each time, and stops when that neighbour costs at least the current average.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache

import numpy as np
from scipy import stats

from optimizer.policies._checks import nonneg, positive


@dataclass(frozen=True)
class SSPolicy:
    """``s`` reorder point, ``S`` order-up-to level [units]; ``cost`` per period."""

    s: int
    S: int
    cost: float

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RQPolicy:
    """``reorder_point`` r and ``order_quantity`` Q [units]; ``cost`` per period."""

    reorder_point: int
    order_quantity: int
    cost: float

    def as_dict(self) -> dict:
        return asdict(self)


class _PoissonCost:
    """G(y) for D ~ Poisson(mu), exact: E[(y−D)+] = Σ_{d<y} (y−d)·P(D=d), E[(D−y)+] = μ − y +
    E[(y−D)+]."""

    def __init__(self, mu: float, h: float, p: float):
        self.mu, self.h, self.p = mu, h, p

        @cache
        def g(y: int) -> float:
            if y <= 0:
                over = 0.0
            else:
                d = np.arange(y)
                over = float(np.sum((y - d) * stats.poisson.pmf(d, mu)))
            under = mu - y + over
            return h * over + p * under

        self.G = g

    def argmin(self) -> int:
        alpha = self.p / (self.p + self.h)
        return int(stats.poisson.ppf(alpha, self.mu)) if self.mu > 0 else 0


def _check(demand_mean, holding_cost, stockout_cost, order_cost, lead_time):
    return (positive("demand_mean", demand_mean), positive("holding_cost", holding_cost),
            positive("stockout_cost", stockout_cost), nonneg("order_cost", order_cost),
            nonneg("lead_time", lead_time))


class _Renewal:
    """m(j) and M(j) of the per-period demand distribution, grown on demand."""

    def __init__(self, lam: float):
        self.lam = lam
        self.p0 = float(stats.poisson.pmf(0, lam))
        self.m = [1.0 / (1.0 - self.p0)]
        self.M = [0.0, self.m[0]]
        self.pmf = stats.poisson.pmf(np.arange(1), lam)

    def grow(self, n: int) -> None:
        if len(self.pmf) < n + 1:
            self.pmf = stats.poisson.pmf(np.arange(max(n + 1, 2 * len(self.pmf))), self.lam)
        while len(self.m) < n:
            j = len(self.m)
            s = float(np.dot(self.pmf[1:j + 1], np.array(self.m[j - 1::-1])))
            self.m.append(self.m[0] * s)
            self.M.append(self.M[-1] + self.m[-1])


def _ss_cost(s: int, S: int, K: float, G, ren: _Renewal) -> float:
    n = S - s
    ren.grow(n)
    total = K + sum(ren.m[j] * G(S - j) for j in range(n))
    return total / ren.M[n]


def ss_poisson_cost(s: int, S: int, demand_mean: float, holding_cost: float, stockout_cost: float,
                    order_cost: float, lead_time: float = 0) -> float:
    """Expected cost per period of the (s,S) policy, Zheng & Federgruen (1991) eq. for c(s,S).

    Snyder & Shen 2nd ed., Example 4.7: λ = 6, h = 1, p = 4, K = 5, (s,S) = (4,10) → 8.0341.

    >>> round(ss_poisson_cost(4, 10, 6, 1, 4, 5), 4)
    8.0341
    """
    lam, h, p, k, lt = _check(demand_mean, holding_cost, stockout_cost, order_cost, lead_time)
    if int(s) != s or int(S) != S or S <= s:
        raise ValueError(f"s and S must be integers with S > s (got s={s}, S={S})")
    cost = _PoissonCost(lam * (lt + 1), h, p)
    return _ss_cost(int(s), int(S), k, cost.G, _Renewal(lam))


def ss_poisson(demand_mean: float, holding_cost: float, stockout_cost: float, order_cost: float,
               lead_time: float = 0) -> SSPolicy:
    """Optimal (s,S) for Poisson demand by the Zheng–Federgruen (1991) algorithm.

    Snyder & Shen 2nd ed., Example 4.7 (λ = 6, h = 1, p = 4, K = 5) → s = 4, S = 10, 8.0341:

    >>> r = ss_poisson(6, 1, 4, 5)
    >>> r.s, r.S, round(r.cost, 4)
    (4, 10, 8.0341)
    """
    lam, h, p, k, lt = _check(demand_mean, holding_cost, stockout_cost, order_cost, lead_time)
    cost = _PoissonCost(lam * (lt + 1), h, p)
    G, ren = cost.G, _Renewal(lam)
    y_star = cost.argmin()
    S0 = y_star
    s = y_star - 1
    while _ss_cost(s, S0, k, G, ren) > G(s):   # find s(S0): first s with c(s,S0) <= G(s)
        s -= 1
    c_hat = _ss_cost(s, S0, k, G, ren)
    S = S0 + 1
    while G(S) <= c_hat:
        c = _ss_cost(s, S, k, G, ren)
        if c < c_hat:
            S0 = S
            while _ss_cost(s, S0, k, G, ren) <= G(s + 1):
                s += 1
            c_hat = _ss_cost(s, S0, k, G, ren)
        S += 1
    return SSPolicy(int(s), int(S0), float(c_hat))


def rq_poisson_cost(reorder_point: int, order_quantity: int, demand_mean: float, lead_time: float,
                    holding_cost: float, stockout_cost: float, order_cost: float) -> float:
    """Expected cost per period ``g(r,Q) = [Kλ + Σ_{y=r+1}^{r+Q} G(y)]/Q``.

    Snyder & Shen 2nd ed., Example 5.8: λ = 1.5, L = 2, h = 20, p = 150, K = 100,
    (r,Q) = (3,5) → 107.9236.

    >>> round(rq_poisson_cost(3, 5, 1.5, 2, 20, 150, 100), 4)
    107.9236
    """
    lam, h, p, k, lt = _check(demand_mean, holding_cost, stockout_cost, order_cost, lead_time)
    if int(order_quantity) != order_quantity or order_quantity < 1 or int(reorder_point) != reorder_point:
        raise ValueError("reorder_point must be an integer and order_quantity a positive integer")
    G = _PoissonCost(lam * lt, h, p).G
    r, q = int(reorder_point), int(order_quantity)
    return (k * lam + sum(G(y) for y in range(r + 1, r + q + 1))) / q


def rq_poisson(demand_mean: float, lead_time: float, holding_cost: float, stockout_cost: float,
               order_cost: float) -> RQPolicy:
    """Optimal (r,Q) for Poisson demand (Federgruen & Zheng 1992).

    Snyder & Shen 2nd ed., Example 5.8 (λ = 1.5, L = 2, h = 20, p = 150, K = 100) →
    r = 3, Q = 5, cost 107.9236:

    >>> r = rq_poisson(1.5, 2, 20, 150, 100)
    >>> r.reorder_point, r.order_quantity, round(r.cost, 4)
    (3, 5, 107.9236)
    """
    lam, h, p, k, lt = _check(demand_mean, holding_cost, stockout_cost, order_cost, lead_time)
    pc = _PoissonCost(lam * lt, h, p)
    G = pc.G
    lo = hi = pc.argmin()
    total = G(lo)
    q = 1
    cost = (k * lam + total) / q
    while True:
        left, right = G(lo - 1), G(hi + 1)
        nxt = min(left, right)
        if nxt >= cost:
            break
        if left < right:
            lo -= 1
        else:
            hi += 1
        total += nxt
        q += 1
        cost = (k * lam + total) / q
    return RQPolicy(int(lo - 1), int(q), float(cost))
