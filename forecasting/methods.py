"""Vectorised point-forecast methods over a block of series (numpy only).

A block is a float array ``Y`` of shape ``(n, T)``: one row per series, one column per bucket,
all rows ending at the same bucket (the forecast origin). ``NaN`` marks a bucket outside the
series' life (before its first sale) or a store-closure day; recursions skip ``NaN``.
Every method returns the ``(n, h)`` point forecasts for the ``h`` buckets after the origin.
Running all series of a block together keeps the per-series cost to a few microseconds, which
is what makes the automatic model choice by cross-validation affordable.

Methods (symbols as in Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed.)

* ``snaive`` seasonal naive, ŷ_{T+k} = y_{T+k-m(⌊(k-1)/m⌋+1)} (m = 1: naive).
* ``ses`` simple exponential smoothing ℓ_t = ℓ_{t-1} + α(y_t − ℓ_{t-1}), α per series from the
  grid :data:`ALPHAS` by least one-step squared error (FPP3 §8.1).
* ``theta`` the Theta method as SES with drift: ŷ_{T+k} = ℓ_T + b/2 (k − 1 + 1/α), b the OLS slope
  of the history (Assimakopoulos & Nikolopoulos 2000; Hyndman & Billah 2003, IJF 19).
* ``sba`` Croston's method with the Syntetos–Boylan bias correction (1 − α/2) z/p, α = 0.1
  (Croston 1972; Syntetos & Boylan 2005, IJF 21).
* ``tsb`` Teunter–Syntetos–Babai: demand probability p and size z, ŷ = p·z (EJOR 214, 2011).
* ``adida`` temporal aggregation by the mean inter-demand interval k, SES on the aggregate,
  ŷ = ℓ/k (Nikolopoulos et al. 2011, JORS 62); ``imapa`` the mean of ADIDA over k = 1..K
  (Petropoulos & Kourentzes 2015, JORS 66).
* ``ma`` the mean of the last ``h`` observed buckets; ``mean`` the mean of the whole history.

Seasonal adjustment (multiplicative day-of-week / month-of-year indices, applied when the
lag-m autocorrelation passes the 90 % test used by the M4 Theta benchmark) and the promotion
uplift are wrappers in :mod:`forecasting.adjust`.
"""

from __future__ import annotations

import hashlib

import numpy as np
from scipy.signal import lfilter

ALPHAS = np.array([0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8])


def _nan_last(Y: np.ndarray, k: int) -> np.ndarray:
    """Mean of the last ``k`` non-NaN values of each row (NaN if none)."""
    n, T = Y.shape
    valid = ~np.isnan(Y)
    # rank of each valid value counted from the end
    rank = np.cumsum(valid[:, ::-1], axis=1)[:, ::-1]
    take = valid & (rank <= k)
    cnt = take.sum(axis=1)
    tot = np.where(take, Y, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)


def ses_states(Y: np.ndarray, alphas: np.ndarray = ALPHAS) -> tuple[np.ndarray, np.ndarray]:
    """Final SES level and one-step SSE for every row and every alpha: shapes ``(n, A)``.

    For a fixed α the level is the linear filter ℓ_t = α y_t + (1 − α) ℓ_{t−1}, run for all rows
    at once by :func:`scipy.signal.lfilter`, started at the first observation. Missing buckets
    inside a series (closed days) carry the previous value forward and add no error."""
    n, T = Y.shape
    valid = ~np.isnan(Y)
    any_valid = valid.any(axis=1)
    first = np.where(any_valid, valid.argmax(axis=1), 0)
    rows = np.arange(n)
    y0 = np.where(any_valid, Y[rows, first], np.nan)
    idx = np.where(valid, np.arange(T)[None, :], -1)
    np.maximum.accumulate(idx, axis=1, out=idx)
    Z = np.where(idx >= 0, Y[rows[:, None], np.maximum(idx, 0)], y0[:, None])
    mask = valid & (np.arange(T)[None, :] > first[:, None])
    level = np.empty((n, len(alphas)))
    sse = np.empty((n, len(alphas)))
    for j, a in enumerate(alphas):
        L, _ = lfilter([a], [1.0, -(1.0 - a)], Z, axis=1, zi=((1.0 - a) * y0)[:, None])
        prev = np.concatenate([y0[:, None], L[:, :-1]], axis=1)
        err = np.where(mask, Z - prev, 0.0)
        sse[:, j] = (err * err).sum(axis=1)
        level[:, j] = L[:, -1]
    return level, sse


_SES_MEMO: dict = {}


