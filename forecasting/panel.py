"""Sales history (long frame) -> a panel of bucketed series, streamed in blocks of arrays.

Input columns: ``item_id, location_id, date, qty`` and optionally ``promo`` (share of the
bucket on promotion, 0..1) and ``price`` (ignored by the fast methods). Rules:

* the frame must have those columns and at least one row; ``date`` must parse as a date and
  ``qty`` as a number (else :class:`ForecastInputError` naming the rows);
* rows are sorted; several rows of one series in one bucket (duplicates included) are summed;
* a negative quantity (a return) counts as 0 and is reported for that series;
* a missing quantity is dropped and reported;
* a series lives from its first row to the panel's last bucket: buckets without a row are zero
  sales; at daily frequency, days on which the location sold nothing at all (store closed) are
  not zeros but missing, and the location's recurring closure days (same date every year) get a
  zero forecast; with ``holidays_country``, so do the public holidays of that country when the
  location was closed on at least half of them in its last trading year.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting.calendar import Bucket, bucket, bucket_range, bucket_start, recurring_closures
from forecasting.errors import ForecastInputError

KEYS = ["item_id", "location_id"]
REQUIRED = ["item_id", "location_id", "date", "qty"]


@dataclass
class Block:
    """``n`` series as arrays: history ``Y`` (n, T) with NaN outside the series' life or on
    closure days, promotion shares ``P`` (n, T + h) or None, future closures (n, h)."""

    keys: list[tuple[str, str]]
    Y: np.ndarray
    P: np.ndarray | None
    closed_future: np.ndarray
    n_obs: np.ndarray


@dataclass
class Panel:
    freq: Bucket
    horizon: int
    long: pd.DataFrame          # item_id, location_id, date (bucket start), qty[, promo]
    series: pd.DataFrame        # item_id, location_id, code, start_col, n_rows
    hist_dates: pd.DatetimeIndex
    future_dates: pd.DatetimeIndex
    closed_hist: dict = field(default_factory=dict)    # location -> bool array (T)
    closed_future: dict = field(default_factory=dict)  # location -> bool array (h)
    issues: dict = field(default_factory=dict)         # (item, location) -> [messages]
    future_promo: pd.DataFrame | None = None

    @property
    def n_series(self) -> int:
        return len(self.series)

    def blocks(self, chunk_size: int) -> Iterator[Block]:
        T, h = len(self.hist_dates), self.horizon
        codes = self.long["code"].to_numpy()
        cols = self.long["col"].to_numpy()
        qty = self.long["qty"].to_numpy()
        promo = self.long["promo"].to_numpy() if "promo" in self.long else None
        bounds = np.searchsorted(codes, np.arange(0, self.n_series + chunk_size, chunk_size))
        fp = self.future_promo
        for i, lo in enumerate(range(0, self.n_series, chunk_size)):
            hi = min(lo + chunk_size, self.n_series)
            s = self.series.iloc[lo:hi]
            n = hi - lo
            Y = np.full((n, T), np.nan)
            start = s["start_col"].to_numpy()
            Y[np.arange(T)[None, :] >= start[:, None]] = 0.0
            r0, r1 = bounds[i], bounds[i + 1]
            rc = codes[r0:r1] - lo
            Y[rc, cols[r0:r1]] = qty[r0:r1]
            closed_f = np.zeros((n, h), bool)
            for j, loc in enumerate(s["location_id"].to_numpy()):
                if loc in self.closed_hist:
                    Y[j, self.closed_hist[loc]] = np.nan
                    closed_f[j] = self.closed_future[loc]
            P = None
            if promo is not None:
                P = np.zeros((n, T + h))
                P[rc, cols[r0:r1]] = promo[r0:r1]
                if fp is not None:
                    sub = fp[(fp["code"] >= lo) & (fp["code"] < hi)]
                    P[sub["code"].to_numpy() - lo, T + sub["col"].to_numpy()] = sub["promo"]
            yield Block(keys=list(zip(s["item_id"], s["location_id"], strict=False)), Y=Y, P=P,
                        closed_future=closed_f, n_obs=(~np.isnan(Y)).sum(axis=1))


def sample_block(panel: Panel, k: int) -> Block:
    """Up to ``k`` evenly spaced series of the panel as one block (history and promotions
    only), for panel-wide decisions taken before the chunked run."""
    T, h = len(panel.hist_dates), panel.horizon
    spaced = np.linspace(0, panel.n_series - 1, min(k, panel.n_series))
    codes = np.unique(spaced.round().astype(int))
    pos = np.full(panel.n_series, -1)
    pos[codes] = np.arange(len(codes))
    rows = pos[panel.long["code"].to_numpy()]
    take = rows >= 0
    r, c = rows[take], panel.long["col"].to_numpy()[take]
    s = panel.series.iloc[codes]
    Y = np.full((len(codes), T), np.nan)
    Y[np.arange(T)[None, :] >= s["start_col"].to_numpy()[:, None]] = 0.0
    Y[r, c] = panel.long["qty"].to_numpy()[take]
    for j, loc in enumerate(s["location_id"].to_numpy()):
        if loc in panel.closed_hist:
            Y[j, panel.closed_hist[loc]] = np.nan
    P = None
    if "promo" in panel.long:
        P = np.zeros((len(codes), T + h))
        P[r, c] = panel.long["promo"].to_numpy()[take]
    return Block(keys=list(zip(s["item_id"], s["location_id"], strict=False)), Y=Y, P=P,
                 closed_future=np.zeros((len(codes), h), bool), n_obs=(~np.isnan(Y)).sum(axis=1))


def _bad_rows(mask: pd.Series, values: pd.Series, limit: int = 5) -> str:
    idx = np.flatnonzero(mask.to_numpy())[:limit]
    return ", ".join(f"row {i + 1} ({values.iloc[i]!r})" for i in idx)


def validate_sales(sales: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Checked, typed copy of ``sales`` and the per-series issues found (see module doc)."""
    if not isinstance(sales, pd.DataFrame):
        raise ForecastInputError("sales: expected a DataFrame in the sales shape")
    missing = [c for c in REQUIRED if c not in sales.columns]
    if missing:
        raise ForecastInputError(f"sales: missing column(s) {missing}; the sales shape is "
                                 "item_id, location_id, date, qty [, promo, price]")
    if len(sales) == 0:
        raise ForecastInputError("sales: no rows to forecast from")
    df = sales.reset_index(drop=True)
    keep = REQUIRED + [c for c in ("promo",) if c in df.columns]
    df = df[keep].copy()
    for k in KEYS:
        bad = df[k].isna()
        if bad.any():
            raise ForecastInputError(f"sales: column {k!r} is empty at {_bad_rows(bad, df[k])}")
        df[k] = df[k].astype(str)
    dates = df["date"] if pd.api.types.is_datetime64_any_dtype(df["date"]) else \
        pd.to_datetime(df["date"], errors="coerce")
    bad = dates.isna()
    if bad.any():
        raise ForecastInputError(
            "sales: column 'date' must be a date (YYYY-MM-DD); "
            f"bad value at {_bad_rows(bad, df['date'])}")
    df["date"] = dates
    qty = pd.to_numeric(df["qty"], errors="coerce")
    bad = qty.isna() & df["qty"].notna()
    if bad.any():
        raise ForecastInputError(
            f"sales: column 'qty' must be a number; bad value at {_bad_rows(bad, df['qty'])}")
    df["qty"] = qty.astype(float)
    issues: dict = {}

    def note(mask: pd.Series, msg: str) -> None:
        for key in df.loc[mask, KEYS].drop_duplicates().itertuples(index=False):
            issues.setdefault(tuple(key), []).append(msg)

    if df["qty"].isna().any():
        note(df["qty"].isna(), "rows with a missing qty were dropped")
        df = df[df["qty"].notna()]
    if not np.isfinite(df["qty"]).all():
        raise ForecastInputError("sales: column 'qty' must be finite (found inf)")
    neg = df["qty"] < 0
    if neg.any():
        note(neg, "negative qty (returns) counted as 0")
        df.loc[neg, "qty"] = 0.0
    dup = df.duplicated(KEYS + ["date"], keep=False)
    if dup.any():
        note(dup, "duplicated dates: quantities summed")
    if "promo" in df:
        p = pd.to_numeric(df["promo"], errors="coerce")
        bad = p.isna() & df["promo"].notna()
        if bad.any():
            raise ForecastInputError(
                "sales: column 'promo' must be a number in 0..1; "
                f"bad value at {_bad_rows(bad, df['promo'])}")
        df["promo"] = p.fillna(0.0).clip(0.0, 1.0)
    if len(df) == 0:
        raise ForecastInputError("sales: no row with a quantity")
    return df, issues


