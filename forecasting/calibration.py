"""Quantiles from cross-validation residuals (split-conformal style, pooled and scaled).

Each series i contributes its cross-fitted CV residuals e_{i,w,k} = y − ŷ (window w, step k),
divided by its scale s_i (mean |Δy| of its history, the MASE denominator). The normalised
residuals are pooled over the series of a pattern group (smooth + erratic, intermittent +
lumpy) and, when there are at least :data:`MIN_PER_STEP` of them per step, per horizon step k.
The q-quantile of a series' bucket is then

    ŷ_q = max(0, ŷ + s_i · Q_group,k(q)),

Q the empirical quantile with the finite-sample correction of split conformal prediction
(level ⌈(n+1)q⌉/n; Vovk et al. 2005, Lei et al. 2018 JASA 113). Quantiles are made monotone
in q. Coverage of these intervals is measured on held-back data by ``stockpilot bench
forecast`` (see ``docs/benchmarks/forecasting.md``).
"""

from __future__ import annotations

import numpy as np

MIN_PER_STEP = 200
GROUPS = {"smooth": 0, "erratic": 0, "intermittent": 1, "lumpy": 1, "zero": 1}


def _conformal_q(x: np.ndarray, q: float) -> float:
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return 0.0
    n = len(x)
    level = min(1.0, max(0.0, np.ceil((n + 1) * q) / n)) if q >= 0.5 else \
        max(0.0, min(1.0, np.floor((n + 1) * q) / n))
    return float(np.quantile(x, level, method="higher" if q >= 0.5 else "lower"))


def fit_quantile_table(norm_resid: np.ndarray, groups: np.ndarray, quantiles) -> dict:
    """{group: (len(quantiles), h) normalised residual quantiles} from (n, W, h) residuals."""
    n, W, h = norm_resid.shape
    table = {}
    allq = np.zeros((len(quantiles), h))
    for g in (0, 1, None):
        R = norm_resid if g is None else norm_resid[groups == g]
        per_step = np.isfinite(R).sum(axis=(0, 1)).min(initial=0) >= MIN_PER_STEP
        Q = np.zeros((len(quantiles), h))
        flat = R.reshape(-1)
        for a, q in enumerate(quantiles):
            if per_step:
                Q[a] = [_conformal_q(R[:, :, k].ravel(), q) for k in range(h)]
            else:
                Q[a] = _conformal_q(flat, q)
        if g is None:
            allq = Q
        elif np.isfinite(R).sum() >= 20:
            table[g] = Q
    for g in (0, 1):
        table.setdefault(g, allq)
    return table


def apply_quantiles(mean: np.ndarray, scale: np.ndarray, groups: np.ndarray, table: dict,
                    closed: np.ndarray | None = None) -> np.ndarray:
    """(len(quantiles), n, h) quantile forecasts, non-negative and monotone in q."""
    out = np.stack([mean + scale[:, None] * table_rows for table_rows in
                    np.stack([table[g] for g in groups], axis=1)])  # (Q, n, h)
    out = np.maximum(out, 0.0)
    out = np.maximum.accumulate(out, axis=0)
    if closed is not None:
        out = np.where(closed[None], 0.0, out)
    return out