def _best_alpha(Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Final level and α of the SES with the least one-step SSE, per row. Memoised on the
    array's content: ses, theta and imapa (k = 1) fit the same SES on the same history."""
    digest = hashlib.blake2b(np.ascontiguousarray(Y).view(np.uint8), digest_size=16).digest()
    key = (Y.shape, digest)
    hit = _SES_MEMO.get(key)
    if hit is not None:
        return hit
    level, sse = ses_states(Y)
    j = np.argmin(sse, axis=1)
    rows = np.arange(Y.shape[0])
    out = (level[rows, j], ALPHAS[j])
    if len(_SES_MEMO) >= 16:
        _SES_MEMO.pop(next(iter(_SES_MEMO)))
    _SES_MEMO[key] = out
    return out


def ses(Y: np.ndarray, h: int, m: int = 1) -> np.ndarray:
    level, _ = _best_alpha(Y)
    return np.repeat(level[:, None], h, axis=1)


def theta(Y: np.ndarray, h: int, m: int = 1) -> np.ndarray:
    level, alpha = _best_alpha(Y)
    n, T = Y.shape
    t = np.arange(T, dtype=float)[None, :]
    valid = ~np.isnan(Y)
    cnt = valid.sum(axis=1)
    tm = np.where(valid, t, 0).sum(axis=1) / np.maximum(cnt, 1)
    ym = np.where(valid, Y, 0).sum(axis=1) / np.maximum(cnt, 1)
    dt = np.where(valid, t - tm[:, None], 0.0)
    dy = np.where(valid, Y - ym[:, None], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        b = np.where(cnt > 2, (dt * dy).sum(axis=1) / np.maximum((dt * dt).sum(axis=1), 1e-12), 0.0)
    k = np.arange(1, h + 1, dtype=float)[None, :]
    return level[:, None] + (b / 2)[:, None] * (k - 1 + 1 / alpha[:, None])


def snaive(Y: np.ndarray, h: int, m: int = 1) -> np.ndarray:
    n, T = Y.shape
    m = max(1, min(m, T))
    last = Y[:, T - m:].copy()
    if T >= 2 * m:  # a closed / missing day takes the value one season earlier
        prev = Y[:, T - 2 * m:T - m]
        last = np.where(np.isnan(last), prev, last)
    fill = _nan_last(Y, m)
    last = np.where(np.isnan(last), fill[:, None], last)
    reps = int(np.ceil(h / m))
    return np.tile(last, (1, reps))[:, :h]


def naive(Y: np.ndarray, h: int, m: int = 1) -> np.ndarray:
    return snaive(Y, h, 1)


def ma(Y: np.ndarray, h: int, m: int = 1) -> np.ndarray:
    return np.repeat(_nan_last(Y, max(h, m))[:, None], h, axis=1)


def mean(Y: np.ndarray, h: int, m: int = 1) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        mu = np.where(np.isnan(Y).all(axis=1), np.nan,
                      np.nansum(Y, axis=1) / np.maximum((~np.isnan(Y)).sum(axis=1), 1))
    return np.repeat(mu[:, None], h, axis=1)


def _event_ses(M: np.ndarray, V: np.ndarray, alpha: float, init: np.ndarray) -> np.ndarray:
    """Final level of ℓ ← ℓ + α (v − ℓ) applied, per row, to the values ``V`` at the events
    ``M`` (in time order), starting from ``init``. Rows are right-aligned and padded with their
    initial level, so one :func:`scipy.signal.lfilter` call handles all of them."""
    cnt = M.sum(axis=1)
    D = int(cnt.max(initial=0))
    if D == 0:
        return init.copy()
    rank = np.cumsum(M[:, ::-1], axis=1)[:, ::-1]          # 1 = last event of the row
    E = np.repeat(init[:, None], D, axis=1)
    r, c = np.nonzero(M)
    E[r, D - rank[r, c]] = V[r, c]
    L, _ = lfilter([alpha], [1.0, -(1.0 - alpha)], E, axis=1,
                   zi=((1.0 - alpha) * init)[:, None])
    return L[:, -1]


def _croston_states(Y: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Croston's demand size z and inter-demand interval p after the history (NaN without
    demand). Both start at the first demand and are smoothed with α at every later demand;
    the interval counts observed buckets (closed days do not count)."""
    n, T = Y.shape
    valid = ~np.isnan(Y)
    dem = valid & (np.where(valid, Y, 0) > 0)
    has = dem.any(axis=1)
    first = np.where(has, dem.argmax(axis=1), 0)
    rows = np.arange(n)
    cv = np.cumsum(valid, axis=1).astype(float)
    # interval at each demand: observed buckets since the previous demand (or the start)
    prev = np.where(dem, cv, np.nan)
    prev_filled = np.concatenate([np.zeros((n, 1)), prev[:, :-1]], axis=1)
    idx = np.where(~np.isnan(prev_filled), np.arange(T)[None, :], 0)
    np.maximum.accumulate(idx, axis=1, out=idx)
    last_cv = np.where(idx > 0, prev_filled[rows[:, None], idx], 0.0)
    q = cv - last_cv
    z0 = np.where(has, Y[rows, first], np.nan)
    p0 = np.where(has, q[rows, first], np.nan)
    later = dem.copy()
    later[rows, first] = False
    later &= has[:, None]
    z = _event_ses(later, np.where(valid, Y, 0.0), alpha, z0)
    p = _event_ses(later, q, alpha, p0)
    return z, p


def sba(Y: np.ndarray, h: int, m: int = 1, alpha: float = 0.1) -> np.ndarray:
    z, p = _croston_states(Y, alpha)
    f = np.where(np.isnan(z), 0.0, (1 - alpha / 2) * z / p)
    f = np.where(np.isnan(Y).all(axis=1), np.nan, f)
    return np.repeat(f[:, None], h, axis=1)


def tsb(Y: np.ndarray, h: int, m: int = 1, alpha: float = 0.1, beta: float = 0.1) -> np.ndarray:
    n, T = Y.shape
    valid = ~np.isnan(Y)
    cnt = np.maximum(valid.sum(axis=1), 1)
    pos = np.where(valid, Y > 0, False)
    with np.errstate(invalid="ignore", divide="ignore"):
        prob0 = pos.sum(axis=1) / cnt
        size0 = np.where(pos, Y, 0).sum(axis=1) / np.maximum(pos.sum(axis=1), 1)
    # start at the history's demand rate and mean size, then update: the probability at every
    # observed bucket (β), the size at every demand (α)
    prob = _event_ses(valid, pos.astype(float), beta, prob0)
    size = _event_ses(pos, np.where(valid, Y, 0.0), alpha, size0)
    f = np.where(valid.any(axis=1), prob * size, np.nan)
    return np.repeat(f[:, None], h, axis=1)


def _mean_interval(Y: np.ndarray) -> np.ndarray:
    valid = ~np.isnan(Y)
    nz = (np.where(valid, Y, 0) > 0).sum(axis=1)
    return np.where(nz > 0, valid.sum(axis=1) / np.maximum(nz, 1), 1.0)


def _adida_k(Y: np.ndarray, h: int, k: int) -> np.ndarray:
    """SES on non-overlapping sums of ``k`` buckets (aligned at the origin), divided by k."""
    n, T = Y.shape
    nb = T // k
    if nb < 2:
        return mean(Y, h)[:, 0]
    blk = Y[:, T - nb * k:].reshape(n, nb, k)
    allnan = np.isnan(blk).all(axis=2)
    agg = np.where(allnan, np.nan, np.nansum(blk, axis=2) * k / np.maximum(
        (~np.isnan(blk)).sum(axis=2), 1))  # closed days do not lower a block's total
    level, _ = _best_alpha(agg)
    return level / k


def adida(Y: np.ndarray, h: int, m: int = 1) -> np.ndarray:
    k = np.maximum(1, np.round(_mean_interval(Y))).astype(int)
    out = np.full(Y.shape[0], np.nan)
    for kk in np.unique(k):
        rows = k == kk
        out[rows] = _adida_k(Y[rows], h, int(kk))
    return np.repeat(out[:, None], h, axis=1)


def imapa(Y: np.ndarray, h: int, m: int = 1) -> np.ndarray:
    kmax = np.maximum(1, np.round(_mean_interval(Y))).astype(int)
    K = int(min(kmax.max(), 12))
    tot = np.zeros(Y.shape[0])
    cnt = np.zeros(Y.shape[0])
    for kk in range(1, K + 1):
        rows = kmax >= kk
        if not rows.any():
            continue
        tot[rows] += _adida_k(Y[rows], h, kk)
        cnt[rows] += 1
    return np.repeat((tot / np.maximum(cnt, 1))[:, None], h, axis=1)


METHODS = {
    "snaive": snaive, "naive": naive, "ses": ses, "theta": theta, "sba": sba, "tsb": tsb,
    "adida": adida, "imapa": imapa, "ma": ma, "mean": mean,
}
