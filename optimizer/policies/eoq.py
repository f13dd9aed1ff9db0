"""Economic order quantity (EOQ), plain and with quantity discounts.

Symbols and units (one time unit throughout, "period"):

* ``D`` demand_rate [units/period], ``K`` order_cost [currency/order]
* ``h`` holding_cost [currency/(unit·period)]; with discounts the holding cost is a share of the
  unit price, ``h_i = r·c_i`` with ``r`` holding_rate [1/period] and ``c_i`` the unit cost of
  price bracket i [currency/unit]
* ``Q`` order quantity [units]

Plain EOQ (Harris 1913; Snyder & Shen, *Fundamentals of Supply Chain Theory* 2nd ed., eqs.
(3.4)–(3.5)): ``Q* = sqrt(2KD/h)``, cost per period ``g* = sqrt(2KDh)`` (ordering + holding).

All-units discount (Chopra & Meindl, *Supply Chain Management*, chapter on cycle inventory,
"lot sizing with quantity discounts"; Silver, Pyke & Thomas 4th ed. §5.5): the price of every
unit is ``c_i`` when ``b_i ≤ Q < b_{i+1}``. For each bracket take ``Q_i = sqrt(2KD/(r c_i))``
clamped up to ``b_i`` (a bracket whose EOQ lies above ``b_{i+1}`` is dominated by the next one),
evaluate ``TC(Q) = KD/Q + r c_i Q/2 + c_i D`` and keep the cheapest.

Incremental discount (same sources): units in ``[b_i, b_{i+1})`` cost ``c_i``. With
``V_i = Σ_{j<i} c_j (b_{j+1} − b_j)`` the cost of buying ``b_i`` units,
``TC_i(Q) = KD/Q + r (V_i + c_i (Q − b_i))/2 + D (V_i + c_i (Q − b_i))/Q``, which is convex in
Q with minimiser ``sqrt(2D(K + V_i − c_i b_i)/(r c_i))``, clamped into the bracket. The costs
returned include purchasing, ``cost = ordering + holding + purchase`` per period.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from optimizer.policies._checks import nonneg, positive


@dataclass(frozen=True)
class EoqResult:
    """``order_quantity`` [units]; ``cost`` per period [currency/period] — ordering + holding
    for plain EOQ, ordering + holding + purchase with discounts; ``unit_cost`` the (average)
    price paid per unit at that quantity (``None`` for plain EOQ)."""

    order_quantity: float
    cost: float
    unit_cost: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def eoq(demand_rate: float, order_cost: float, holding_cost: float) -> EoqResult:
    """``Q* = sqrt(2KD/h)``, ``g* = sqrt(2KDh)``.

    Snyder & Shen 2nd ed., Example 3.1: K = 8, h = 0.225, λ = 1300 → Q* = 304.05, g* = 68.41.

    >>> r = eoq(1300, 8, 0.225)
    >>> round(r.order_quantity, 2), round(r.cost, 2)
    (304.05, 68.41)
    """
    d = nonneg("demand_rate", demand_rate)
    k = nonneg("order_cost", order_cost)
    h = positive("holding_cost", holding_cost)
    return EoqResult(math.sqrt(2 * k * d / h), math.sqrt(2 * k * d * h))


def _brackets(breakpoints: Sequence[float], unit_costs: Sequence[float]):
    if len(breakpoints) != len(unit_costs) or not breakpoints:
        raise ValueError("breakpoints and unit_costs must be non-empty and of equal length")
    bps = [nonneg(f"breakpoints[{i}]", b) for i, b in enumerate(breakpoints)]
    costs = [positive(f"unit_costs[{i}]", c) for i, c in enumerate(unit_costs)]
    if bps[0] != 0:
        raise ValueError("breakpoints[0] must be 0 (the first price applies from the first unit)")
    if any(b2 <= b1 for b1, b2 in zip(bps, bps[1:])):
        raise ValueError("breakpoints must be strictly increasing")
    return bps, costs


def eoq_all_units_discount(demand_rate: float, order_cost: float, holding_rate: float,
                           breakpoints: Sequence[float], unit_costs: Sequence[float]) -> EoqResult:
    """EOQ when the bracket price applies to every unit of the order.

    Chopra & Meindl, cycle-inventory chapter, the Drugs Online example: D = 120,000 bottles a
    year, K = $100, r = 0.2, $3.00 below 5,000, $2.96 from 5,000, $2.92 from 10,000 →
    order 10,000 at a total annual cost of $354,520.

    >>> r = eoq_all_units_discount(120_000, 100, 0.2, [0, 5000, 10000], [3.00, 2.96, 2.92])
    >>> r.order_quantity, round(r.cost, 2)
    (10000.0, 354520.0)
    """
    d = nonneg("demand_rate", demand_rate)
    k = nonneg("order_cost", order_cost)
    r = positive("holding_rate", holding_rate)
    bps, costs = _brackets(breakpoints, unit_costs)
    best: EoqResult | None = None
    for i, c in enumerate(costs):
        upper = bps[i + 1] if i + 1 < len(bps) else math.inf
        q = max(math.sqrt(2 * k * d / (r * c)), bps[i])
        if q >= upper:
            continue  # the next, cheaper bracket dominates
        if q <= 0:
            continue
        tc = k * d / q + r * c * q / 2 + c * d
        if best is None or tc < best.cost - 1e-12:
            best = EoqResult(q, tc, c)
    if best is None:
        raise ValueError("no feasible order quantity (demand_rate and order_cost both 0?)")
    return best


def eoq_incremental_discount(demand_rate: float, order_cost: float, holding_rate: float,
                             breakpoints: Sequence[float], unit_costs: Sequence[float]) -> EoqResult:
    """EOQ when each bracket price applies only to the units inside that bracket.

    Chopra & Meindl, cycle-inventory chapter, Drugs Online with incremental discounts (same
    data as above) → order about 16,961 bottles:

    >>> r = eoq_incremental_discount(120_000, 100, 0.2, [0, 5000, 10000], [3.00, 2.96, 2.92])
    >>> round(r.order_quantity), round(r.cost)
    (16961, 360365)
    """
    d = nonneg("demand_rate", demand_rate)
    k = nonneg("order_cost", order_cost)
    r = positive("holding_rate", holding_rate)
    bps, costs = _brackets(breakpoints, unit_costs)
    best: EoqResult | None = None
    v = 0.0  # cost of buying b_i units
    for i, c in enumerate(costs):
        lo = bps[i]
        hi = bps[i + 1] if i + 1 < len(bps) else math.inf
        fixed = k + v - c * lo  # >= k since prices fall
        q = math.sqrt(2 * d * fixed / (r * c)) if d > 0 else lo
        q = min(max(q, lo), hi)
        if q > 0 and math.isfinite(q):
            value = v + c * (q - lo)
            tc = k * d / q + r * value / 2 + d * value / q
            if best is None or tc < best.cost - 1e-12:
                best = EoqResult(q, tc, value / q)
        if math.isfinite(hi):
            v += c * (hi - lo)
    if best is None:
        raise ValueError("no feasible order quantity (demand_rate and order_cost both 0?)")
    return best
