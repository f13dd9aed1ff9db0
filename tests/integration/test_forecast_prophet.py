"""Prophet backend on one small daily series: festivals and promotion regressor."""

import numpy as np
import pandas as pd

from forecasting import forecast, make_forecaster
from forecasting.executor import serial_map


def _series():
    ds = pd.date_range("2022-01-01", "2024-09-30", freq="D")
    rng = np.random.default_rng(0)
    y = 20 + 5 * (ds.dayofweek >= 5) + rng.normal(0, 1, len(ds))
    y[(ds.month == 11) & (ds.day == 11)] *= 4       # Double 11
    promo = (np.arange(len(ds)) % 17 == 0).astype(float)
    y = y * (1 + promo)                                # promoted days sell double
    return ds, y, promo


def test_prophet_learns_double_11_and_promotions():
    ds, y, promo = _series()
    fut = pd.date_range("2024-10-01", "2024-11-20", freq="D")
    xf = np.zeros(len(fut))
    xf[3] = 1.0
    f = make_forecaster("prophet").fit(y, ds=ds, x=promo)
    mean = f.predict(len(fut), ds_future=fut, x_future=xf)["mean"]
    d11 = mean[fut.get_loc(pd.Timestamp("2024-11-11"))]
    assert d11 > 2.5 * np.median(mean)
    assert mean[3] > 1.6 * mean[fut.get_loc(pd.Timestamp("2024-10-11"))]  # same weekday (Fri)


def test_prophet_through_the_orchestrator():
    ds, y, _ = _series()
    sales = pd.DataFrame({"item_id": "A", "location_id": "L", "date": ds, "qty": y})
    res = forecast(sales.iloc[-400:], 14, "D", models="prophet", mapper=serial_map)
    assert list(res.series["model"]) == ["prophet"]
    f = res.forecasts
    assert len(f) == 14 and (f["p10"] <= f["p90"]).all() and (f["mean"] > 10).all()
