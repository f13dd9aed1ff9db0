"""The panel orchestrator: sales history in, long forecast frame out.

``forecast(sales, horizon, freq)`` buckets the history (:mod:`forecasting.panel`), streams the
series in chunks through :func:`forecasting.engine.forecast_block` on the executor seam
(:mod:`forecasting.executor`), calibrates quantiles from the pooled cross-validation residuals
(:mod:`forecasting.calibration`) and gives new and short series a cold-start forecast.

Output columns (one row per item × location × future bucket): ``item_id, location_id, date``
(bucket start), ``mean``, ``p10, p50, p90`` and ``pXX`` for every extra quantile asked for
(``levels=(0.95, 0.98)`` adds ``p95, p98``: the stock that covers the bucket's demand with that
probability), and ``model`` (the chosen model, ``a+b`` for a combination, ``zero`` for a
series without demand, ``coldstart:<peers>`` for a new series). All values are >= 0.

De-biasing. Intermittent and lumpy series' forecasts are scaled by Σ actual / Σ forecast of
their group over the CV windows (clipped to 0.75..1.25), see :func:`_debias`.

Cold start. A series without history (listed in ``new_series``) gets the per-bucket median
forecast of its peers: established series of the same category (``categories`` maps item →
category) at the same location, else of the same category anywhere, else of the same location,
else of all series. A series too short for cross-validation blends its own model's forecast
with that peer forecast, weight n_obs / (W·h + max(h, 8)) on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import pandas as pd

from forecasting.calibration import GROUPS, apply_quantiles, fit_quantile_table
from forecasting.engine import EngineConfig, choose_promo_mode, forecast_block
from forecasting.errors import ForecastInputError
from forecasting.executor import Mapper, default_jobs, local_mapper, map_chunks
from forecasting.models import ALL_MODELS, quantile_name
from forecasting.panel import KEYS, build_panel, sample_block

BASE_QUANTILES = (0.1, 0.5, 0.9)


@dataclass
class ForecastResult:
    forecasts: pd.DataFrame   # the long output frame (see module doc)
    series: pd.DataFrame      # one row per series: pattern, adi, cv2, n_obs, model, status, note
    history: pd.DataFrame     # the bucketed history: item_id, location_id, date, qty


def parse_levels(levels) -> tuple[float, ...]:
    """Extra quantile levels from ``"0.95,0.98"`` or a sequence; each must be in (0, 1)."""
    if levels is None or levels == "":
        return ()
    if isinstance(levels, str):
        try:
            levels = [float(x) for x in levels.split(",") if x.strip()]
        except ValueError as exc:
            raise ForecastInputError(
                f"levels: expected numbers like 0.8,0.95, got {levels!r}") from exc
    out = []
    for q in levels:
        q = float(q)
        if not 0 < q < 1:
            raise ForecastInputError(f"levels: each level must be in (0, 1), got {q}")
        out.append(q)
    return tuple(out)


def parse_models(models) -> tuple[str, ...] | None:
    """``auto`` (None) or a tuple of model names (see :mod:`forecasting.models`)."""
    if models is None or models == "auto" or models == ("auto",):
        return None
    names = [m.strip() for m in (models.split(",") if isinstance(models, str) else models)]
    names = [m for m in names if m]
    for m in names:
        if m not in ALL_MODELS:
            raise ForecastInputError(
                f"models: unknown model {m!r}; use auto or one of {', '.join(ALL_MODELS)}")
    return tuple(names) or None


def _categories(categories) -> dict:
    if categories is None:
        return {}
    if isinstance(categories, pd.DataFrame):
        return dict(zip(categories["item_id"].astype(str), categories["category"].astype(str),
                        strict=True))
    if isinstance(categories, pd.Series):
        return {str(k): str(v) for k, v in categories.items()}
    return {str(k): str(v) for k, v in dict(categories).items()}


def _peer_forecasts(series: pd.DataFrame, mean: np.ndarray, cats: dict,
                    targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Median peer forecast (len(targets), h) and the peer group used, per target row."""
    est = series["status"].to_numpy() == "cv"
    if not est.any():
        est = series["status"].isin(["cv", "short"]).to_numpy()
    cat = series["item_id"].map(lambda i: cats.get(i, "")).to_numpy()
    loc = series["location_id"].to_numpy()
    h = mean.shape[1]
    out = np.zeros((len(targets), h))
    how = np.empty(len(targets), dtype=object)
    cache: dict = {}
    for j, r in enumerate(targets):
        for label, mask_key in (("category+location", (cat[r], loc[r])),
                                ("category", (cat[r], None)),
                                ("location", (None, loc[r])), ("all", (None, None))):
            c, lo = mask_key
            if c == "":
                continue
            if mask_key not in cache:
                m = est.copy()
                if c is not None:
                    m &= cat == c
                if lo is not None:
                    m &= loc == lo
                cache[mask_key] = np.median(mean[m], axis=0) if m.any() else None
            if cache[mask_key] is not None:
                out[j], how[j] = cache[mask_key], label
                break
        else:
            how[j] = "none"
    return out, how


