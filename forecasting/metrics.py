"""Forecast accuracy and calibration as plain functions of arrays.

``y`` is the actual demand over the evaluation horizon, ``f`` a forecast of the same shape and
``insample`` the training history (for the scaled errors). All return floats; a scaled error
whose scale is 0 (a constant history) is ``nan``.

* MASE  = mean|y − f| / mean_t |x_t − x_{t−m}| over the history x
  (Hyndman & Koehler 2006, "Another look at measures of forecast accuracy", IJF 22, eq. for
  the mean absolute scaled error; m = 1 for the non-seasonal scale).
* RMSSE = sqrt( mean (y − f)² / mean_t (x_t − x_{t−m})² ) (M5 competition guide, Makridakis,
  Spiliotis & Assimakopoulos 2022, IJF 38, eq. 1).
* WAPE  = Σ|y − f| / Σ|y|.
* bias  = Σ(f − y) / Σ|y| (positive = over-forecast).
* pinball(q) = mean( max(q (y − f), (q − 1)(y − f)) ) (Koenker & Bassett 1978; M5 uncertainty).
* coverage = share of y with lo ≤ y ≤ hi.
"""

from __future__ import annotations

import numpy as np


def _arr(x) -> np.ndarray:
    return np.asarray(x, dtype=float).ravel()


def _scale(insample, m: int, power: int) -> float:
    x = _arr(insample)
    x = x[~np.isnan(x)]
    if len(x) <= m:
        return float("nan")
    d = np.abs(x[m:] - x[:-m]) ** power
    return float(d.mean())


def mase(y, f, insample, m: int = 1) -> float:
    s = _scale(insample, m, 1)
    if not s > 0:
        return float("nan")
    return float(np.mean(np.abs(_arr(y) - _arr(f))) / s)


def rmsse(y, f, insample, m: int = 1) -> float:
    s = _scale(insample, m, 2)
    if not s > 0:
        return float("nan")
    return float(np.sqrt(np.mean((_arr(y) - _arr(f)) ** 2) / s))


def wape(y, f) -> float:
    y, f = _arr(y), _arr(f)
    tot = np.abs(y).sum()
    return float(np.abs(y - f).sum() / tot) if tot > 0 else float("nan")


def bias(y, f) -> float:
    y, f = _arr(y), _arr(f)
    tot = np.abs(y).sum()
    return float((f - y).sum() / tot) if tot > 0 else float("nan")


def pinball(y, f, q: float) -> float:
    if not 0 < q < 1:
        raise ValueError(f"pinball: quantile q must be in (0, 1), got {q}")
    d = _arr(y) - _arr(f)
    return float(np.mean(np.maximum(q * d, (q - 1) * d)))


def coverage(y, lo, hi) -> float:
    y, lo, hi = _arr(y), _arr(lo), _arr(hi)
    return float(np.mean((y >= lo) & (y <= hi)))
