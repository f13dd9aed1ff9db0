"""The replenishment rules a backtest compares: two baselines a planner would otherwise use and
stockpilot's forecast-driven rule. Each re-estimates its levels from the demand known at the
review — the history before the backtest plus the days simulated so far
(``ReviewContext.demand_to_date``); nothing later can reach it.

``m`` below is the mean daily demand of the trailing ``window_days`` (default 91 days = 13
weeks, the "average demand" an ERP keeps), ``L`` the series' mean lead time in days.

* :class:`MinMaxRule` — ERP min/max, reviewed daily, levels re-estimated weekly:
  ``min = m·(L + safety_days)``, ``max = min + m·cover_days``; when ``IP <= min`` order
  ``max − IP``. Defaults: 14 safety days, 28 days of cover (two weeks of safety stock and a
  month's order cycle, common ERP defaults).
* :class:`OrderUpToRule` — periodic order-up-to, reviewed weekly (R = 7):
  ``S = m·(L + R + safety_days)``; order ``S − IP``.
* :class:`StockpilotRule` — forecast-driven order-up-to, re-planned weekly: the forecasting
  package's :func:`forecasting.forecast` forecasts every series' weekly demand from the history
  known at the review (and, when given, the planned promotions ahead), and
  :func:`optimizer.policies.order_up_to_from_quantiles` turns the forecasts of the next
  ``(L + R)/7`` weeks (with the lead-time spread) into ``S`` for the target cycle service
  level; orders ``S − IP`` are released daily (``R`` = 1 day), ``S`` recomputed each day from
  the week's forecast spread over its days (mean/7 and variance/7 per day) so that the
  protection interval moves with the calendar between two weekly refits. The spread of each week is read
  from its calibrated service-level quantile (``spread="service_quantile"``, the default:
  ``σ_i = (q_SL,i − mean_i)/z_SL``, which keeps the right skew of promotion-driven demand) or
  from ``p10..p90`` (``spread="p10_p90"``, exact for normal forecasts). With
  ``fill_rate_target`` the levels are instead chosen jointly across series to reach that
  aggregate fill rate with the least stock value (:func:`fill_rate_levels`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scenarios.simulation.engine import ReviewContext


class _History:
    """Daily demand before the backtest + the simulated days so far."""

    def __init__(self, pre_demand: np.ndarray, window_days: int):
        if window_days < 7:
            raise ValueError("window_days must be at least 7")
        self.pre = np.asarray(pre_demand, float)
        self.window_days = window_days

    def known(self, ctx: ReviewContext) -> np.ndarray:
        return np.concatenate([self.pre, ctx.demand_to_date], axis=1)

    def mean_daily(self, ctx: ReviewContext) -> np.ndarray:
        known = self.known(ctx)
        return known[:, -self.window_days:].mean(axis=1)


class MinMaxRule(_History):
    """ERP min/max (see module doc). ``review_period_days = 1``."""

    review_period_days = 1

    def __init__(self, pre_demand, lead_time_days, safety_days: float = 14.0, cover_days: float = 28.0,
                 window_days: int = 91):
        super().__init__(pre_demand, window_days)
        self.lead = np.asarray(lead_time_days, float)
        self.safety_days, self.cover_days = float(safety_days), float(cover_days)
        self._levels: tuple[np.ndarray, np.ndarray] | None = None

    def levels(self, ctx: ReviewContext) -> tuple[np.ndarray, np.ndarray]:
        if self._levels is None or ctx.day % 7 == 6:
            m = self.mean_daily(ctx)
            lo = m * (self.lead + self.safety_days)
            self._levels = (lo, lo + m * self.cover_days)
        return self._levels

    def order_quantities(self, ctx: ReviewContext) -> np.ndarray:
        lo, hi = self.levels(ctx)
        ip = ctx.inventory_position
        return np.where(ip <= lo, np.maximum(hi - ip, 0.0), 0.0)


class OrderUpToRule(_History):
    """Periodic order-up-to with fixed days of cover (see module doc). Weekly review."""

    review_period_days = 7

    def __init__(self, pre_demand, lead_time_days, safety_days: float = 14.0, window_days: int = 91):
        super().__init__(pre_demand, window_days)
        self.lead = np.asarray(lead_time_days, float)
        self.safety_days = float(safety_days)

    def order_quantities(self, ctx: ReviewContext) -> np.ndarray:
        s = self.mean_daily(ctx) * (self.lead + self.review_period_days + self.safety_days)
        return np.maximum(s - ctx.inventory_position, 0.0)


class StockpilotRule(_History):
    """Forecast-driven order-up-to from forecast quantiles (see module doc).

    Re-planned weekly: every 7th day (the end of a sales week) the forecast is refitted; ``S``
    is recomputed every release day from that forecast (``daily_levels``) and orders are
    released every ``review_period_days`` days (default 1: a daily JIT release against the
    weekly plan, so the protection interval is ``L + 1`` day).
    ``keys``: the series' ``item_id, location_id``; ``history_start``: the date of the first
    column of ``pre_demand``; ``forecast_options`` go to :func:`forecasting.forecast`."""

    def __init__(self, pre_demand, keys: pd.DataFrame, history_start, lead_time_days, lead_time_std_days,
                 service_level: float | np.ndarray = 0.95, forecast_options: dict | None = None,
                 seed: int = 0, promo_daily: np.ndarray | None = None, review_period_days: int = 1,
                 spread: str = "p10_p90", fill_rate_target: float | None = None, tail_level: float = 0.95,
                 daily_levels: bool = True):
        super().__init__(pre_demand, 7)
        if review_period_days not in (1, 7):
            raise ValueError("review_period_days must be 1 (daily release) or 7 (weekly)")
        self.review_period_days = review_period_days
        if spread not in ("p10_p90", "service_quantile"):
            raise ValueError("spread must be p10_p90 or service_quantile")
        self.spread = spread
        if fill_rate_target is not None and not 0 < fill_rate_target < 1:
            raise ValueError("fill_rate_target must be in (0, 1)")
        self.fill_rate_target = fill_rate_target
        self.tail_level = float(tail_level)
        self.unit_cost: np.ndarray | None = None
        self.daily_levels = daily_levels
        self._level: np.ndarray | None = None
        self._weekly: list | None = None
        self._refit_day = 0
        self.keys = keys.reset_index(drop=True)[["item_id", "location_id"]]
        self.history_start = pd.Timestamp(history_start)
        self.lead = np.asarray(lead_time_days, float)
        self.lead_std = np.asarray(lead_time_std_days, float)
        n = len(self.keys)
        self.service = np.broadcast_to(np.asarray(service_level, float), (n,)).copy()
        if ((self.service <= 0) | (self.service >= 1)).any():
            raise ValueError("service_level must be in (0, 1)")
        self.forecast_options = {"models": "auto", "n_jobs": 1, **(forecast_options or {})}
        self.seed = seed
        self.forecasts_made = 0
        # planned promotions (share of the series' stores on deal per day, from the first
        # history day to past the end): the promotion calendar a retailer fixes in advance
        self.promo_daily = None if promo_daily is None else np.asarray(promo_daily, float)

    def _weeks_end(self, ctx: ReviewContext) -> int:
        """Number of known days up to the end of the last whole simulated week."""
        return self.pre.shape[1] + (ctx.day + 1) // 7 * 7

    def weekly_history(self, ctx: ReviewContext) -> pd.DataFrame:
        """Known demand as whole weeks, the last ending on or before the review day (sales shape)."""
        days = self._weeks_end(ctx)
        known = self.known(ctx)[:, :days]
        weeks = days // 7
        cut = known[:, days - weeks * 7:]
        weekly = cut.reshape(len(self.keys), weeks, 7).sum(axis=2)
        first = self.history_start + pd.Timedelta(days=days - weeks * 7)
        dates = pd.date_range(first, periods=weeks, freq="7D")
        out = pd.DataFrame({
            "item_id": np.repeat(self.keys["item_id"].to_numpy(), weeks),
            "location_id": np.repeat(self.keys["location_id"].to_numpy(), weeks),
            "date": np.tile(dates.values, len(self.keys)), "qty": weekly.ravel()})
        if self.promo_daily is not None:
            p = self.promo_daily[:, days - weeks * 7: days]
            out["promo"] = p.reshape(len(self.keys), weeks, 7).mean(axis=2).ravel()
        return out

    def future_promo(self, ctx: ReviewContext, weeks: int) -> pd.DataFrame | None:
        """The promotion calendar of the next ``weeks`` weeks (weekly shares), if known."""
        if self.promo_daily is None:
            return None
        days = self._weeks_end(ctx)
        block = np.zeros((len(self.keys), weeks * 7))
        avail = self.promo_daily[:, days: days + weeks * 7]
        block[:, : avail.shape[1]] = avail
        first = self.history_start + pd.Timedelta(days=days)
        dates = pd.date_range(first, periods=weeks, freq="7D")
        return pd.DataFrame({
            "item_id": np.repeat(self.keys["item_id"].to_numpy(), weeks),
            "location_id": np.repeat(self.keys["location_id"].to_numpy(), weeks),
            "date": np.tile(dates.values, len(self.keys)),
            "promo": block.reshape(len(self.keys), weeks, 7).mean(axis=2).ravel()})

    def refresh_forecast(self, ctx: ReviewContext) -> None:
        """Refit the forecast on the weeks known at ``ctx`` and keep, per series, the weekly
        ``mean`` and spread ``hi − lo`` (a p10..p90 width, see the module doc)."""
        from scipy import stats

        from forecasting import forecast
        from forecasting.models import quantile_name

        protect_weeks = (self.lead + self.review_period_days + 6) / 7.0
        horizon = int(np.ceil(protect_weeks.max())) + 1
        hist = self.weekly_history(ctx)
        levels = tuple(sorted(set(np.round(self.service, 4)))) if self.spread == "service_quantile" else ()
        if self.fill_rate_target is not None:
            levels = (round(self.tail_level, 4),)
        fc = forecast(hist, horizon=horizon, freq="W", seed=self.seed, levels=levels,
                      future_promo=self.future_promo(ctx, horizon), **self.forecast_options).forecasts
        self.forecasts_made += 1
        fc = fc.sort_values(["item_id", "location_id", "date"], kind="stable")
        groups = {k: g for k, g in fc.groupby(["item_id", "location_id"], sort=False)}
        z90 = stats.norm.ppf(0.9)
        self._weekly = []
        for i, (item, loc) in enumerate(zip(self.keys["item_id"], self.keys["location_id"])):
            g = groups.get((item, loc))
            if g is None:
                raise ValueError(f"forecast returned no rows for item {item} at {loc}")
            mean = g["mean"].to_numpy()
            width = g["p90"].to_numpy() - g["p10"].to_numpy()
            level = self.tail_level if self.fill_rate_target is not None else (
                float(self.service[i]) if self.spread == "service_quantile" else None)
            if level is not None:
                # the week's spread read from its calibrated quantile at ``level`` instead of
                # p10..p90: sigma = (q_level - mean) / z_level, as the p10..p90 width it implies
                q = g[quantile_name(round(level, 4))].to_numpy()
                width = 2 * z90 * np.maximum(q - mean, 0.0) / stats.norm.ppf(level)
            self._weekly.append((mean, np.maximum(width, 0.0)))

    def order_up_to(self, ctx: ReviewContext, offset_days: int = 0) -> np.ndarray:
        """Order-up-to levels ``offset_days`` days after the last forecast refit: the weekly
        forecast is spread over days (mean/7, variance/7 per day) and the protection interval
        ``L + R`` starts ``offset_days`` into it."""
        from optimizer.policies import order_up_to_from_quantiles

        if getattr(self, "_weekly", None) is None:
            self.refresh_forecast(ctx)
        out = np.zeros(len(self.keys))
        moments = np.zeros((len(self.keys), 4))     # mu_P, sd_P, mu_L, sd_L (fill-rate mode)
        for i, (mean, width) in enumerate(self._weekly):
            m = np.repeat(mean / 7.0, 7)[offset_days:]
            w = np.repeat(width / np.sqrt(7.0), 7)[offset_days:]
            lo = np.zeros_like(m)
            kw = dict(lead_time_periods=self.lead[i], lead_time_std_periods=self.lead_std[i])
            if self.fill_rate_target is not None:
                rp = order_up_to_from_quantiles(m, lo, w, service_level=0.5,
                                                review_periods=self.review_period_days, **kw)
                rl = order_up_to_from_quantiles(m, lo, w, service_level=0.5, review_periods=0.0, **kw)
                moments[i] = (rp.protection_mean, rp.protection_std, rl.protection_mean, rl.protection_std)
                continue
            out[i] = order_up_to_from_quantiles(m, lo, w, service_level=float(self.service[i]),
                                                review_periods=self.review_period_days, **kw).order_up_to
        if self.fill_rate_target is not None:
            cost = np.ones(len(self.keys)) if self.unit_cost is None else self.unit_cost
            out = fill_rate_levels(moments, cost, self.fill_rate_target, self.review_period_days)
        return out

    def order_quantities(self, ctx: ReviewContext) -> np.ndarray:
        if getattr(self, "_weekly", None) is None or ctx.day % 7 == 6:
            self.refresh_forecast(ctx)
            self._refit_day = ctx.day
        offset = (ctx.day - self._refit_day) if self.daily_levels else 0
        if self._level is None or offset > 0 or ctx.day == self._refit_day:
            self._level = self.order_up_to(ctx, offset)
        return np.maximum(self._level - ctx.inventory_position, 0.0)


def _loss(z):
    """Standard normal loss function G(z) = φ(z) − z·(1 − Φ(z))."""
    from scipy import stats

    return stats.norm.pdf(z) - z * stats.norm.sf(z)


def fill_rate_levels(moments: np.ndarray, unit_cost: np.ndarray, fill_rate: float,
                     review_days: float = 1.0) -> np.ndarray:
    """Order-up-to levels that reach an aggregate fill rate with the least stock value.

    Per series (rows of ``moments``: mean and std of demand over the protection interval
    ``P = L + R`` and over the lead time ``L`` alone), with ``S = μ_P + z·σ_P`` (normal
    approximations): expected units short per review period
    ``u(z) = σ_P·G(z) − σ_L·G((S − μ_L)/σ_L)`` (shortage over P not already counted in L),
    expected stock value ``v(z) = c·σ_P·(z + G(z))`` (end-of-period on hand ``E(S − D_P)+``).
    For a multiplier λ each series takes the ``z`` on a grid in [−2, 4.5] minimising
    ``u + λ·v``; λ is found by bisection so that ``Σ u / Σ d = 1 − fill_rate`` with ``d`` the
    demand per review period — the stock goes where it saves the most lost units per unit of
    money (a Lagrangian relaxation of "max fill rate subject to a stock budget").
    """
    mu_p, sd_p, mu_l, sd_l = (moments[:, k] for k in range(4))
    sd_p = np.maximum(sd_p, 1e-9)
    sd_l = np.maximum(sd_l, 1e-9)
    z = np.linspace(-2.0, 4.5, 131)[None, :]
    s = mu_p[:, None] + z * sd_p[:, None]
    short = np.maximum(sd_p[:, None] * _loss(z) - sd_l[:, None] * _loss((s - mu_l[:, None]) / sd_l[:, None]), 0.0)
    value = np.asarray(unit_cost, float)[:, None] * sd_p[:, None] * (z + _loss(z))
    per_period = np.maximum(mu_p - mu_l, 0.0)   # demand in one review period
    allowed = (1.0 - fill_rate) * per_period.sum()

    def pick(lam):
        k = np.argmin(short + lam * value, axis=1)
        return k, short[np.arange(len(k)), k].sum()

    lo, hi = -12.0, 8.0          # log10 lambda
    for _ in range(60):
        mid = (lo + hi) / 2
        _, lost = pick(10 ** mid)
        if lost > allowed:
            hi = mid
        else:
            lo = mid
    k, _ = pick(10 ** lo)
    return s[np.arange(len(k)), k]
