"""``stockpilot bench forecast``: hold back the last horizon, forecast it with stockpilot's
default and with the references, and score all of them the same way.

Protocol. The sales are bucketed to ``freq``; the last ``horizon`` buckets of the panel are
held back; every model sees only the buckets before them (stockpilot sees the raw rows before
the cut-off, plus the promotion flags of the held-back buckets as *planned* promotions when the
data has them, and with ``holidays_country`` the public-holiday calendar for store closures —
inputs a planner has in advance; the references are run as their libraries define them and do
not get them). Series without any sale
before the cut-off are left out. References, each fitted on the same bucketed training series
(zero-filled from the first sale, as statsforecast needs a regular series):

* ``prophet``: ``Prophet()`` with default settings (yearly/weekly seasonality on auto, 80 %
  interval from 1,000 samples), one fit per series on a local process pool;
* statsforecast 2.x: ``AutoETS``, ``AutoARIMA`` (only when ``arima=True``), ``Naive``,
  ``SeasonalNaive``, ``ADIDA``, ``IMAPA``, ``CrostonClassic`` through ``StatsForecast(n_jobs)``,
  with their 80 % intervals where the model has them.

Every forecast is clipped at 0 (demand cannot be negative). Scores:

* ``mase``, ``rmsse``: mean over series of the scaled errors (scale: the one-step naive error of
  the training series, m = 1; series with a constant history have no scale and are left out);
* ``wape``, ``bias``: pooled over all held-back buckets (Σ|e|/Σy, Σ(f−y)/Σy);
* ``pinball_p10/p50/p90``: mean over series of the pinball loss divided by the same scale as
  MASE (the M5 "scaled pinball loss"); the p50 of a model without quantiles is its mean;
* ``coverage_80``: share of held-back buckets inside [p10, p90];
* ``wall_s`` (fit + forecast, including process-pool start) and ``series_per_s``.
"""

from __future__ import annotations

import logging
import time
import warnings

import numpy as np
import pandas as pd

from forecasting.calendar import bucket, bucket_start
from forecasting.forecast import forecast
from forecasting.metrics import bias as _bias
from forecasting.metrics import wape as _wape
from forecasting.panel import KEYS, build_panel

STATS_REFERENCES = ("AutoETS", "AutoARIMA", "Naive", "SeasonalNaive", "ADIDA", "IMAPA",
                    "CrostonClassic")


def _panel_arrays(sales: pd.DataFrame, freq: str):
    panel = build_panel(sales, 1, freq, max_history=10**6)  # references see all history
    block = next(panel.blocks(max(panel.n_series, 1)))
    return panel, block


def _scores(Y_train: np.ndarray, actual: np.ndarray, fc: dict) -> dict:
    d = np.diff(Y_train, axis=1)
    with np.errstate(all="ignore"):
        s1 = np.nanmean(np.abs(d), axis=1)
        s2 = np.nanmean(d * d, axis=1)
    ok = (s1 > 0) & np.isfinite(s1)
    mean = fc["mean"]
    e = actual - mean
    out = {
        "mase": float(np.mean(np.mean(np.abs(e[ok]), axis=1) / s1[ok])),
        "rmsse": float(np.mean(np.sqrt(np.mean(e[ok] ** 2, axis=1) / s2[ok]))),
        "wape": _wape(actual, mean),
        "bias": _bias(actual, mean),
    }
    for name, q in (("p10", 0.1), ("p50", 0.5), ("p90", 0.9)):
        f = fc.get(name)
        if f is None and name == "p50":
            f = mean
        if f is None:
            out[f"pinball_{name}"] = None
            continue
        dd = actual - f
        loss = np.mean(np.maximum(q * dd, (q - 1) * dd), axis=1)
        out[f"pinball_{name}"] = float(np.mean(loss[ok] / s1[ok]))
    if fc.get("p10") is not None and fc.get("p90") is not None:
        out["coverage_80"] = float(np.mean((actual >= fc["p10"]) & (actual <= fc["p90"])))
    else:
        out["coverage_80"] = None
    out["series_scored"] = int(ok.sum())
    return out


