"""Conversion of deposits to final payments, learned from past campaigns.

Model (Beta-Binomial). Campaign i collected ``n_i`` deposits (net of cancellations at window
close), of which ``k_i`` paid the balance. Its conversion probability ``p_i ~ Beta(alpha, beta)``
and ``k_i | p_i ~ Binomial(n_i, p_i)``, so ``k_i ~ BetaBinomial(n_i, alpha, beta)``. The mean
conversion is ``m = alpha / (alpha + beta)``; ``s = alpha + beta`` measures how alike campaigns
are (large s: all campaigns convert at about m; small s: conversion varies a lot between
campaigns, which is what makes a presale risky).

Fit: maximum likelihood over (logit m, log s) with ``1 <= s <= 10_000`` (L-BFGS-B). Per category
when the category has at least ``min_campaigns`` closed campaigns, else pooled over all
campaigns; with fewer than two campaigns in the pool the prior Beta(alpha0, beta0) is used,
re-centred on the one campaign's conversion when there is one.

Cancellations: the share of gross deposits cancelled (refunded) during the window,
``sum(cancellations) / sum(deposits)`` over past campaigns with daily data (0 without data).

Reference: Skellam, J. G. (1948), "A probability distribution derived from the binomial
distribution by regarding the probability of success as variable between the sets of trials",
JRSS B 10(2); Gelman et al., *Bayesian Data Analysis*, 3rd ed., ch. 5 (hierarchical binomial).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from optimizer.presale.campaign import PastCampaign


@dataclass(frozen=True)
class ConversionModel:
    """Beta(alpha, beta) conversion probability; ``fixed`` = a known rate (no uncertainty in p)."""

    alpha: float
    beta: float
    source: str
    n_campaigns: int
    cancellation_rate: float = 0.0
    fixed: float | None = None

    @property
    def mean(self) -> float:
        return self.fixed if self.fixed is not None else self.alpha / (self.alpha + self.beta)

    @property
    def std_between_campaigns(self) -> float:
        if self.fixed is not None:
            return 0.0
        a, b = self.alpha, self.beta
        return math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))

    def sample_p(self, u: np.ndarray) -> np.ndarray:
        """Conversion probabilities by inverse CDF (monotone in ``u``)."""
        if self.fixed is not None:
            return np.full_like(u, self.fixed, dtype=float)
        return stats.beta.ppf(u, self.alpha, self.beta)


def _fit_mle(n: np.ndarray, k: np.ndarray) -> tuple[float, float]:
    m0 = float(np.clip(k.sum() / max(n.sum(), 1.0), 1e-3, 1 - 1e-3))

    def nll(theta):
        m = 1.0 / (1.0 + math.exp(-theta[0]))
        s = math.exp(theta[1])
        return -float(stats.betabinom.logpmf(k, n, m * s, (1 - m) * s).sum())

    start = np.array([math.log(m0 / (1 - m0)), math.log(50.0)])
    res = optimize.minimize(
        nll, start, method="L-BFGS-B", bounds=[(-9.0, 9.0), (0.0, math.log(10_000.0))]
    )
    m = 1.0 / (1.0 + math.exp(-res.x[0]))
    s = math.exp(res.x[1])
    return m * s, (1 - m) * s


def cancellation_rate(history: tuple[PastCampaign, ...]) -> float:
    gross = sum(sum(h.daily_deposits) for h in history if h.daily_cancellations)
    cancelled = sum(sum(h.daily_cancellations) for h in history if h.daily_cancellations)
    return float(cancelled / gross) if gross > 0 else 0.0


def fit_conversion(
    history: tuple[PastCampaign, ...],
    category: str = "",
    min_campaigns: int = 3,
    prior: tuple[float, float] = (8.0, 2.0),
) -> ConversionModel:
    """Fit the Beta-Binomial conversion model (see the module docstring for the pooling rule)."""
    usable = [h for h in history if h.deposits_total > 0]
    same = [h for h in usable if category and h.category == category]
    if len(same) >= min_campaigns:
        pool, source = same, f"category:{category}"
    else:
        pool, source = usable, "all categories"
    cancel = cancellation_rate(tuple(history))
    if len(pool) >= 2:
        n = np.array([round(h.deposits_total) for h in pool], dtype=float)
        k = np.array([round(h.final_payments) for h in pool], dtype=float)
        a, b = _fit_mle(n, k)
        return ConversionModel(a, b, f"Beta-Binomial MLE, {source}", len(pool), cancel)
    a0, b0 = prior
    if len(pool) == 1:
        m = min(max(pool[0].final_payments / pool[0].deposits_total, 1e-3), 1 - 1e-3)
        s = a0 + b0
        return ConversionModel(m * s, (1 - m) * s, "prior re-centred on 1 campaign", 1, cancel)
    return ConversionModel(a0, b0, "prior (no history)", 0, cancel)


def fixed_conversion(rate: float, cancel: float = 0.0) -> ConversionModel:
    return ConversionModel(1.0, 1.0, "given conversion_rate", 0, cancel, fixed=float(rate))
