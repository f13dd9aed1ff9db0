"""Monte Carlo evaluation: demand sampled from forecast quantiles, a confidence interval on
every KPI.

Sampling from quantiles
-----------------------
A forecast row gives quantiles ``q(p)`` at levels ``p`` (columns ``p10``, ``p50``, ``p90`` and
any other ``pXX``). Demand for that bucket is ``Q(U)`` with ``U ~ U(0, 1)`` and ``Q`` the
piecewise-linear interpolation of the given quantiles, extended linearly to ``p = 0`` and
``p = 1`` with the slope of the nearest segment (floored at 0). Buckets are drawn
independently; a bucket's units are spread evenly over its days (its length is the gap to the
next forecast date of the series, or its median gap for the last one — the frame's median gap
for a series with one bucket).

Confidence intervals
--------------------
Each replication runs the whole horizon with its own demand path (all replications in one
vectorised simulation, rows tagged ``rep``). For each KPI ``k`` with per-replication values
``k_1..k_n``: ``mean ± t_{1-α/2, n-1} · s / √n`` (Student t, ``s`` the sample standard
deviation).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from scenarios.simulation.engine import SimulationConfig, SimulationResult, simulate
from scenarios.simulation.summary import summarize

QUANTILE_COLUMN = re.compile(r"^p(\d{1,2}(?:\.\d+)?)$")


def quantile_columns(frame: pd.DataFrame) -> dict[float, str]:
    """``{0.1: "p10", 0.5: "p50", ...}`` for the quantile columns of a forecast frame."""
    out = {float(m.group(1)) / 100.0: c for c in frame.columns if (m := QUANTILE_COLUMN.match(str(c)))}
    if len(out) < 2:
        raise ValueError("forecast frame needs at least two quantile columns such as p10, p50, p90")
    return dict(sorted(out.items()))


def quantile_sample(levels: np.ndarray, values: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Evaluate the extended piecewise-linear quantile function at ``u``.

    ``levels`` (k,) increasing in (0, 1); ``values`` (m, k) quantiles per row (sorted along the
    row first, so crossing quantiles cannot produce negative densities); ``u`` (r, m).
    Returns (r, m) samples >= 0.
    """
    v = np.sort(np.asarray(values, float), axis=1)
    p = np.asarray(levels, float)
    lo = v[:, 0] - (v[:, 1] - v[:, 0]) * p[0] / (p[1] - p[0])
    hi = v[:, -1] + (v[:, -1] - v[:, -2]) * (1 - p[-1]) / (p[-1] - p[-2])
    grid = np.concatenate([[0.0], p, [1.0]])
    vals = np.column_stack([np.maximum(lo, 0.0), v, hi])
    # piecewise-linear per row: locate the segment of each u
    seg = np.clip(np.searchsorted(grid, u, side="right") - 1, 0, len(grid) - 2)
    g0, g1 = grid[seg], grid[seg + 1]
    rows = np.arange(v.shape[0])[None, :]
    y0, y1 = vals[rows, seg], vals[rows, seg + 1]
    out = y0 + (y1 - y0) * (u - g0) / (g1 - g0)
    return np.maximum(out, 0.0)


