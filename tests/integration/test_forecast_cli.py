"""``stockpilot forecast`` and ``stockpilot bench forecast`` end to end on small files."""

import json

import numpy as np
import pandas as pd

from api.cli.main import main


def _write_sales(path, n_items=3, weeks=60):
    rng = np.random.default_rng(0)
    dates = pd.date_range("2023-01-02", periods=weeks, freq="W-MON")
    df = pd.concat([pd.DataFrame({"item_id": f"I{i}", "location_id": "W1", "date": dates,
                                  "qty": rng.poisson(5 + 5 * i, weeks)}) for i in range(n_items)])
    if str(path).endswith(".parquet"):
        df.to_parquet(path, index=False)
    else:
        df.to_csv(path, index=False)
    return df


def test_forecast_writes_csv_parquet_and_plots(tmp_path, capsys):
    src = tmp_path / "sales.parquet"
    _write_sales(src)
    out = tmp_path / "fc.csv"
    code = main(["forecast", "--sales", str(src), "--horizon", "4", "--freq", "W", "--out",
                 str(out), "--levels", "0.95", "--plots", str(tmp_path / "png"), "--quiet",
                 "--jobs", "1"])
    assert code == 0, capsys.readouterr().err
    f = pd.read_csv(out)
    assert list(f.columns) == ["item_id", "location_id", "date", "mean", "p10", "p50", "p90",
                               "p95", "model"]
    assert len(f) == 12
    assert sorted(p.name for p in (tmp_path / "png").iterdir()) == [
        "I0__W1.png", "I1__W1.png", "I2__W1.png"]
    summary = json.loads(capsys.readouterr().out)
    assert summary["series"] == 3 and summary["rows"] == 12
    assert main(["forecast", "--sales", str(src), "--horizon", "2", "--freq", "M", "--out",
                 str(tmp_path / "fc.parquet"), "--quiet", "--jobs", "1"]) == 0
    assert len(pd.read_parquet(tmp_path / "fc.parquet")) == 6


def test_forecast_reads_a_raw_public_file(tmp_path, shared_data, capsys):
    raw = pd.read_csv(shared_data / "sales" / "carparts_monthly.csv.gz", nrows=400)
    src = tmp_path / "carparts.csv"
    raw.to_csv(src, index=False)
    out = tmp_path / "fc.csv"
    assert main(["forecast", "--sales", str(src), "--horizon", "6", "--freq", "M", "--out",
                 str(out), "--quiet", "--jobs", "1"]) == 0
    f = pd.read_csv(out)
    assert set(f["location_id"]) == {"CARPARTS"}
    assert len(f) == 6 * raw["part"].nunique()


def test_user_mistakes_are_one_line_errors(tmp_path, capsys):
    src = tmp_path / "sales.csv"
    _write_sales(src)
    assert main(["forecast", "--sales", str(src), "--horizon", "0", "--freq", "W", "--out",
                 str(tmp_path / "x.csv")]) == 1
    assert capsys.readouterr().err.strip() == (
        "error: horizon: must be a whole number of buckets > 0, got 0")
    bad = tmp_path / "bad.csv"
    bad.write_text("item_id,location_id,when,qty\nA,L,2024-01-01,1\n")
    assert main(["forecast", "--sales", str(bad), "--horizon", "2", "--freq", "W", "--out",
                 str(tmp_path / "x.csv")]) == 1
    assert "missing column(s) ['date']" in capsys.readouterr().err
    assert main(["forecast", "--sales", str(src), "--horizon", "2", "--freq", "W", "--plot",
                 "NOPE", "W1", "--quiet", "--jobs", "1"]) == 1
    assert "no series for item 'NOPE'" in capsys.readouterr().err


def test_bench_forecast_prints_json(tmp_path, capsys):
    src = tmp_path / "sales.csv"
    _write_sales(src, n_items=4, weeks=70)
    assert main(["bench", "forecast", "--data", str(src), "--freq", "W", "--horizon", "6",
                 "--no-prophet", "--no-arima", "--jobs", "1"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["series"] == 4
    assert set(r["models"]) == {"stockpilot", "AutoETS", "Naive", "SeasonalNaive", "ADIDA",
                                "IMAPA", "CrostonClassic"}
    best = min(v["mase"] for k, v in r["models"].items() if k != "stockpilot")
    ratio = r["models"]["stockpilot"]["mase"] / best  # from the rounded means printed
    assert abs(r["summary"]["mase_ratio_to_best_reference"] - ratio) < 1e-3


def test_planned_promotions_raise_the_forecast(tmp_path, capsys):
    # weekly sales of 10, doubled in promoted weeks (every 4th); plan a promotion in week 2
    dates = pd.date_range("2023-01-02", periods=60, freq="W-MON")
    promo = (np.arange(60) % 4 == 0).astype(float)
    pd.DataFrame({"item_id": "A", "location_id": "W1", "date": dates, "qty": 10 * (1 + promo),
                  "promo": promo}).to_csv(tmp_path / "sales.csv", index=False)
    future = pd.date_range(dates[-1] + pd.Timedelta(weeks=1), periods=3, freq="W-MON")
    pd.DataFrame({"item_id": "A", "location_id": "W1", "date": future,
                  "promo": [0, 1, 0]}).to_csv(tmp_path / "plan.csv", index=False)
    out = tmp_path / "fc.csv"
    assert main(["forecast", "--sales", str(tmp_path / "sales.csv"), "--horizon", "3", "--freq",
                 "W", "--out", str(out), "--future-promo", str(tmp_path / "plan.csv"),
                 "--quiet", "--jobs", "1"]) == 0
    m = pd.read_csv(out)["mean"].to_numpy()
    # uplift 2 shrunk towards 1 with 5 prior buckets: (15·2 + 5) / 20 = 1.75 on a base of 10
    np.testing.assert_allclose(m, [10, 17.5, 10], rtol=1e-6)