DEBIAS_LIMITS = (0.75, 1.25)


def _debias(mean, resid, actual, groups, status):
    """Scale the intermittent group's forecasts (intermittent + lumpy) by Σ actual / Σ forecast
    over its CV windows (clipped to :data:`DEBIAS_LIMITS`), and its CV residuals to match.
    Croston-type methods are biased (Syntetos & Boylan 2005) and slow movers decline towards
    obsolescence; smooth series are left alone (on them the CV windows' bias did not carry
    over to the held-back period in the benchmark)."""
    fc = actual - resid
    factors = {}
    for g in (1,):
        rows = (groups == g) & (status == "cv")
        a, f = np.nansum(actual[rows]), np.nansum(fc[rows])
        k = float(np.clip(a / f, *DEBIAS_LIMITS)) if f > 0 and a > 0 else 1.0
        factors[int(g)] = k
        sel = groups == g
        mean[sel] *= k
        resid[sel] = actual[sel] - k * fc[sel]
    return mean, resid, factors


def forecast(sales: pd.DataFrame, horizon: int, freq: str, *, levels=(), models="auto",
             cv_windows: int | None = None, combine: int = 3, categories=None,
             new_series: pd.DataFrame | None = None, future_promo: pd.DataFrame | None = None,
             holidays_country: str | None = None, n_jobs: int | None = None,
             chunk_size: int = 256, mapper: Mapper | None = None, progress: bool = False,
             seed: int = 0, debias: bool = True) -> ForecastResult:
    """Forecast every item × location of ``sales`` ``horizon`` buckets of ``freq`` ahead.

    ``cv_windows``: rolling-origin windows (default: 3 when the panel's history holds
    3·h + max(h, 8) buckets, else 2). ``models``: ``"auto"`` (choice by pattern and CV) or
    names, e.g. ``"ets"`` or ``["ses", "theta"]`` (CV chooses among them). ``combine``:
    average the k best models.
    ``future_promo``: planned promotions (``item_id, location_id, date, promo``) for the
    horizon. ``mapper``: the executor seam (default: a local process pool of ``n_jobs``)."""
    if cv_windows is not None and (not isinstance(cv_windows, int) or cv_windows < 2):
        raise ForecastInputError(
            f"cv_windows: at least 2 rolling-origin windows, got {cv_windows!r}")
    extra = parse_levels(levels)
    quantiles = tuple(sorted(set(BASE_QUANTILES + extra)))
    model_names = parse_models(models)
    panel = build_panel(sales, horizon, freq, future_promo=future_promo,
                        holidays_country=holidays_country)
    h = panel.horizon
    if cv_windows is None:  # 3 windows when the history allows, else 2
        cv_windows = 3 if len(panel.hist_dates) >= 3 * h + max(h, 8) else 2
    cfg = EngineConfig(horizon=h, season_length=panel.freq.season_length, models=model_names,
                       cv_windows=cv_windows, combine=combine,
                       all_dates=tuple(panel.hist_dates.append(panel.future_dates)),
                       prophet_options={"holidays_country": holidays_country}, seed=seed)
    if "promo" in panel.long:
        cfg = replace(cfg, promo_mode=choose_promo_mode(sample_block(panel, 512), cfg))
    jobs = n_jobs if n_jobs and n_jobs > 0 else default_jobs()
    # small panels still get several chunks to spread over the workers; the chunking depends
    # only on the number of series (never on the workers), so results do not either
    chunk_size = max(1, min(chunk_size, max(32, -(-panel.n_series // 8))))
    n_chunks = -(-panel.n_series // chunk_size)
    if mapper is None:
        mapper = local_mapper(1 if n_chunks == 1 else jobs)
    results = map_chunks(partial(forecast_block, cfg=cfg), panel.blocks(chunk_size), mapper)
    if progress:
        from tqdm import tqdm

        results = tqdm(results, total=n_chunks, desc="forecast", unit="chunk", leave=False)
    parts = list(results)
    cat = {f: np.concatenate([getattr(p, f) for p in parts]) for f in
           ("mean", "resid", "actual", "scale", "model", "pattern", "adi", "cv2", "n_obs", "status",
            "closed_future")}
    keys = [k for p in parts for k in p.keys]
    notes = [dict() for _ in keys]
    off = 0
    for p in parts:
        for r, msg in p.errors.items():
            notes[off + r][msg] = 1
        off += len(p.keys)
    series = pd.DataFrame(keys, columns=KEYS)
    for f in ("pattern", "adi", "cv2", "n_obs", "model", "status"):
        series[f] = cat[f]
    mean, scale, status = cat["mean"], cat["scale"].copy(), cat["status"]
    closed = cat["closed_future"]

    # new series (no history at all) join as empty rows
    if new_series is not None and len(new_series):
        ns = new_series[KEYS].astype(str).drop_duplicates()
        ns = ns.merge(series[KEYS], on=KEYS, how="left", indicator=True)
        ns = ns[ns["_merge"] == "left_only"][KEYS]
        if len(ns):
            add = pd.DataFrame({**{k: ns[k].to_numpy() for k in KEYS}, "pattern": "new",
                                "adi": np.inf, "cv2": np.nan, "n_obs": 0, "model": "",
                                "status": "empty"})
            series = pd.concat([series, add], ignore_index=True)
            mean = np.vstack([mean, np.zeros((len(ns), h))])
            scale = np.concatenate([scale, np.zeros(len(ns))])
            closed = np.vstack([closed, np.zeros((len(ns), h), bool)])
            for f in ("resid", "actual"):
                cat[f] = np.concatenate([cat[f], np.full((len(ns),) + cat[f].shape[1:], np.nan)])
            notes += [dict() for _ in range(len(ns))]
            status = series["status"].to_numpy()

    groups = series["pattern"].map(GROUPS).fillna(0).astype(int).to_numpy()
    if debias:
        mean, cat["resid"], factors = _debias(mean, cat["resid"], cat["actual"], groups, status)
    level = mean.mean(axis=1)
    # cold start for empty and short series
    targets = np.flatnonzero(np.isin(status, ["empty", "short"]))
    if len(targets):
        peer, how = _peer_forecasts(series, mean, _categories(categories), targets)
        need = cv_windows * h + max(h, 8)
        w = np.clip(series["n_obs"].to_numpy()[targets] / need, 0, 1)
        w = np.where(status[targets] == "empty", 0.0, w)
        blend = w[:, None] * mean[targets] + (1 - w[:, None]) * peer
        mean[targets] = np.where(closed[targets], 0.0, blend)
        lab = series["model"].to_numpy().astype(object)
        lab[targets] = [f"coldstart:{hw}" if st == "empty" else f"{m}+coldstart:{hw}"
                        for st, m, hw in zip(status[targets], lab[targets], how, strict=False)]
        series["model"] = lab
        # a scale for quantiles: own if it has one, else the peers' median scale/level ratio
        est = status == "cv"
        ratio = np.median(scale[est] / np.maximum(level[est], 1e-9)) if est.any() else 1.0
        level = mean.mean(axis=1)
        scale[targets] = np.where(scale[targets] > 0, scale[targets], ratio * level[targets])

    # quantiles from pooled, scaled CV residuals
    s_eff = np.where(scale > 0, scale, np.maximum(level, 1e-9))
    R = cat["resid"] / s_eff[:, None, None]
    table = fit_quantile_table(R, groups, quantiles)
    Qs = apply_quantiles(mean, s_eff, groups, table, closed)
    zero = series["model"].to_numpy() == "zero"
    Qs[:, zero] = 0.0

    n = len(series)
    out = pd.DataFrame({
        "item_id": np.repeat(series["item_id"].to_numpy(), h),
        "location_id": np.repeat(series["location_id"].to_numpy(), h),
        "date": np.tile(panel.future_dates.values, n),
        "mean": mean.ravel(),
    })
    for a, q in enumerate(quantiles):
        out[quantile_name(q)] = Qs[a].ravel()
    out["model"] = np.repeat(series["model"].to_numpy(), h)
    series["note"] = ["; ".join(list(panel.issues.get((i, lo), [])) + list(nt))
                      for i, lo, nt in zip(series["item_id"], series["location_id"], notes,
                                           strict=True)]
    hist = panel.long[KEYS + ["date", "qty"]]
    return ForecastResult(forecasts=out, series=series, history=hist)
