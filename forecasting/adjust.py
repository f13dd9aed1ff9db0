"""Seasonal and promotion adjustment around the vectorised methods.

Seasonality (multiplicative, classical decomposition simplified to recent seasonal means):
index s_j = mean of y at season position j / mean of y, over the last ``C`` seasons
(:data:`SEASON_CYCLES`). A series is treated as seasonal when its lag-m autocorrelation r_m
passes |r_m| > 1.645 · sqrt((1 + 2 Σ_{k<m} r_k²) / n) — the 90 % test of the M4 competition's
Theta benchmark (Makridakis, Spiliotis & Assimakopoulos 2020, IJF 36) — and it has at least
two full seasons. The method runs on y / s, and its forecast is multiplied back by s. An index
of 0 (a weekday the series never sells) gives a 0 forecast on that weekday.

Promotions (multiplicative uplift): with promo share π_t ∈ [0, 1] per bucket, the uplift u is
the ratio of the (seasonally adjusted) demand in promoted buckets (π ≥ 0.5) to that in the
others, shrunk towards 1 with the weight of :data:`PROMO_PRIOR` promoted buckets and clipped to
[1/3, 10]. Two modes: 0 — u from means, and the method runs on the base demand
y_t / (1 + (u − 1) π_t); 1 — u from medians, and promoted buckets are left out of the base (the
robust choice when promotions come with other, unrecorded levers such as features and price
cuts, as in Dominick's). The engine picks the mode by CV. Future buckets are multiplied by
1 + (u − 1) π_future, so the forecast uses the planned promotions of the horizon (none given:
no promotion planned).
"""

from __future__ import annotations

import warnings

import numpy as np

from forecasting.methods import METHODS

SEASON_CYCLES = {7: 26, 12: 4, 52: 3}
PROMO_PRIOR = 5.0


def seasonal_indices(Y: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """(indices (n, m) by position ``col mod m``, seasonal flag (n,))."""
    n, T = Y.shape
    ones = np.ones((n, m))
    if m <= 1 or T < 2 * m:
        return ones, np.zeros(n, bool)
    L = min(T, m * SEASON_CYCLES.get(m, 4))
    W = Y[:, T - L:]
    pos = (np.arange(T - L, T)) % m
    valid = ~np.isnan(W)
    cnt = valid.sum(axis=1)
    mu = np.where(valid, W, 0).sum(axis=1) / np.maximum(cnt, 1)
    # lag autocorrelations 1..m on the window, NaN replaced by the mean
    X = np.where(valid, W - mu[:, None], 0.0)
    den = (X * X).sum(axis=1)
    r = np.zeros((n, m))
    for k in range(1, m + 1):
        r[:, k - 1] = (X[:, k:] * X[:, :-k]).sum(axis=1) / np.maximum(den, 1e-12)
    limit = 1.645 * np.sqrt((1 + 2 * (r[:, :-1] ** 2).sum(axis=1)) / np.maximum(cnt, 1))
    seasonal = (np.abs(r[:, -1]) > limit) & (cnt >= 2 * m) & (mu > 0)
    idx = np.ones((n, m))
    for j in range(m):
        cols = pos == j
        v = valid[:, cols]
        s = np.where(v, W[:, cols], 0).sum(axis=1) / np.maximum(v.sum(axis=1), 1)
        idx[:, j] = np.where(mu > 0, s / np.maximum(mu, 1e-12), 1.0)
    idx = np.where(seasonal[:, None], idx, 1.0)
    return idx, seasonal


def promo_uplift(Y: np.ndarray, P: np.ndarray, robust: np.ndarray | bool = False) -> np.ndarray:
    """Uplift u per series (1 where there is no promotion in the history): the ratio of means
    of promoted / other buckets, or of medians where ``robust``."""
    valid = ~np.isnan(Y)
    on = valid & (P >= 0.5)
    off = valid & (P < 0.5)
    n_on = on.sum(axis=1)
    n_off = off.sum(axis=1)
    m_on = np.where(on, Y, 0).sum(axis=1) / np.maximum(n_on, 1)
    m_off = np.where(off, Y, 0).sum(axis=1) / np.maximum(n_off, 1)
    robust = np.broadcast_to(np.asarray(robust, bool), n_on.shape)
    if robust.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            r = robust & (n_on > 0) & (n_off > 0)
            m_on = np.where(r, np.nanmedian(np.where(on, Y, np.nan), axis=1), m_on)
            m_off = np.where(r, np.nanmedian(np.where(off, Y, np.nan), axis=1), m_off)
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.where((n_on > 0) & (n_off > 0) & (m_off > 0), m_on / m_off, 1.0)
    raw = np.nan_to_num(raw, nan=1.0)
    u = (n_on * raw + PROMO_PRIOR) / (n_on + PROMO_PRIOR)
    return np.clip(u, 1 / 3, 10.0)


def run_method(name: str, Y: np.ndarray, h: int, m: int, P: np.ndarray | None = None,
               seasonal: bool = False, promo_mode: np.ndarray | None = None) -> np.ndarray:
    """Forecast ``h`` buckets with method ``name`` on ``Y`` (n, T).

    ``P`` (n, T + h) holds promotion shares for history and horizon (or None);
    ``seasonal`` applies the seasonal adjustment (to series that pass the test);
    ``promo_mode`` per series: 0 deflate promoted buckets by the mean uplift, 1 leave them out
    of the base and use the median uplift (chosen per series by the engine's CV)."""
    n, T = Y.shape
    Z = Y
    fut_factor = np.ones((n, h))
    if seasonal and m > 1:
        idx, _ = seasonal_indices(Y, m)
        hist_idx = idx[:, np.arange(T) % m]
        with np.errstate(invalid="ignore", divide="ignore"):
            Z = np.where(hist_idx > 0, Z / hist_idx, np.nan)
        fut_factor = fut_factor * idx[:, np.arange(T, T + h) % m]
    if P is not None:
        Ph, Pf = P[:, :T], P[:, T:T + h]
        skip = np.zeros(n, bool) if promo_mode is None else np.asarray(promo_mode) == 1
        u = promo_uplift(Z, Ph, robust=skip)
        Z = Z / (1 + (u[:, None] - 1) * Ph)
        if skip.any():
            Zs = np.where(Ph >= 0.5, np.nan, Z)
            ok = skip & ((~np.isnan(Zs)).sum(axis=1) >= 8)
            Z = np.where(ok[:, None], Zs, Z)
        fut_factor = fut_factor * (1 + (u[:, None] - 1) * Pf)
    f = METHODS[name](Z, h, m)
    return np.maximum(f * fut_factor, 0.0)
