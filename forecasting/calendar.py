"""Planning buckets, seasonal periods, festivals, public holidays and store closures.

Buckets
-------
``D`` (day), ``W`` (ISO week, labelled by its Monday), ``M`` (calendar month, labelled by its
first day). A bucket's quantity is the sum of every sales row dated inside it; a bucket with no
row inside a series' life is a zero (no sale). Output dates are bucket start dates.

Festivals
---------
Chinese platform festivals are fixed calendar dates: 618 (18 June, JD.com's anniversary sale)
and Double 11 (11 November, Singles' Day); both have a run-up (pre-sales) before the day, which
is why their windows start a few days early. Public holidays come from the ``holidays`` package
(``country_holidays(country)``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.errors import ForecastInputError


@dataclass(frozen=True)
class Bucket:
    code: str            # D | W | M
    period: str          # pandas period alias
    season_length: int   # seasonal period in buckets (day-of-week, none for weeks, month-of-year)
    year_length: int     # buckets per year
    max_history: int     # buckets used for fitting (older history is dropped)


BUCKETS = {
    "D": Bucket("D", "D", 7, 365, 2 * 365),
    "W": Bucket("W", "W-SUN", 52, 52, 4 * 52),
    "M": Bucket("M", "M", 12, 12, 10 * 12),
}


def bucket(freq: str) -> Bucket:
    """The planning bucket for ``freq`` (``D``, ``W`` or ``M``, case-insensitive)."""
    key = str(freq).strip().upper()
    if key not in BUCKETS:
        raise ForecastInputError(f"freq: unknown frequency {freq!r}; use one of D, W, M")
    return BUCKETS[key]


def bucket_start(dates: pd.Series, freq: str) -> pd.Series:
    """Map dates to the start date of their bucket."""
    b = bucket(freq)
    d = dates if pd.api.types.is_datetime64_any_dtype(dates) else pd.to_datetime(dates)
    d = d.dt.normalize()
    if b.code == "D":
        return d
    return d.dt.to_period(b.period).dt.start_time


def bucket_range(start: pd.Timestamp, periods: int, freq: str) -> pd.DatetimeIndex:
    """``periods`` consecutive bucket start dates from ``start`` (itself a bucket start)."""
    b = bucket(freq)
    return pd.period_range(pd.Timestamp(start).to_period(b.period), periods=periods,
                           freq=b.period).start_time


FESTIVALS = (
    # name, month, day, days before, days after
    ("618", 6, 18, 7, 1),
    ("double_11", 11, 11, 10, 1),
)


def festival_frame(years: range) -> pd.DataFrame:
    """Prophet-style holiday frame (``holiday, ds, lower_window, upper_window``) for 618 and
    Double 11 in ``years``."""
    rows = [{"holiday": name, "ds": pd.Timestamp(y, m, d), "lower_window": -before,
             "upper_window": after}
            for y in years for name, m, d, before, after in FESTIVALS]
    return pd.DataFrame(rows)


def public_holiday_frame(country: str, years: range) -> pd.DataFrame:
    """Public holidays of ``country`` (ISO code, e.g. ``CN``, ``IT``) from ``holidays``."""
    import holidays

    try:
        cal = holidays.country_holidays(country, years=list(years))
    except NotImplementedError as exc:
        raise ForecastInputError(f"holidays_country: unknown country code {country!r}") from exc
    return pd.DataFrame({"holiday": [str(n) for n in cal.values()],
                         "ds": pd.to_datetime(list(cal.keys())),
                         "lower_window": 0, "upper_window": 0})


def recurring_closures(open_days: pd.DatetimeIndex, min_years: int = 2) -> set[tuple[int, int]]:
    """(month, day) pairs on which a location was closed (no sale of any item) in every one of
    at least ``min_years`` past years it was trading: e.g. 25 December, 1 January."""
    if len(open_days) == 0:
        return set()
    days = pd.date_range(open_days.min(), open_days.max(), freq="D")
    closed = days.difference(open_days)
    if len(closed) == 0:
        return set()
    md_all = pd.Series(1, index=pd.MultiIndex.from_arrays([days.month, days.day])).groupby(
        level=[0, 1]).size()
    md_closed = pd.Series(1, index=pd.MultiIndex.from_arrays([closed.month, closed.day])).groupby(
        level=[0, 1]).size()
    both = md_closed[md_closed.index.isin(md_all.index)]
    return {k for k, v in both.items() if v >= min_years and v == md_all[k]}


def is_closed(dates: pd.DatetimeIndex, closures: set[tuple[int, int]]) -> np.ndarray:
    if not closures:
        return np.zeros(len(dates), dtype=bool)
    return np.array([(d.month, d.day) in closures for d in dates], dtype=bool)