def _holiday_closures(open_days: pd.DatetimeIndex, hist: pd.DatetimeIndex,
                      future: pd.DatetimeIndex, country: str) -> np.ndarray:
    """Future days that are public holidays of ``country``, when the location was closed on
    at least half of the public holidays of its last trading year."""
    from forecasting.calendar import public_holiday_frame

    years = range(hist[0].year, future[-1].year + 1)
    hol = pd.DatetimeIndex(public_holiday_frame(country, years)["ds"]).normalize()
    last = open_days.max()
    past = hol[(hol > last - pd.Timedelta(days=365)) & (hol <= last)]
    if len(past) == 0 or np.mean(~past.isin(open_days)) < 0.5:
        return np.zeros(len(future), bool)
    return future.isin(hol)


def build_panel(sales: pd.DataFrame, horizon: int, freq: str,
                future_promo: pd.DataFrame | None = None,
                holidays_country: str | None = None, max_history: int | None = None) -> Panel:
    """Validate ``sales`` and bucket it to ``freq`` (see module doc). Only the last
    ``max_history`` buckets (default: the bucket's own limit) are kept."""
    b = bucket(freq)
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon <= 0:
        raise ForecastInputError(f"horizon: must be a whole number of buckets > 0, got {horizon!r}")
    horizon = int(horizon)
    df, issues = validate_sales(sales)
    raw_dates = df[["location_id", "date"]]
    df["date"] = bucket_start(df["date"], b.code)
    agg = {"qty": "sum"}
    if "promo" in df:
        agg["promo"] = "mean"
    long = df.groupby(KEYS + ["date"], sort=True, observed=True).agg(agg).reset_index()
    end = long["date"].max()
    first = long["date"].min()
    n_buckets = (end.to_period(b.period) - first.to_period(b.period)).n + 1
    T = int(min(max_history or b.max_history, n_buckets))
    hist = pd.period_range(end=end.to_period(b.period), periods=T, freq=b.period).start_time
    future = bucket_range(hist[-1], horizon + 1, b.code)[1:]
    col_of = pd.Series(np.arange(T), index=hist)
    series = long.groupby(KEYS, sort=True, observed=True).agg(
        first=("date", "min"), n_rows=("date", "size")).reset_index()
    series["code"] = np.arange(len(series))
    series["start_col"] = np.clip(
        np.searchsorted(hist.values, series["first"].values), 0, T - 1)
    long = long[long["date"] >= hist[0]].merge(series[KEYS + ["code"]], on=KEYS)
    long["col"] = col_of.reindex(long["date"]).to_numpy()
    long = long.sort_values(["code", "col"], kind="stable").reset_index(drop=True)
    panel = Panel(freq=b, horizon=horizon, long=long, series=series, hist_dates=hist,
                  future_dates=future, issues=issues)
    if b.code == "D":
        for loc, g in raw_dates.groupby("location_id"):
            open_days = pd.DatetimeIndex(g["date"].dt.normalize().unique())
            closed = ~hist.isin(open_days) & (hist >= open_days.min())
            if closed.any():
                panel.closed_hist[loc] = closed
                md = recurring_closures(open_days)
                panel.closed_future[loc] = np.array(
                    [(d.month, d.day) in md for d in future], dtype=bool)
                if holidays_country:
                    panel.closed_future[loc] |= _holiday_closures(open_days, hist, future,
                                                                  holidays_country)
    if future_promo is not None and "promo" in long:
        fp = future_promo.copy()
        fp["date"] = bucket_start(pd.to_datetime(fp["date"]), b.code)
        fp = fp.groupby(KEYS + ["date"], observed=True)["promo"].mean().reset_index()
        fp = fp[fp["date"].isin(future)].merge(series[KEYS + ["code"]], on=KEYS)
        fp["col"] = pd.Series(np.arange(horizon), index=future).reindex(fp["date"]).to_numpy()
        fp["promo"] = pd.to_numeric(fp["promo"], errors="coerce").fillna(0).clip(0, 1)
        panel.future_promo = fp
    return panel
