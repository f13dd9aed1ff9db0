"""The output contract and bad input of :func:`forecasting.forecast` on tiny synthetic data."""

import numpy as np
import pandas as pd
import pytest

from forecasting import ForecastInputError, forecast
from forecasting.executor import serial_map
from forecasting.panel import build_panel


def _sales(rows):
    return pd.DataFrame(rows, columns=["item_id", "location_id", "date", "qty"])


def _weekly(item, loc, values, start="2024-01-01"):
    dates = pd.date_range(start, periods=len(values), freq="W-MON")
    return [(item, loc, d, v) for d, v in zip(dates, values, strict=False)]


def _run(sales, h=4, freq="W", **kw):
    return forecast(sales, h, freq, mapper=serial_map, **kw)


def test_daily_rows_sum_into_monday_weeks_and_months():
    s = _sales([("A", "L", "2024-01-01", 1), ("A", "L", "2024-01-07", 2),  # Mon, Sun: week 1
                ("A", "L", "2024-01-08", 4), ("A", "L", "2024-02-01", 8)])
    p = build_panel(s, 1, "W")
    Y = next(p.blocks(10)).Y
    assert list(p.hist_dates[:2]) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-08")]
    assert Y[0, 0] == 3 and Y[0, 1] == 4 and Y[0, -1] == 8
    assert p.future_dates[0] == pd.Timestamp("2024-02-05")
    pm = build_panel(s, 2, "M")
    np.testing.assert_allclose(next(pm.blocks(10)).Y, [[7, 8]])
    assert list(pm.future_dates) == [pd.Timestamp("2024-03-01"), pd.Timestamp("2024-04-01")]


def test_output_contract_and_levels():
    rng = np.random.default_rng(1)
    s = _sales(_weekly("A", "L1", rng.poisson(20, 60)) + _weekly("B", "L1", rng.poisson(2, 60) * (rng.random(60) < 0.4)))
    res = _run(s, h=5, levels="0.95,0.975")
    f = res.forecasts
    assert list(f.columns) == ["item_id", "location_id", "date", "mean", "p10", "p50", "p90",
                               "p95", "p97.5", "model"]
    assert len(f) == 2 * 5
    q = f[["mean", "p10", "p50", "p90", "p95", "p97.5"]].to_numpy()
    assert (q >= 0).all()
    assert (np.diff(f[["p10", "p50", "p90", "p95", "p97.5"]].to_numpy(), axis=1) >= 0).all()
    assert set(res.series["pattern"]) <= {"smooth", "erratic", "intermittent", "lumpy"}
    assert (f.groupby("item_id")["date"].apply(lambda d: d.diff().dropna().eq(pd.Timedelta(7, "D")).all())).all()


def test_bad_requests_name_the_field():
    s = _sales(_weekly("A", "L", [1, 2, 3]))
    with pytest.raises(ForecastInputError, match="freq: unknown frequency 'Q'"):
        _run(s, freq="Q")
    with pytest.raises(ForecastInputError, match="horizon: must be a whole number of buckets > 0"):
        _run(s, h=0)
    with pytest.raises(ForecastInputError, match=r"missing column\(s\) \['qty'\]"):
        _run(s.drop(columns="qty"))
    bad = s.copy().astype({"date": object})
    bad["date"] = bad["date"].astype(str)
    bad.loc[1, "date"] = "2024-13-45"
    with pytest.raises(ForecastInputError, match="column 'date' must be a date.*row 2"):
        _run(bad)
    bad = s.copy().astype({"qty": object})
    bad.loc[2, "qty"] = "ten"
    with pytest.raises(ForecastInputError, match="column 'qty' must be a number.*row 3 \\('ten'\\)"):
        _run(bad)
    with pytest.raises(ForecastInputError, match="no rows"):
        _run(s.iloc[:0])
    with pytest.raises(ForecastInputError, match="levels: each level must be in"):
        _run(s, levels="1.5")
    with pytest.raises(ForecastInputError, match="models: unknown model 'magic'"):
        _run(s, models="magic")


def test_zero_one_point_negative_unordered_and_duplicated_series():
    good = _weekly("OK", "L", list(np.tile([10, 12, 9, 11], 15)))
    zero = _weekly("ZERO", "L", [0] * 30)
    one = [("ONE", "L", pd.Timestamp("2025-02-24"), 5.0)]  # the panel's last week
    neg = _weekly("NEG", "L", [4, -2] * 20)
    rows = good + zero + one + neg
    res = _run(_sales(rows))
    f = res.forecasts.set_index("item_id")
    s = res.series.set_index("item_id")
    assert (f.loc["ZERO", ["mean", "p10", "p50", "p90"]].to_numpy() == 0).all()
    assert s.loc["ZERO", "model"] == "zero"
    # one point: blended with the peers' (OK's) forecast -> positive, marked cold start
    assert s.loc["ONE", "status"] == "short" and "coldstart" in s.loc["ONE", "model"]
    assert (f.loc["ONE", "mean"] > 0).all()
    assert "negative qty (returns) counted as 0" in s.loc["NEG", "note"]
    # shuffled and duplicated rows (one week split into 4 + 6) give the same forecast
    split = [r for r in good if r[2] != good[5][2]] + [("OK", "L", good[5][2], 4.0),
                                                       ("OK", "L", good[5][2], good[5][3] - 4.0)]
    rows2 = split + zero + one + neg
    perm = np.random.default_rng(0).permutation(len(rows2))
    res2 = _run(_sales([rows2[i] for i in perm]))
    a = res.forecasts.sort_values(["item_id", "date"]).reset_index(drop=True)
    b = res2.forecasts.sort_values(["item_id", "date"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    assert "duplicated dates: quantities summed" in res2.series.set_index("item_id").loc["OK", "note"]


def test_new_items_get_the_category_peers_forecast():
    rows = _weekly("A1", "L", [10] * 40) + _weekly("A2", "L", [20] * 40) + _weekly("B1", "L", [100] * 40)
    cats = {"A1": "pasta", "A2": "pasta", "B1": "sauce", "NEW": "pasta"}
    new = pd.DataFrame({"item_id": ["NEW"], "location_id": ["L"]})
    res = _run(_sales(rows), categories=cats, new_series=new)
    f = res.forecasts[res.forecasts["item_id"] == "NEW"]
    # median of the pasta peers' flat forecasts 10 and 20 -> 15
    np.testing.assert_allclose(f["mean"], 15.0)
    assert f["model"].iloc[0] == "coldstart:category+location"


def test_a_failing_model_falls_back_without_stopping_the_run(monkeypatch):
    import forecasting.engine as engine

    real = engine.make_forecaster

    class Boom:
        def fit(self, y, ds=None, x=None):
            raise RuntimeError("boom")

    monkeypatch.setattr(engine, "make_forecaster",
                        lambda name, m, **kw: Boom() if name == "ets" else real(name, m, **kw))
    rows = _weekly("A", "L", [10, 11, 9, 12] * 10) + _weekly("B", "L", [5, 6] * 20)
    res = _run(_sales(rows), models="ets")
    s = res.series.set_index("item_id")
    assert set(s["model"]) == {"snaive"}
    assert "ets failed: RuntimeError: boom" in s.loc["A", "note"]
    assert (res.forecasts["mean"] > 0).all()
