"""The newsvendor problem: one order before a single period of random demand.

Symbols and units:

* ``h`` holding_cost — overage cost per unit left over [currency/unit]
* ``p`` stockout_cost — underage cost per unit short [currency/unit]
* ``D`` demand [units] with cdf F; ``S`` order quantity (base-stock level) [units]

Expected cost (Snyder & Shen, *Fundamentals of Supply Chain Theory* 2nd ed., §4.3, eq. (4.10)):
``g(S) = h·E[(S − D)+] + p·E[(D − S)+]``, minimised by the critical fractile
``S* = F⁻¹(p/(p + h))`` — for discrete demand the smallest S with ``F(S) ≥ p/(p + h)``.

* Normal ``D ~ N(μ, σ²)``: ``S* = μ + σ·Φ⁻¹(α)`` and ``g(S) = h(S − μ) + (h + p)·σ·G(z)``
  with ``z = (S − μ)/σ`` and G the standard normal loss function (Snyder & Shen eq. (4.24)).
* Poisson ``D ~ Poisson(μ)`` and any discrete distribution: exact sums.

Price form (Chopra & Meindl, "Managing uncertainty: the optimal level of product
availability"; Silver, Pyke & Thomas 4th ed. §10.3): selling price ``r``, unit cost ``c``,
salvage value ``v`` and optional goodwill loss ``g`` per unit short give ``h = c − v`` and
``p = r − c + g``; the expected profit is ``(r − c)·μ − g(S*)`` (without goodwill).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

from optimizer.policies._checks import finite, nonneg, positive
from optimizer.policies.safety_stock import normal_loss


@dataclass(frozen=True)
class NewsvendorResult:
    """``quantity`` S* [units]; ``expected_cost`` g(S*) [currency]; ``critical_ratio``
    p/(p+h); ``expected_profit`` only in the price form."""

    quantity: float
    expected_cost: float
    critical_ratio: float
    expected_profit: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def overage_underage_from_prices(price: float, unit_cost: float, salvage_value: float = 0.0,
                                 goodwill_cost: float = 0.0) -> tuple[float, float]:
    """``(h, p) = (c − v, r − c + g)``.

    >>> overage_underage_from_prices(price=5.0, unit_cost=3.0, salvage_value=1.0)
    (2.0, 2.0)
    """
    r, c = nonneg("price", price), nonneg("unit_cost", unit_cost)
    v, g = nonneg("salvage_value", salvage_value), nonneg("goodwill_cost", goodwill_cost)
    if v >= c:
        raise ValueError(f"salvage_value {v:g} must be below unit_cost {c:g} (else order without limit)")
    if r + g <= c:
        raise ValueError(f"price {r:g} (+ goodwill {g:g}) must exceed unit_cost {c:g}")
    return c - v, r - c + g


def _costs(holding_cost, stockout_cost, price, unit_cost, salvage_value):
    if price is not None or unit_cost is not None:
        if holding_cost is not None or stockout_cost is not None:
            raise ValueError("give either holding_cost/stockout_cost or price/unit_cost/salvage_value, not both")
        if price is None or unit_cost is None:
            raise ValueError("the price form needs both price and unit_cost")
        h, p = overage_underage_from_prices(price, unit_cost, salvage_value or 0.0)
        return h, p, price - unit_cost
    if holding_cost is None or stockout_cost is None:
        raise ValueError("holding_cost and stockout_cost are required")
    return positive("holding_cost", holding_cost), positive("stockout_cost", stockout_cost), None


def newsvendor_normal(demand_mean: float, demand_std: float, holding_cost: float | None = None,
                      stockout_cost: float | None = None, *, price: float | None = None,
                      unit_cost: float | None = None,
                      salvage_value: float | None = None) -> NewsvendorResult:
    """Normal demand: ``S* = μ + σΦ⁻¹(p/(p+h))``, ``g(S*) = (h+p)·σ·φ(z*)``.

    Snyder & Shen 2nd ed., Example 4.1/4.2: h = 0.18, p = 0.70, D ~ N(50, 8²) →
    S* = 56.6, g(S*) = 1.998:

    >>> r = newsvendor_normal(50, 8, 0.18, 0.70)
    >>> round(r.quantity, 2), round(r.expected_cost, 3)
    (56.6, 1.998)
    """
    mu, sigma = nonneg("demand_mean", demand_mean), nonneg("demand_std", demand_std)
    h, p, margin = _costs(holding_cost, stockout_cost, price, unit_cost, salvage_value)
    alpha = p / (p + h)
    if sigma == 0:
        return NewsvendorResult(mu, 0.0, alpha, None if margin is None else margin * mu)
    z = float(stats.norm.ppf(alpha))
    s = mu + sigma * z
    cost = h * (s - mu) + (h + p) * sigma * normal_loss(z)
    return NewsvendorResult(s, cost, alpha, None if margin is None else margin * mu - cost)


def _discrete(values: np.ndarray, probs: np.ndarray, h: float, p: float, margin):
    order = np.argsort(values)
    values, probs = values[order], probs[order]
    alpha = p / (p + h)
    cdf = np.cumsum(probs)
    idx = int(np.searchsorted(cdf, alpha - 1e-12))
    s = float(values[min(idx, len(values) - 1)])
    cost = float(np.sum(probs * (h * np.maximum(s - values, 0) + p * np.maximum(values - s, 0))))
    mean = float(np.sum(probs * values))
    return NewsvendorResult(s, cost, alpha, None if margin is None else margin * mean - cost)


def newsvendor_poisson(demand_mean: float, holding_cost: float | None = None,
                       stockout_cost: float | None = None, *, price: float | None = None,
                       unit_cost: float | None = None,
                       salvage_value: float | None = None) -> NewsvendorResult:
    """Poisson demand: the smallest integer S with ``F(S) ≥ p/(p+h)``; exact expected cost.

    Snyder & Shen 2nd ed. §4.3 (discrete demand), with the data of Example 4.1 and
    D ~ Poisson(50): α = 0.7/0.88 = 0.795, S* = 56.

    >>> r = newsvendor_poisson(50, 0.18, 0.70)
    >>> r.quantity, round(r.critical_ratio, 4)
    (56.0, 0.7955)
    """
    mu = nonneg("demand_mean", demand_mean)
    h, p, margin = _costs(holding_cost, stockout_cost, price, unit_cost, salvage_value)
    hi = int(stats.poisson.ppf(1 - 1e-15, mu)) + 10 if mu > 0 else 0
    values = np.arange(hi + 1, dtype=float)
    probs = stats.poisson.pmf(values, mu)
    probs[-1] += 1.0 - probs.sum()  # the tail beyond hi (< 1e-15) is placed on hi
    return _discrete(values, probs, h, p, margin)


def newsvendor_discrete(values: Sequence[float], probabilities: Sequence[float] | None = None,
                        holding_cost: float | None = None, stockout_cost: float | None = None, *,
                        price: float | None = None, unit_cost: float | None = None,
                        salvage_value: float | None = None) -> NewsvendorResult:
    """Discrete (e.g. empirical) demand: ``values`` with ``probabilities`` (equal weights when
    omitted — an empirical sample). S* is one of the values.

    Empirical sample 10, 20, 30, 40, h = 1, p = 3 → α = 0.75, S* = 30, cost = (20 + 10 + 30)/4:

    >>> r = newsvendor_discrete([10, 20, 30, 40], None, 1, 3)
    >>> r.quantity, r.expected_cost
    (30.0, 15.0)
    """
    vals = np.array([finite(f"values[{i}]", v) for i, v in enumerate(values)], dtype=float)
    if len(vals) == 0:
        raise ValueError("values must not be empty")
    if (vals < 0).any():
        raise ValueError(f"demand values must be >= 0 (got {vals.min():g})")
    if probabilities is None:
        probs = np.full(len(vals), 1.0 / len(vals))
    else:
        probs = np.array([nonneg(f"probabilities[{i}]", q) for i, q in enumerate(probabilities)])
        if len(probs) != len(vals):
            raise ValueError("values and probabilities must have the same length")
        if not math.isclose(float(probs.sum()), 1.0, abs_tol=1e-9):
            raise ValueError(f"probabilities must sum to 1 (got {probs.sum():g})")
    h, p, margin = _costs(holding_cost, stockout_cost, price, unit_cost, salvage_value)
    return _discrete(vals, probs, h, p, margin)