def _long_to_matrix(df: pd.DataFrame, keys: list, dates, cols: dict) -> dict:
    out = {}
    uid = df["unique_id"].to_numpy()
    pos = pd.Series(np.arange(len(keys)), index=[f"{a}|{b}" for a, b in keys])
    r = pos.reindex(uid).to_numpy()
    c = pd.Series(np.arange(len(dates)), index=pd.DatetimeIndex(dates)).reindex(
        pd.DatetimeIndex(df["ds"])).to_numpy()
    for name, col in cols.items():
        if col not in df:
            continue
        M = np.full((len(keys), len(dates)), np.nan)
        M[r, c] = df[col].to_numpy()
        out[name] = np.maximum(np.nan_to_num(M), 0.0)
    return out


def _prophet_one(args):
    ds, y, future = args
    for name in ("cmdstanpy", "prophet"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from prophet import Prophet

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = Prophet()
        m.fit(pd.DataFrame({"ds": ds, "y": y}))
        p = m.predict(pd.DataFrame({"ds": future}))
    return (p["yhat"].to_numpy(), p["yhat_lower"].to_numpy(), p["yhat_upper"].to_numpy())


def _run_prophet(train: pd.DataFrame, keys: list, future, n_jobs: int, progress: bool):
    from forecasting.executor import local_mapper

    def tasks():
        for (_, g) in train.groupby("unique_id", sort=False):
            yield (g["ds"].to_numpy(), g["y"].to_numpy(), future)

    order = {k: i for i, k in enumerate(f"{a}|{b}" for a, b in keys)}
    train = train.assign(_o=train["unique_id"].map(order)).sort_values(["_o", "ds"])
    mapper = local_mapper(n_jobs)
    it = mapper(_prophet_one, tasks())
    if progress:
        from tqdm import tqdm

        it = tqdm(it, total=len(keys), desc="prophet", unit="series", leave=False)
    res = list(it)
    mean = np.maximum(np.array([r[0] for r in res]), 0)
    return {"mean": mean, "p10": np.maximum(np.array([r[1] for r in res]), 0),
            "p50": mean, "p90": np.maximum(np.array([r[2] for r in res]), 0)}


def run_benchmark(sales: pd.DataFrame, freq: str, horizon: int, *, max_series: int | None = None,
                  seed: int = 0, arima: bool = True, prophet: bool = True,
                  n_jobs: int | None = None,
                  progress: bool = True, combine: int = 3,
                  holidays_country: str | None = None, mapper=None) -> dict:
    """Run the benchmark (see module doc) and return the JSON-able result. ``mapper``: the
    executor seam for stockpilot's own forecast (default: the local process pool)."""
    import statsforecast.models as sfm
    from statsforecast import StatsForecast

    from forecasting.executor import default_jobs

    n_jobs = n_jobs or default_jobs()
    b = bucket(freq)
    sales = sales.copy()
    sales["date"] = pd.to_datetime(sales["date"])
    keys_all = sales[KEYS].drop_duplicates().astype(str).sort_values(KEYS)
    if max_series and len(keys_all) > max_series:
        keys_all = keys_all.sample(n=max_series, random_state=seed).sort_values(KEYS)
        sales = sales.merge(keys_all, on=KEYS)
    panel, block = _panel_arrays(sales, b.code)
    dates = panel.hist_dates
    T = len(dates)
    cut = dates[T - horizon]
    Y = np.where(np.isnan(block.Y), 0.0, block.Y)
    live = (~np.isnan(block.Y[:, : T - horizon])).any(axis=1)
    keys = [k for k, lv in zip(block.keys, live, strict=False) if lv]
    Yfull = block.Y[live]
    actual = Y[live, T - horizon:]
    Y_train = Yfull[:, : T - horizon]
    buckets = bucket_start(sales["date"], b.code)
    train_sales = sales[buckets < cut]
    train_sales = train_sales.merge(pd.DataFrame(keys, columns=KEYS), on=KEYS)
    future_promo = None
    if "promo" in sales:
        future_promo = sales[buckets >= cut][KEYS + ["date", "promo"]]

    results: dict = {}
    t0 = time.perf_counter()
    res = forecast(train_sales, horizon, b.code, future_promo=future_promo, n_jobs=n_jobs,
                   progress=progress, seed=seed, combine=combine, mapper=mapper,
                   holidays_country=holidays_country)
    wall = time.perf_counter() - t0
    fc = res.forecasts
    fc = fc.assign(unique_id=fc["item_id"] + "|" + fc["location_id"], ds=fc["date"])
    mats = _long_to_matrix(fc, keys, dates[T - horizon:], {"mean": "mean", "p10": "p10",
                                                           "p50": "p50", "p90": "p90"})
    results["stockpilot"] = {**_scores(Y_train, actual, mats), "wall_s": round(wall, 3),
                             "series_per_s": round(len(keys) / wall, 1)}
    results["stockpilot"]["models_chosen"] = (
        res.series["model"].value_counts().head(8).to_dict())

    # references on the zero-filled bucketed training series
    uid = np.repeat([f"{a}|{c}" for a, c in keys], T - horizon)
    ds = np.tile(dates[: T - horizon].values, len(keys))
    yv = np.where(np.isnan(Y_train), np.nan, Y_train).ravel()
    # zero-fill closure days inside a series' life; drop buckets before its first sale
    started = np.maximum.accumulate(~np.isnan(Y_train), axis=1).ravel()
    train = pd.DataFrame({"unique_id": uid, "ds": ds, "y": np.nan_to_num(yv)})[started]
    m = b.season_length
    specs = {
        # weekly data: no 52-week season for ETS/ARIMA (AutoETS allows at most 24; a 52-lag
        # seasonal ARIMA on ~2 years is neither affordable nor identifiable)
        "AutoETS": (lambda: sfm.AutoETS(season_length=1 if m > 24 else m), True),
        "AutoARIMA": (lambda: sfm.AutoARIMA(season_length=1 if m > 24 else m), True),
        "Naive": (lambda: sfm.Naive(), True),
        "SeasonalNaive": (lambda: sfm.SeasonalNaive(season_length=m), True),
        "ADIDA": (lambda: sfm.ADIDA(), False),
        "IMAPA": (lambda: sfm.IMAPA(), False),
        "CrostonClassic": (lambda: sfm.CrostonClassic(), False),
    }
    sf_freq = {"D": "D", "W": "W-MON", "M": "MS"}[b.code]
    for name, (make, has_int) in specs.items():
        if name == "AutoARIMA" and not arima:
            continue
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sf = StatsForecast(models=[make()], freq=sf_freq, n_jobs=n_jobs,
                               fallback_model=sfm.Naive())
            out = sf.forecast(df=train, h=horizon, level=[80] if has_int else None)
        wall = time.perf_counter() - t0
        out = out.reset_index() if "unique_id" not in out.columns else out
        cols = {"mean": name}
        if has_int:
            cols.update({"p10": f"{name}-lo-80", "p90": f"{name}-hi-80"})
        mats = _long_to_matrix(out, keys, dates[T - horizon:], cols)
        results[name] = {**_scores(Y_train, actual, mats), "wall_s": round(wall, 3),
                         "series_per_s": round(len(keys) / wall, 1)}
    if prophet:
        t0 = time.perf_counter()
        mats = _run_prophet(train, keys, dates[T - horizon:], n_jobs, progress)
        wall = time.perf_counter() - t0
        results["Prophet"] = {**_scores(Y_train, actual, mats), "wall_s": round(wall, 3),
                              "series_per_s": round(len(keys) / wall, 1)}

    refs = {k: v for k, v in results.items() if k != "stockpilot"}
    sp = results["stockpilot"]
    summary = {}
    for metric in ("mase", "rmsse"):
        best = min(refs.items(), key=lambda kv: kv[1][metric])
        summary[f"{metric}_ratio_to_best_reference"] = round(sp[metric] / best[1][metric], 4)
        summary[f"best_reference_{metric}"] = best[0]
    if "Prophet" in results:
        summary["speedup_vs_prophet"] = round(
            sp["series_per_s"] / results["Prophet"]["series_per_s"], 1)
    summary["goals"] = {
        "mase_le_0.95_best": summary["mase_ratio_to_best_reference"] <= 0.95,
        "rmsse_le_0.95_best": summary["rmsse_ratio_to_best_reference"] <= 0.95,
        "bias_within_10pct": abs(sp["bias"]) <= 0.10,
        "coverage_80_in_75_85": 0.75 <= sp["coverage_80"] <= 0.85,
        "speed_ge_20x_prophet": summary.get("speedup_vs_prophet", 0) >= 20,
    }
    for v in results.values():
        for k, x in list(v.items()):
            if isinstance(x, float):
                v[k] = round(x, 4)
    return {"freq": b.code, "horizon": horizon, "holidays_country": holidays_country,
            "series": len(keys), "cutoff": str(cut.date()),
            "n_jobs": n_jobs, "seed": seed, "models": results, "summary": summary}
