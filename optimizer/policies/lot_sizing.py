"""Dynamic lot sizing: Wagner–Whitin (exact) and Silver–Meal (heuristic).

Symbols and units, periods t = 1..T:

* ``d_t`` demand [units], all met on time (no backorders), zero starting stock
* ``K_t`` order_cost — fixed cost of ordering in period t [currency/order]
* ``h_t`` holding_cost — cost of carrying one unit from the end of period t to t+1
  [currency/(unit·period)]
* ``c_t`` unit_cost — purchase price in period t [currency/unit] (default 0)
* ``Q_t`` order quantity [units]; an order placed in t arrives in t (lead time is applied by
  shifting the demand).

Wagner–Whitin (Wagner & Whitin, "Dynamic version of the economic lot size model", *Management
Science* 5 (1958); Snyder & Shen 2nd ed. §3.7; Silver, Pyke & Thomas 4th ed. §6.3): every order
covers whole periods ("zero-inventory ordering"), so with ``θ(i, j)`` the cost of ordering in i
for periods i..j,

    θ(i,j) = K_i + Σ_{t=i}^{j} c_i·d_t + Σ_{t=i}^{j} d_t·Σ_{u=i}^{t−1} h_u,
    f(j) = min_{1≤i≤j} f(i − 1) + θ(i, j),   f(0) = 0,

and f(T) is the optimal cost (an order covering only zero demand is not placed and costs 0).

Silver–Meal (Silver & Meal 1973; Silver, Pyke & Thomas 4th ed. §6.5.1): starting in the first
uncovered period i, extend the order over periods i..i+n−1 while the cost per period covered,
``(K_i + Σ holding)/n``, keeps falling; order there and restart after the covered periods. Unit
costs do not drive the heuristic (they are added to the reported cost).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from optimizer.policies._checks import per_period


@dataclass(frozen=True)
class LotSizingResult:
    """``order_quantities`` one per period [units]; ``cost`` = ordering + holding + purchase."""

    order_quantities: tuple[float, ...]
    cost: float
    method: str

    def as_dict(self) -> dict:
        d = asdict(self)
        d["order_quantities"] = list(self.order_quantities)
        return d


def _inputs(demand, order_cost, holding_cost, unit_cost):
    d = per_period("demand", demand, len(demand) if not isinstance(demand, (int, float)) else 1)
    if not d:
        raise ValueError("demand must have at least one period")
    n = len(d)
    return d, per_period("order_cost", order_cost, n), per_period("holding_cost", holding_cost, n), \
        per_period("unit_cost", unit_cost, n)


def _theta(d, K, h, c, i, j) -> float:
    """Cost of ordering in period i for periods i..j (0-based, inclusive)."""
    qty = sum(d[i:j + 1])
    if qty == 0:
        return 0.0
    carry, hold = 0.0, 0.0
    for t in range(i, j + 1):
        hold += d[t] * carry
        carry += h[t]
    return K[i] + c[i] * qty + hold


def _plan(d, starts) -> tuple[float, ...]:
    q = [0.0] * len(d)
    bounds = list(starts) + [len(d)]
    for a, b in zip(bounds, bounds[1:]):
        q[a] = float(sum(d[a:b]))
    return tuple(q)


def wagner_whitin(demand: Sequence[float], order_cost: float | Sequence[float],
                  holding_cost: float | Sequence[float],
                  unit_cost: float | Sequence[float] = 0.0) -> LotSizingResult:
    """Optimal order plan by the Wagner–Whitin recursion.

    Snyder & Shen 2nd ed., Example 3.9: d = (90, 120, 80, 70), K = 500, h = 2 → order 210 in
    period 1 and 150 in period 3, cost 1380:

    >>> r = wagner_whitin([90, 120, 80, 70], 500, 2)
    >>> r.order_quantities, r.cost
    ((210.0, 0.0, 150.0, 0.0), 1380.0)
    """
    d, K, h, c = _inputs(demand, order_cost, holding_cost, unit_cost)
    n = len(d)
    f = [0.0] + [float("inf")] * n
    arg = [0] * (n + 1)
    for j in range(1, n + 1):
        for i in range(1, j + 1):
            v = f[i - 1] + _theta(d, K, h, c, i - 1, j - 1)
            if v < f[j] - 1e-12:
                f[j], arg[j] = v, i
    starts, j = [], n
    while j > 0:
        starts.append(arg[j] - 1)
        j = arg[j] - 1
    return LotSizingResult(_plan(d, sorted(starts)), float(f[n]), "wagner-whitin")


def silver_meal(demand: Sequence[float], order_cost: float | Sequence[float],
                holding_cost: float | Sequence[float],
                unit_cost: float | Sequence[float] = 0.0) -> LotSizingResult:
    """Silver–Meal heuristic: extend each order while the setup + holding cost per period falls.

    On Snyder & Shen's Example 3.9 data the heuristic covers periods 1–3 (cost per period 500,
    370, 353.3, then 370 for four periods) and then period 4: cost 500 + 560 + 500 = 1560,
    above the Wagner–Whitin optimum 1380:

    >>> r = silver_meal([90, 120, 80, 70], 500, 2)
    >>> r.order_quantities, r.cost
    ((290.0, 0.0, 0.0, 70.0), 1560.0)
    """
    d, K, h, c = _inputs(demand, order_cost, holding_cost, unit_cost)
    n = len(d)
    starts, i = [], 0
    while i < n:
        if d[i] == 0:
            i += 1
            continue
        best_j = i
        best = _theta(d, K, h, [0.0] * n, i, i)
        for j in range(i + 1, n):
            per = _theta(d, K, h, [0.0] * n, i, j) / (j - i + 1)
            if per > best / (best_j - i + 1) - 1e-12:
                break
            best_j, best = j, per * (j - i + 1)
        starts.append(i)
        i = best_j + 1
    bounds = starts + [n]
    cost = sum(_theta(d, K, h, c, a, b - 1) for a, b in zip(bounds, bounds[1:]))
    return LotSizingResult(_plan(d, starts), float(cost), "silver-meal")
