"""Per-block work: demand classification, rolling-origin cross-validation, model choice with
fallback, final forecasts and the cross-validation residuals used for calibration.

For a block of series (:class:`forecasting.panel.Block`) with T history buckets, horizon h and
W windows, the CV origins are o_w = T − (W − w)·h, w = 0..W−1: each candidate model is fitted
on y[:o_w] and scored on y[o_w : o_w + h] by

    score = MAE / mean|Δy| + sqrt(MSE / mean(Δy)²)

(the sum of the series' MASE and RMSSE on that window, Δ the one-step difference of the
history, Hyndman & Koehler 2006; M5 2022). Candidates are restricted by the demand pattern
(:mod:`forecasting.classify`): smooth/erratic series choose among level, trend and seasonal
methods, intermittent/lumpy ones among the intermittent-demand methods. The chosen model is
the best mean score, or with ``combine = k > 1`` the equal-weight mean of the k best (forecast
combination, e.g. Petropoulos & Svetunkov 2020, IJF 36). A candidate that raises or returns a
non-finite value on a series is skipped for that series; when none is left the series falls back
to seasonal naive, then to its mean.

Residuals for calibration are *cross-fitted*: the residual of window w comes from the model
chosen on the other windows, so the selection does not make the intervals look better than
they are. Series too short for CV (fewer than W·h + max(h, 8) buckets) get their pattern's
default model (``ses`` or ``sba``) and are blended with the cold-start forecast by the caller.
No fitted model is kept: a block returns arrays only.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from forecasting.adjust import run_method
from forecasting.classify import adi_cv2, classify
from forecasting.models import is_fast, make_forecaster
from forecasting.panel import Block

AUTO_SMOOTH = ("snaive", "ses", "theta", "ses_s", "theta_s", "ma_s", "imapa")
AUTO_INTERMITTENT = ("sba", "tsb", "adida", "imapa", "ses", "ma", "mean")
INTERMITTENT = ("intermittent", "lumpy")


@dataclass(frozen=True)
class EngineConfig:
    horizon: int
    season_length: int
    models: tuple[str, ...] | None = None   # None = automatic choice by pattern
    cv_windows: int = 2
    combine: int = 1
    all_dates: tuple = ()                    # history then future bucket dates
    prophet_options: dict = field(default_factory=dict)
    seed: int = 0
    promo_mode: int = 0                      # see adjust.run_method; from choose_promo_mode


@dataclass
class BlockResult:
    keys: list
    mean: np.ndarray        # (n, h)
    resid: np.ndarray       # (n, W, h) cross-fitted CV residuals (NaN if not CV'd)
    actual: np.ndarray      # (n, W, h) the CV windows' actuals (NaN if not CV'd)
    scale: np.ndarray       # (n,) mean |Δy| of the history (0 if constant)
    model: np.ndarray       # (n,) model name
    pattern: np.ndarray     # (n,)
    adi: np.ndarray
    cv2: np.ndarray
    n_obs: np.ndarray
    status: np.ndarray      # cv | short | zero | empty
    closed_future: np.ndarray
    errors: dict            # row -> message of a model failure


def _candidates(cfg: EngineConfig, pattern: np.ndarray, m: int, T: int) -> list[str]:
    if cfg.models is not None:
        return list(cfg.models)
    names = list(dict.fromkeys(AUTO_SMOOTH + AUTO_INTERMITTENT))
    if m <= 1 or T < 2 * m:
        names = [c for c in names if not c.endswith("_s")]
    return names


def _eligible(cfg: EngineConfig, name: str, pattern: np.ndarray) -> np.ndarray:
    if cfg.models is not None:
        return np.ones(len(pattern), bool)
    inter = np.isin(pattern, INTERMITTENT)
    return np.where(inter, name in AUTO_INTERMITTENT, name in AUTO_SMOOTH)


def _forecast(name: str, Y: np.ndarray, P, o: int, cfg: EngineConfig, errors: dict,
              rows: np.ndarray, mode: np.ndarray | None = None) -> np.ndarray:
    """(len(rows), h) forecasts of model ``name`` from origin ``o`` (NaN where it failed)."""
    h, m = cfg.horizon, cfg.season_length
    Yo = Y[rows, :o]
    Po = None if P is None else P[rows, :o + h]
    if is_fast(name):
        with np.errstate(all="ignore"):
            return run_method(name.removesuffix("_s"), Yo, h, m, Po, name.endswith("_s"),
                              None if mode is None else mode[rows])
    out = np.full((len(rows), h), np.nan)
    dates = np.asarray(cfg.all_dates)
    for i, r in enumerate(rows):
        y = Yo[i]
        valid = np.flatnonzero(~np.isnan(y))
        if len(valid) < 2:
            continue
        s = valid[0]
        ys = y[s:]
        if name != "prophet":
            ys = np.where(np.isnan(ys), 0.0, ys)
        try:
            np.random.seed(cfg.seed)
            fc = make_forecaster(name, m, **(cfg.prophet_options if name == "prophet" else {}))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fc.fit(ys, ds=dates[s:o] if len(dates) else None,
                       x=None if Po is None else Po[i, s:o])
                out[i] = fc.predict(h, ds_future=dates[o:o + h] if len(dates) else None,
                                    x_future=None if Po is None else Po[i, o:o + h])["mean"]
        except Exception as exc:  # one bad series must not stop the run
            errors[int(r)] = f"{name} failed: {type(exc).__name__}: {exc}"[:300]
    return out


def choose_promo_mode(block: Block, cfg: EngineConfig) -> int:
    """How promotions enter the fast methods (see :func:`adjust.run_method`), decided once for
    the panel on a sample block: the mode whose SES forecasts score better in total over the CV
    windows of the sampled series that have promotions. (Per-series choices on two short
    windows proved too noisy.)"""
    Y, P = block.Y, block.P
    n, T = Y.shape
    h, W, m = cfg.horizon, cfg.cv_windows, cfg.season_length
    if P is None or T < W * h + max(h, 8):
        return 0
    rows = np.flatnonzero((P[:, :T] >= 0.5).any(axis=1) & (block.n_obs >= W * h + max(h, 8)))
    if not len(rows):
        return 0
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        d = np.diff(Y[rows], axis=1)
        s1 = np.nan_to_num(np.nanmean(np.abs(d), axis=1))
        s2 = np.nan_to_num(np.nanmean(d * d, axis=1))
    s1 = np.where(s1 > 0, s1, 1.0)[:, None]
    s2 = np.where(s2 > 0, s2, 1.0)
    total = np.zeros(2)
    for md in (0, 1):
        for w in range(W):
            o = T - (W - w) * h
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                f = run_method("ses", Y[rows, :o], h, m, P[rows, :o + h], False,
                               np.full(len(rows), md))
                e = Y[rows, o:o + h] - f
                sc = np.nanmean(np.abs(e) / s1, axis=1) + np.sqrt(np.nanmean(e * e, axis=1) / s2)
            total[md] += np.nansum(np.where(np.isfinite(sc), sc, np.nan))
    return int(total[1] < total[0])


def forecast_block(block: Block, cfg: EngineConfig) -> BlockResult:
    Y, P = block.Y, block.P
    n, T = Y.shape
    h, W, m = cfg.horizon, cfg.cv_windows, cfg.season_length
    adi, cv2 = adi_cv2(Y)
    pattern = classify(adi, cv2)
    n_obs = block.n_obs
    valid = ~np.isnan(Y)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        d = np.diff(np.where(valid, Y, np.nan), axis=1)
        scale = np.nan_to_num(np.nanmean(np.abs(d), axis=1))
        scale2 = np.nan_to_num(np.nanmean(d * d, axis=1))
    first = np.where(valid.any(axis=1), valid.argmax(axis=1), T)
    need = W * h + max(h, 8)
    status = np.where(n_obs == 0, "empty", np.where(
        pattern == "zero", "zero", np.where(T - first >= need, "cv", "short"))).astype(object)
    mean = np.zeros((n, h))
    resid = np.full((n, W, h), np.nan)
    actual = np.full((n, W, h), np.nan)
    model = np.where(status == "zero", "zero", "").astype(object)
    errors: dict = {}

    cvr = np.flatnonzero(status == "cv")
    mode = np.full(n, cfg.promo_mode, dtype=int)
    if len(cvr):
        names = _candidates(cfg, pattern[cvr], m, T)
        C = len(names)
        F = np.full((C, len(cvr), W, h), np.nan)
        A = np.stack([Y[cvr, T - (W - w) * h: T - (W - w) * h + h] for w in range(W)], axis=1)
        for c, name in enumerate(names):
            elig = _eligible(cfg, name, pattern[cvr])
            for w in range(W):
                o = T - (W - w) * h
                f = np.full((len(cvr), h), np.nan)
                if elig.any() and is_fast(name):  # all rows: shares memoised SES fits
                    f[elig] = _forecast(name, Y, P, o, cfg, errors, cvr, mode)[elig]
                elif elig.any():
                    f[elig] = _forecast(name, Y, P, o, cfg, errors, cvr[elig], mode)
                F[c, :, w] = f
        actual[cvr] = A
        E = F - A[None]
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            s1 = np.where(scale[cvr] > 0, scale[cvr], 1.0)[None, :, None]
            s2 = np.where(scale2[cvr] > 0, scale2[cvr], 1.0)[None, :, None]
            sc = np.nanmean(np.abs(E), axis=3) / s1 + np.sqrt(np.nanmean(E * E, axis=3) / s2)
        sc = np.where(np.isfinite(sc) & np.isfinite(F).all(axis=3), sc, np.inf)  # (C, n, W)
        total = sc.mean(axis=2)
        k = max(1, min(cfg.combine, C))
        order = np.argsort(total, axis=0, kind="stable")[:k]          # (k, n)
        ok = np.isfinite(np.take_along_axis(total, order, axis=0))     # (k, n)
        # cross-fitted residuals: choose on the other windows, evaluate on window w
        for w in range(W):
            other = np.delete(sc, w, axis=2).mean(axis=2) if W > 1 else total
            ow = np.argsort(other, axis=0, kind="stable")[:k]
            okw = np.isfinite(np.take_along_axis(other, ow, axis=0))
            fw = np.take_along_axis(F[:, :, w], ow[:, :, None], axis=0)  # (k, n, h)
            fw = np.where(okw[:, :, None], fw, np.nan)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                resid[cvr, w] = A[:, w] - np.nanmean(fw, axis=0)
        # final fits from the last origin, only for the models some series chose
        final = np.full((k, len(cvr), h), np.nan)
        for c in np.unique(order[ok]):
            for j in range(k):
                rows = np.flatnonzero(ok[j] & (order[j] == c))
                if len(rows):
                    final[j, rows] = _forecast(names[c], Y, P, T, cfg, errors, cvr[rows], mode)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            fm = np.nanmean(final, axis=0)
        label = np.array(["+".join(names[c] for c, o in zip(order[:, i], ok[:, i], strict=True)
                                   if o)
                          for i in range(len(cvr))], dtype=object)
        mean[cvr] = fm
        model[cvr] = label
    # short series: the pattern's default model; failures fall back below
    sh = np.flatnonzero(status == "short")
    for default in ("ses", "sba"):
        rows = sh[np.isin(pattern[sh], INTERMITTENT) == (default == "sba")]
        if len(rows):
            mean[rows] = _forecast(default, Y, P, T, cfg, errors, rows)
            model[rows] = default
    bad = np.flatnonzero(~np.isfinite(mean).all(axis=1) & np.isin(status, ["cv", "short"]))
    for fb in ("snaive", "mean"):
        if len(bad):
            mean[bad] = _forecast(fb, Y, P, T, cfg, errors, bad)
            model[bad] = fb
            bad = bad[~np.isfinite(mean[bad]).all(axis=1)]
    mean[bad] = 0.0
    model[bad] = "zero"
    mean = np.where(block.closed_future, 0.0, np.maximum(np.nan_to_num(mean), 0.0))
    return BlockResult(keys=block.keys, mean=mean, resid=resid, actual=actual, scale=scale,
                       model=model,
                       pattern=pattern, adi=adi, cv2=cv2, n_obs=n_obs, status=status,
                       closed_future=block.closed_future, errors=errors)
