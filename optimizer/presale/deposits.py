"""Projecting the final deposit count while the deposit window is open (Bayesian updating).

Past campaigns used for the curve and the prior: the same item's if any, else the same
category's, else all.

Deposit curve. For each past campaign with daily data, the cumulative share of its gross
deposits collected by each fraction of its window is interpolated on a common grid of window
fractions; the curve ``F(x)`` (x in [0, 1], F(1) = 1) is their average. Without daily history
the curve is linear, ``F(x) = x``.

Bayesian model (Gamma-Poisson). The campaign's gross deposit total is Poisson with an unknown
rate ``lambda``; deposits observed by window fraction ``x`` are ``D ~ Poisson(lambda F(x))``,
those still to come ``R ~ Poisson(lambda (1 - F(x)))``. Prior ``lambda ~ Gamma(a0, b0)`` (shape,
rate) matched to the mean and spread of past campaigns' gross totals (or to a given prior mean
and coefficient of variation). Conjugacy gives the posterior

    lambda | D ~ Gamma(a0 + D, b0 + F(x))

so ``R | D`` is negative binomial, and each new day of deposits updates (a, b) in closed form.
Cancellations thin the remaining deposits with the historical cancellation rate. Once the window
has closed, the net total is known.

Reference: Gelman et al., *Bayesian Data Analysis*, 3rd ed., sec. 2.6 (Poisson model with
gamma prior and exposure); Fader, Hardie & Huang (2004), "A dynamic changepoint model for new
product sales forecasting", Marketing Science 23(1) (using early sales to project totals).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from optimizer.presale.campaign import PastCampaign, PresaleCampaign

GRID = np.linspace(0.0, 1.0, 101)


def fit_deposit_curve(history: tuple[PastCampaign, ...]) -> np.ndarray:
    """Average cumulative share of deposits on :data:`GRID` (length 101, ends at 1)."""
    curves = []
    for h in history:
        daily = np.asarray(h.daily_deposits, dtype=float)
        if daily.size == 0 or daily.sum() <= 0:
            continue
        x = np.arange(0, daily.size + 1) / daily.size
        y = np.concatenate([[0.0], np.cumsum(daily) / daily.sum()])
        curves.append(np.interp(GRID, x, y))
    if not curves:
        return GRID.copy()
    return np.mean(curves, axis=0)


@dataclass(frozen=True)
class DepositForecast:
    """Posterior of the final net deposit count.

    ``observed_net``: net deposits so far; ``share_observed``: F(x) at today; ``shape`` and
    ``rate``: Gamma posterior of lambda; ``closed``: window closed (total known)."""

    observed_net: float
    observed_gross: float
    share_observed: float
    shape: float
    rate: float
    cancellation_rate: float
    closed: bool
    prior_mean: float

    @property
    def mean_total(self) -> float:
        if self.closed:
            return self.observed_net
        lam = self.shape / self.rate
        return self.observed_net + lam * (1 - self.share_observed) * (1 - self.cancellation_rate)

    @property
    def std_total(self) -> float:
        if self.closed:
            return 0.0
        q = 1 - self.share_observed
        lam_mean = self.shape / self.rate
        lam_var = self.shape / self.rate**2
        # Var(R) for R ~ Poisson(lambda q), lambda ~ Gamma: q E[lambda] + q^2 Var[lambda]
        keep = 1 - self.cancellation_rate
        var_r = q * lam_mean + q * q * lam_var
        return math.sqrt(keep * keep * var_r + q * lam_mean * keep * (1 - keep))

    def sample_net_total(
        self, u_rate: np.ndarray, u_count: np.ndarray, u_cancel: np.ndarray
    ) -> np.ndarray:
        """Final net deposit totals by inverse CDF (monotone in each uniform and in the data)."""
        if self.closed:
            return np.full(u_rate.shape, round(self.observed_net), dtype=float)
        lam = stats.gamma.ppf(u_rate, self.shape, scale=1.0 / self.rate)
        remaining = stats.poisson.ppf(u_count, np.maximum(lam * (1 - self.share_observed), 1e-12))
        kept = stats.binom.ppf(u_cancel, remaining, 1 - self.cancellation_rate)
        return round(self.observed_net) + np.nan_to_num(kept)


def closest_campaigns(
    history: tuple[PastCampaign, ...], item_id: str = "", category: str = ""
) -> tuple[PastCampaign, ...]:
    """The same item's past campaigns if any, else the same category's, else all."""
    same_item = tuple(h for h in history if item_id and h.item_id == item_id)
    if same_item:
        return same_item
    same_cat = tuple(h for h in history if category and h.category == category)
    return same_cat or history


def prior_forecast(
    history: tuple[PastCampaign, ...],
    cancellation_rate: float,
    prior_mean: float | None = None,
    prior_cv: float = 0.5,
    fallback_mean: float = 1.0,
    item_id: str = "",
    category: str = "",
) -> DepositForecast:
    """The Gamma prior of the gross deposit total before any deposit of this campaign is seen
    (from the closest past campaigns: same item, else same category, else all)."""
    history = closest_campaigns(history, item_id, category)
    totals = [h.gross_deposits for h in history if h.gross_deposits > 0]
    if prior_mean is not None:
        mean, cv = float(prior_mean), prior_cv
    elif totals:
        mean = float(np.mean(totals))
        cv = float(np.std(totals, ddof=1) / mean) if len(totals) >= 2 and mean > 0 else prior_cv
        cv = max(cv, 0.05)
    else:
        # no history and no prior: a vague prior, so the posterior follows the deposits seen
        mean, cv = max(fallback_mean, 1.0), 10.0
    mean = max(mean, 1e-6)
    a0 = 1.0 / (cv * cv)
    return DepositForecast(0.0, 0.0, 0.0, a0, a0 / mean, cancellation_rate, False, mean)


def known_total(total: float) -> DepositForecast:
    """A deposit count that is known (closed window, or a what-if)."""
    return DepositForecast(float(total), float(total), 1.0, 1.0, 1.0, 0.0, True, float(total))


def project_deposits(
    campaign: PresaleCampaign,
    history: tuple[PastCampaign, ...],
    cancellation_rate: float,
    prior_mean: float | None = None,
    prior_cv: float = 0.5,
) -> DepositForecast:
    """Posterior of the final deposit count of ``campaign`` given its deposits to date."""
    gross = float(sum(campaign.deposits_to_date))
    net = campaign.deposits_net_to_date
    if campaign.window_closed:
        return DepositForecast(net, gross, 1.0, 1.0, 1.0, cancellation_rate, True, net)
    prior = prior_forecast(
        history,
        cancellation_rate,
        prior_mean,
        prior_cv,
        fallback_mean=gross,
        item_id=campaign.item_id,
        category=campaign.category,
    )
    curve = fit_deposit_curve(closest_campaigns(history, campaign.item_id, campaign.category))
    x = len(campaign.deposits_to_date) / campaign.window_days
    share = float(np.interp(x, GRID, curve))
    return DepositForecast(
        net,
        gross,
        share,
        prior.shape + gross,
        prior.rate + share,
        cancellation_rate,
        False,
        prior.prior_mean,
    )
