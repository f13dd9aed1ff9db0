"""Demand-pattern classification by ADI and CV² (Syntetos, Boylan & Croston 2005).

* ADI, the average inter-demand interval: the number of observed buckets divided by the
  number of buckets with a positive demand (1.0 = a sale every bucket).
* CV², the squared coefficient of variation of the positive demand sizes (population
  variance / mean²).

Cut-offs from Syntetos, Boylan & Croston, "On the categorization of demand patterns",
*JORS* 56 (2005) 495–503: ADI = 1.32 and CV² = 0.49.

=========  ==========  ==========
pattern    ADI         CV²
=========  ==========  ==========
smooth     < 1.32      < 0.49
erratic    < 1.32      >= 0.49
intermittent  >= 1.32  < 0.49
lumpy      >= 1.32     >= 0.49
zero       no positive demand at all
=========  ==========  ==========
"""

from __future__ import annotations

import numpy as np

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49
PATTERNS = ("smooth", "erratic", "intermittent", "lumpy", "zero")


def adi_cv2(Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ADI and CV² of each row of ``Y`` (NaN = not observed). Rows without demand get
    ADI = inf and CV² = NaN."""
    Y = np.atleast_2d(np.asarray(Y, dtype=float))
    valid = ~np.isnan(Y)
    pos = valid & (np.where(valid, Y, 0) > 0)
    n_obs = valid.sum(axis=1)
    n_pos = pos.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        adi = np.where(n_pos > 0, n_obs / np.maximum(n_pos, 1), np.inf)
        mu = np.where(pos, Y, 0).sum(axis=1) / np.maximum(n_pos, 1)
        var = np.where(pos, (Y - mu[:, None]) ** 2, 0).sum(axis=1) / np.maximum(n_pos, 1)
        cv2 = np.where(n_pos > 0, var / np.maximum(mu * mu, 1e-300), np.nan)
    return adi, cv2


def classify(adi: np.ndarray, cv2: np.ndarray) -> np.ndarray:
    """Pattern name per series from ADI and CV² (see the table above)."""
    adi = np.asarray(adi, dtype=float)
    cv2 = np.asarray(cv2, dtype=float)
    out = np.where(adi < ADI_CUTOFF,
                   np.where(cv2 < CV2_CUTOFF, "smooth", "erratic"),
                   np.where(cv2 < CV2_CUTOFF, "intermittent", "lumpy")).astype(object)
    out[~np.isfinite(adi)] = "zero"
    return out


def demand_pattern(y) -> str:
    """Pattern of one series (a sequence of bucket quantities)."""
    adi, cv2 = adi_cv2(np.asarray(y, dtype=float)[None, :])
    return str(classify(adi, cv2)[0])