def forecast_sampler(forecasts: pd.DataFrame, setup: pd.DataFrame, dates: pd.DatetimeIndex,
                     location_map: dict[str, str] | None = None,
                     serving: dict[str, np.ndarray] | None = None,
                     ) -> Callable[[np.random.Generator, int], np.ndarray]:
    """A function ``(rng, reps) -> demand (reps, series, days)`` drawing from ``forecasts``
    (long: ``item_id, location_id, date`` + quantile columns) for the series of ``setup``.

    ``location_map`` sends forecast locations to simulated ones (e.g. stores to the warehouse
    serving them); forecasts mapped to one series are drawn independently and added."""
    levels_map = quantile_columns(forecasts)
    levels = np.array(list(levels_map))
    cols = list(levels_map.values())
    fc = forecasts.copy()
    fc["date"] = pd.to_datetime(fc["date"])
    if location_map:
        fc["sim_location"] = fc["location_id"].map(lambda x: location_map.get(x, x))
    else:
        fc["sim_location"] = fc["location_id"]
    dates = pd.DatetimeIndex(dates)
    keys = list(zip(setup["item_id"], setup["location_id"]))
    if serving:
        fc = fc[fc["location_id"].isin(serving)]
    missing = [] if serving else [k for k in keys if k not in set(zip(fc["item_id"], fc["sim_location"]))]
    if missing:
        raise ValueError(f"no forecast for item {missing[0][0]} at {missing[0][1]}")
    # bucket (row of the flattened forecast) -> which series, which days
    bucket_rows, bucket_series, spans = [], [], []
    pos = {k: i for i, k in enumerate(keys)}
    all_gaps = fc.sort_values("date").groupby(["item_id", "location_id"])["date"].diff().dropna()
    global_gap = int(all_gaps.dt.days.median()) if len(all_gaps) else 7
    for (item, src, loc), g in fc.groupby(["item_id", "location_id", "sim_location"], sort=False):
        if serving:
            day_loc = np.asarray(serving[src])
            if len(day_loc) != len(dates):
                raise ValueError(f"serving[{src!r}] must name one location per simulated day")
            unknown = sorted({w for w in day_loc if (item, w) not in pos})
            if unknown:
                raise ValueError(f"item {item} at {unknown[0]}: serves {src} but is not a simulated series")
            day_series = np.array([pos[(item, w)] for w in day_loc])
        elif (item, loc) not in pos:
            continue
        else:
            day_series = np.full(len(dates), pos[(item, loc)])
        g = g.sort_values("date")
        d = g["date"].to_numpy()
        gaps = np.diff(d).astype("timedelta64[D]").astype(int)
        default_gap = int(np.median(gaps)) if len(gaps) else global_gap
        ends = np.append(d[1:], d[-1] + np.timedelta64(default_gap, "D"))
        for row, start, end in zip(g.index, d, ends):
            first = dates.searchsorted(start)
            last = dates.searchsorted(end)
            if last > first:
                bucket_rows.append(row)
                bucket_series.append(day_series[first:last])
                spans.append((first, last, (end - start) / np.timedelta64(1, "D")))
    values = fc.loc[bucket_rows, cols].to_numpy(float)
    n, days = len(keys), len(dates)

    def sample(rng: np.random.Generator, reps: int) -> np.ndarray:
        u = rng.random((reps, len(bucket_rows)))
        draws = quantile_sample(levels, values, u)  # (reps, buckets)
        out = np.zeros((reps, n, days))
        for b, (first, last, length) in enumerate(spans):
            out[:, bucket_series[b], np.arange(first, last)] += (draws[:, b] / length)[:, None]
        return out

    return sample


@dataclass(frozen=True)
class MonteCarloResult:
    """``per_rep``: one row of KPIs per replication; ``summary``: per KPI the mean, standard
    deviation and the confidence interval; ``trace``: the stacked simulation."""

    per_rep: pd.DataFrame
    summary: pd.DataFrame
    trace: SimulationResult
    confidence: float


def confidence_intervals(per_rep: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Student-t interval of the mean of every KPI column (``rep`` excluded)."""
    if not 0 < confidence < 1:
        raise ValueError("confidence must be in (0, 1)")
    rows = []
    for col in [c for c in per_rep.columns if c != "rep"]:
        x = per_rep[col].to_numpy(float)
        x = x[np.isfinite(x)]
        n = len(x)
        mean = float(x.mean()) if n else float("nan")
        sd = float(x.std(ddof=1)) if n > 1 else float("nan")
        half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / np.sqrt(n)) if n > 1 else float("nan")
        rows.append({"kpi": col, "mean": mean, "std": sd, "ci_low": mean - half,
                     "ci_high": mean + half, "n": n})
    return pd.DataFrame(rows)


def monte_carlo(setup: pd.DataFrame, sample_demand: Callable[[np.random.Generator, int], np.ndarray],
                policy, config: SimulationConfig = SimulationConfig(), n_reps: int = 100,
                dates: pd.DatetimeIndex | None = None, closed: np.ndarray | None = None,
                confidence: float = 0.95, presale_units: float = 0.0,
                slow_moving_days: int = 90) -> MonteCarloResult:
    """Simulate ``n_reps`` demand paths (seeded by ``config.seed``) under ``policy``."""
    if n_reps < 2:
        raise ValueError("n_reps must be at least 2 for a confidence interval")
    rng = np.random.default_rng(config.seed)
    demand = np.asarray(sample_demand(rng, n_reps), float)
    reps, n, days = demand.shape
    if n != len(setup):
        raise ValueError(f"sampled demand has {n} series, setup {len(setup)}")
    stacked = pd.concat([setup.assign(rep=r) for r in range(reps)], ignore_index=True)
    tiled = policy.tile(reps) if hasattr(policy, "tile") else policy
    closed_all = None if closed is None else np.tile(np.asarray(closed, bool), (reps, 1))
    sim_cfg = replace(config, seed=int(rng.integers(2**31)))
    trace = simulate(stacked, demand.reshape(reps * n, days), tiled, sim_cfg, dates, closed_all)
    per_rep = summarize(trace, slow_moving_days=slow_moving_days, by_rep=True,
                        presale_units=presale_units)
    return MonteCarloResult(per_rep, confidence_intervals(per_rep, confidence), trace, confidence)
