"""Safety stock, reorder point and order-up-to level.

Symbols and units (any time unit, used consistently — "period"):

* ``D`` demand_mean — mean demand per period [units/period]
* ``σ_D`` demand_std — standard deviation of demand per period [units/period]
* ``L`` lead_time — mean replenishment lead time [periods]; ``σ_L`` lead_time_std [periods]
* ``R`` review_period — time between reviews [periods]; 0 = continuous review
* protection interval ``P = L + R``: the stock on hand after ordering must cover demand until
  the *next* order can arrive (Silver, Pyke & Thomas 4th ed. §6.7; Chopra & Meindl ch.
  "Managing uncertainty: safety inventory", periodic review).

Demand over the protection interval is taken as normal with

    μ_P = D·P,        σ_P = sqrt(P·σ_D² + D²·σ_L²)

(the random-lead-time formula of Chopra & Meindl, safety-inventory chapter, and Silver, Pyke &
Thomas eq. for σ of lead-time demand with a random lead time; demand per period and the lead time
are independent). Then

* safety stock ``ss = z·σ_P`` [units]
* reorder point ``r = μ_P + ss`` [units]: order when the inventory position is at or below r
  (with R = 0 the classic ``ROP = D·L + ss``)
* order-up-to level ``S = r`` for a base-stock / (R,S) policy, ``S = r + Q`` when an order
  quantity Q is given.

Cycle service level (CSL, probability of no stock-out in a cycle): ``z = Φ⁻¹(CSL)``.
Fill rate (share of demand met from stock): the expected shortage per cycle is
``ESC = σ_P·G(z)`` with the standard normal loss function ``G(z) = φ(z) − z·(1 − Φ(z))``
and must equal ``(1 − fill_rate)·Q`` (Chopra & Meindl, eq. for ESC and fill rate; Silver, Pyke
& Thomas 4th ed. §6.7.4, "P2" service measure). z is found by root finding.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from scipy import optimize, stats

from optimizer.policies._checks import finite, nonneg, positive, probability

Z_90 = float(stats.norm.ppf(0.9))


@dataclass(frozen=True)
class SafetyStockResult:
    """Safety stock and the levels built on it, all in units."""

    safety_stock: float
    reorder_point: float
    order_up_to: float
    z: float                 # safety factor
    protection_mean: float   # μ_P, mean demand over L + R
    protection_std: float    # σ_P, its standard deviation

    def as_dict(self) -> dict:
        return asdict(self)


def normal_loss(z: float) -> float:
    """Standard normal loss function ``G(z) = E[(Z − z)+] = φ(z) − z·(1 − Φ(z))``.

    >>> round(normal_loss(0.0), 4)
    0.3989
    """
    return float(stats.norm.pdf(z) - z * stats.norm.sf(z))


def _protection(demand_mean, demand_std, lead_time, lead_time_std, review_period):
    d = nonneg("demand_mean", demand_mean)
    s = nonneg("demand_std", demand_std)
    lt = nonneg("lead_time", lead_time)
    slt = nonneg("lead_time_std", lead_time_std)
    r = nonneg("review_period", review_period)
    p = lt + r
    return d * p, math.sqrt(p * s * s + d * d * slt * slt)


def _result(mu, sigma, z, order_quantity):
    ss = z * sigma
    rop = mu + ss
    q = 0.0 if order_quantity is None else positive("order_quantity", order_quantity)
    return SafetyStockResult(safety_stock=ss, reorder_point=rop, order_up_to=rop + q, z=z,
                             protection_mean=mu, protection_std=sigma)


def safety_stock_cycle_service(demand_mean: float, demand_std: float, lead_time: float,
                               cycle_service_level: float, *, lead_time_std: float = 0.0,
                               review_period: float = 0.0,
                               order_quantity: float | None = None) -> SafetyStockResult:
    """Safety stock for a cycle service level: ``ss = Φ⁻¹(CSL)·sqrt((L+R)σ_D² + D²σ_L²)``.

    Chopra & Meindl (Supply Chain Management, safety-inventory chapter), the Lego/Wal-Mart
    example: weekly demand N(2500, 500²), lead time 2 weeks, CSL 0.90 → ss ≈ 906 boxes,
    ROP = 5000 + 906:

    >>> r = safety_stock_cycle_service(2500, 500, 2, 0.90)
    >>> round(r.safety_stock), round(r.reorder_point)
    (906, 5906)

    Same book, the Dell example with a random lead time: daily demand N(2500, 500²), lead time
    7 days with standard deviation 7 days, CSL 0.90 → σ_L = 17,550, ss ≈ 22,491:

    >>> round(safety_stock_cycle_service(2500, 500, 7, 0.90, lead_time_std=7).safety_stock)
    22491
    """
    mu, sigma = _protection(demand_mean, demand_std, lead_time, lead_time_std, review_period)
    z = float(stats.norm.ppf(probability("cycle_service_level", cycle_service_level)))
    return _result(mu, sigma, z, order_quantity)


def safety_stock_fill_rate(demand_mean: float, demand_std: float, lead_time: float,
                           fill_rate: float, order_quantity: float, *, lead_time_std: float = 0.0,
                           review_period: float = 0.0) -> SafetyStockResult:
    """Safety stock for a fill rate: solve ``σ_P·G(ss/σ_P) = (1 − fill_rate)·Q`` for ss.

    Chopra & Meindl, safety-inventory chapter, the Lego example with a fill rate: weekly demand
    N(2500, 500²), lead time 2 weeks, Q = 10,000, fill rate 0.975 → ESC = 250, ss ≈ 67 boxes:

    >>> round(safety_stock_fill_rate(2500, 500, 2, 0.975, 10_000).safety_stock)
    67
    """
    mu, sigma = _protection(demand_mean, demand_std, lead_time, lead_time_std, review_period)
    fr = probability("fill_rate", fill_rate)
    q = positive("order_quantity", order_quantity)
    if sigma == 0:
        return _result(mu, 0.0, 0.0, q)
    target = (1.0 - fr) * q / sigma  # G(z) must equal this
    # G is strictly decreasing from +inf (z -> -inf) to 0 (z -> +inf)
    lo, hi = -10.0, 10.0
    while normal_loss(lo) < target:
        lo *= 2
    z = float(optimize.brentq(lambda x: normal_loss(x) - target, lo, hi, xtol=1e-12)) \
        if normal_loss(hi) < target else hi
    return _result(mu, sigma, z, q)


def order_up_to_from_quantiles(mean: Sequence[float], p10: Sequence[float], p90: Sequence[float],
                               lead_time_periods: float, service_level: float, *,
                               review_periods: float = 0.0,
                               lead_time_std_periods: float = 0.0) -> SafetyStockResult:
    """Order-up-to level from a quantile forecast over the protection interval ``P = L + R``.

    Each future period i has a forecast ``mean_i`` and quantiles ``p10_i``, ``p90_i``. The spread
    of period i is read straight from its quantiles, ``σ_i = (p90_i − p10_i) / (2·z₀.₉)`` (exact
    for a normal forecast distribution), periods are independent, and a fractional last period
    counts by its fraction. Then ``μ_P = Σ w_i·mean_i``, ``σ_P² = Σ w_i·σ_i² + D̄²·σ_L²``
    (D̄ = μ_P / P, the random-lead-time term as in :func:`safety_stock_cycle_service`), and
    ``S = μ_P + Φ⁻¹(service_level)·σ_P``. ``safety_stock = S − μ_P``.

    >>> r = order_up_to_from_quantiles([100, 100, 100], [100 - 10 * Z_90] * 3,
    ...                                [100 + 10 * Z_90] * 3, 2, 0.95, review_periods=1)
    >>> round(r.protection_mean, 6), round(r.protection_std, 6), round(r.order_up_to, 2)
    (300.0, 17.320508, 328.49)
    """
    lt = nonneg("lead_time_periods", lead_time_periods)
    rp = nonneg("review_periods", review_periods)
    slt = nonneg("lead_time_std_periods", lead_time_std_periods)
    sl = probability("service_level", service_level)
    horizon = lt + rp
    n_needed = math.ceil(horizon - 1e-12)
    if not (len(mean) == len(p10) == len(p90)):
        raise ValueError("mean, p10 and p90 must have the same length")
    if len(mean) < n_needed:
        raise ValueError(f"the forecast covers {len(mean)} periods; lead time + review period "
                         f"needs {n_needed}")
    mu = var = 0.0
    for i in range(n_needed):
        w = min(1.0, horizon - i)
        m, lo, hi = (finite(f"{name}[{i}]", v[i]) for name, v in (("mean", mean), ("p10", p10), ("p90", p90)))
        if m < 0 or lo < 0:
            raise ValueError(f"forecast period {i}: demand must be >= 0 (mean {m:g}, p10 {lo:g})")
        if hi < lo:
            raise ValueError(f"forecast period {i}: p90 {hi:g} < p10 {lo:g}")
        sigma_i = (hi - lo) / (2 * Z_90)
        mu += w * m
        var += w * sigma_i * sigma_i
    d_bar = mu / horizon if horizon > 0 else 0.0
    sigma = math.sqrt(var + d_bar * d_bar * slt * slt)
    z = float(stats.norm.ppf(sl))
    return _result(mu, sigma, z, None)
