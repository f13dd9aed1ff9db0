"""Publishing a planning run to a folder: plan files, ``kpis.json`` and PNG charts, atomically.

Files (``fmt`` ``csv`` or ``parquet``; a file is missing only when its stage did not run — an
empty plan from a stage that ran is written with its header):

==========================  =================================================================
``forecasts.<fmt>``          item_id, location_id, date, mean, p10, p50, p90, model
``purchase_orders.<fmt>``    the replenishment stage's proposed PO lines (with reasons)
``transfers.<fmt>``          the allocation stage's proposed transfers
``presale_plan.<fmt>``       the presale stage's MO/PO rows
``allocation_<name>.<fmt>``  the allocation stage's other frames (deployment targets, flows, ...)
``alerts.<fmt>``             type, severity, item_id, location_id, message, value, threshold
``series_kpis.<fmt>``        per item × warehouse: fill rate, stock-out days, lost units, ...
``projection.<fmt>``         projected stock value p10/p50/p90 per day
``kpis.json``                KPIs (mean, interval), run metadata (scenario, as_of, seed, input
                             hash, versions, stage reports)
``kpis.png``                 headline KPIs with their confidence intervals
``projection.png``           projected stock value band
``forecast.png``             total demand: history and forecast band
==========================  =================================================================

Atomic: everything is written to a hidden sibling folder first, which then replaces ``out`` by
renames, so a reader sees the previous complete run or the new complete run.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

FRAMES = ("forecasts", "purchase_orders", "transfers", "presale_plan", "alerts", "series_kpis", "projection")


def _jsonable(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object and out[c].map(lambda v: isinstance(v, (dict, list))).any():
            out[c] = out[c].map(lambda v: json.dumps(v, default=str) if isinstance(v, (dict, list)) else v)
    return out


def _clean(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def kpis_document(result) -> dict:
    """The ``kpis.json`` body: run metadata, then per KPI its mean and interval."""
    intervals = {}
    if result.kpi_intervals is not None:
        for r in result.kpi_intervals.itertuples(index=False):
            intervals[r.kpi] = {"mean": _clean(float(r.mean)), "ci_low": _clean(float(r.ci_low)),
                                "ci_high": _clean(float(r.ci_high)), "n": int(r.n)}
    return {**result.metadata(), "kpis": {k: _clean(float(v)) for k, v in result.kpis.items()},
            "kpi_intervals": intervals,
            "alerts": {} if result.alerts is None else result.alerts.groupby("severity").size().astype(int).to_dict()}


def _charts(result, folder: Path, history: pd.DataFrame | None) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    ci = result.kpi_intervals.set_index("kpi") if result.kpi_intervals is not None else None
    show = [k for k in ("fill_rate", "cycle_service_level", "slow_moving_rate", "aged_stock_rate",
                        "turnover_days", "stockout_days") if ci is not None and k in ci.index]
    if show:
        fig, axes = plt.subplots(1, len(show), figsize=(2.6 * len(show), 3.2))
        for ax, k in zip(axes if len(show) > 1 else [axes], show):
            m, lo, hi = ci.loc[k, "mean"], ci.loc[k, "ci_low"], ci.loc[k, "ci_high"]
            err = [[max(m - lo, 0)], [max(hi - m, 0)]] if math.isfinite(lo) and math.isfinite(hi) else None
            ax.bar([0], [m if math.isfinite(m) else 0], yerr=err, capsize=6, color="#4878a8")
            ax.set_title(k, fontsize=9)
            ax.set_xticks([])
        fig.suptitle(f"KPIs — scenario {result.scenario.name} (mean, 95% interval)", fontsize=10)
        fig.tight_layout()
        paths.append(folder / "kpis.png")
        fig.savefig(paths[-1], dpi=90)
        plt.close(fig)
    if result.projection is not None:
        p = result.projection
        fig, ax = plt.subplots(figsize=(8, 3.5))
        ax.fill_between(p["date"], p["stock_value_p10"], p["stock_value_p90"], alpha=0.3, label="p10–p90")
        ax.plot(p["date"], p["stock_value_p50"], label="median")
        ax.set_title("Projected stock value on hand (all items and warehouses)")
        ax.legend()
        fig.autofmt_xdate()
        fig.tight_layout()
        paths.append(folder / "projection.png")
        fig.savefig(paths[-1], dpi=90)
        plt.close(fig)
    if result.forecasts is not None and not result.forecasts.empty:
        f = result.forecasts.groupby("date")[["mean", "p10", "p90"]].sum()
        fig, ax = plt.subplots(figsize=(8, 3.5))
        if history is not None and not history.empty:
            h = history.groupby("date")["qty"].sum()
            h = h[h.index >= f.index.min() - pd.Timedelta(weeks=52)]
            ax.plot(h.index, h.values, color="black", lw=1, label="history")
        ax.plot(f.index, f["mean"], label="forecast mean")
        ax.fill_between(f.index, f["p10"], f["p90"], alpha=0.3, label="sum of p10..p90 (band)")
        ax.set_title("Total demand: history and forecast")
        ax.legend()
        fig.autofmt_xdate()
        fig.tight_layout()
        paths.append(folder / "forecast.png")
        fig.savefig(paths[-1], dpi=90)
        plt.close(fig)
    return paths


def publish(result, out: str | Path, fmt: str = "csv", history: pd.DataFrame | None = None,
            charts: bool = True) -> list[Path]:
    """Write the run to ``out`` (replacing what was there, atomically). Returns the final paths."""
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"format must be csv or parquet, not {fmt!r}")
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        names = []
        for name in FRAMES:
            frame = getattr(result, name, None)
            if frame is None:   # a stage that did not run; an empty plan is still written
                continue
            path = tmp / f"{name}.{fmt}"
            if fmt == "csv":
                _jsonable(frame).to_csv(path, index=False, float_format="%.6g")
            else:
                _jsonable(frame).to_parquet(path, index=False)
            names.append(path.name)
        for name, frame in (getattr(result, "allocation", None) or {}).items():
            if isinstance(frame, pd.DataFrame) and not frame.empty:
                path = tmp / f"allocation_{name}.{fmt}"
                if fmt == "csv":
                    _jsonable(frame).to_csv(path, index=False, float_format="%.6g")
                else:
                    _jsonable(frame).to_parquet(path, index=False)
                names.append(path.name)
        (tmp / "kpis.json").write_text(json.dumps(kpis_document(result), indent=2, default=str) + "\n")
        names.append("kpis.json")
        if charts:
            names += [p.name for p in _charts(result, tmp, history)]
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rmdir(old)
            os.replace(out, old)
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out / n for n in names]
