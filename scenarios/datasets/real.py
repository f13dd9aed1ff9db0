"""Adapters from the real public sales data sets in ``shared/data/sales`` to the sales shape.

The sales shape (see :mod:`scenarios.datasets.schemas`) is long: ``item_id, location_id, date,
qty`` with optional ``promo`` (share of the period on promotion, 0..1) and ``price``.

Each adapter keeps the source's numbers and only renames and maps keys:

=====================================  ==========================  ======================
file                                   item_id / location_id       date
=====================================  ==========================  ======================
dominicks_oj_weekly_store_brand        ``OJ<brand:02d>`` / ``S<store>``  ``week_start``
pasta_daily_sku_sales                  ``sku`` / ``IT-STORE``       ``date``
carparts_monthly                       ``part`` / ``CARPARTS``      ``month``
uci_sales_transactions_weekly          ``Product_Code`` / ``UCI``   2015-01-05 + ``week`` weeks
=====================================  ==========================  ======================

The UCI set has no calendar dates; its weeks are laid on Mondays from 2015-01-05 (a documented,
arbitrary anchor). Dominick's prices are dollars per ounce; they are kept as-is in ``price``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

SALES_COLUMNS = ["item_id", "location_id", "date", "qty"]


def _oj(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "item_id": "OJ" + df["brand"].astype(int).map("{:02d}".format),
        "location_id": "S" + df["store"].astype(int).astype(str),
        "date": pd.to_datetime(df["week_start"]),
        "qty": df["units"].astype(float),
        "promo": df["deal"].astype(float),
        "price": df["price"].astype(float),
    })


def _pasta(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "item_id": df["sku"].astype(str),
        "location_id": "IT-STORE",
        "date": pd.to_datetime(df["date"]),
        "qty": df["qty"].astype(float),
        "promo": df["promo"].astype(float),
    })


def _carparts(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "item_id": df["part"].astype(str),
        "location_id": "CARPARTS",
        "date": pd.to_datetime(df["month"]),
        "qty": df["qty"].astype(float),
    })


def _uci(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "item_id": df["Product_Code"].astype(str),
        "location_id": "UCI",
        "date": pd.Timestamp("2015-01-05") + pd.to_timedelta(df["week"].astype(int) * 7, unit="D"),
        "qty": df["qty"].astype(float),
    })


_ADAPTERS = [
    ({"store", "brand", "week_start", "units"}, _oj),
    ({"date", "sku", "qty", "promo"}, _pasta),
    ({"month", "part", "qty"}, _carparts),
    ({"Product_Code", "week", "qty"}, _uci),
]


def is_real_dataset(columns) -> bool:
    cols = set(columns)
    return any(need <= cols for need, _ in _ADAPTERS) and not set(SALES_COLUMNS) <= cols


def to_sales_shape(df: pd.DataFrame) -> pd.DataFrame:
    """Map a frame of one of the known public data sets to the sales shape.

    Missing quantities (car parts has gaps) are dropped, not turned into zeros.
    """
    cols = set(df.columns)
    for need, adapter in _ADAPTERS:
        if need <= cols:
            out = adapter(df)
            out = out.dropna(subset=["qty"])
            return out.sort_values(["item_id", "location_id", "date"], kind="stable").reset_index(drop=True)
    raise ValueError(f"columns {sorted(cols)} match none of the known public data sets")


def load_real_sales(path: str | Path) -> pd.DataFrame:
    """Read one of the files in ``shared/data/sales`` and return it in the sales shape."""
    return to_sales_shape(pd.read_csv(path))
