"""Issue 9: the same forecasts on every engine — local process pool, a local Dask cluster and
Spark in local mode — to the last digit with the same seed."""

from __future__ import annotations

import pandas as pd
import pytest

from forecasting.forecast import forecast
from scenarios.datasets.files import read_dir
from scenarios.engines import engine_mapper
from scenarios.scale_bench import generate_series, run_scale_bench


@pytest.fixture(scope="module")
def sales(sample_path):
    data = read_dir(sample_path)
    return data.sales[data.sales["location_id"].isin(["S32", "S54", "S70"])]


@pytest.fixture(scope="module")
def local_forecasts(sales):
    with engine_mapper("local", n_jobs=2) as mapper:
        return forecast(sales, 8, "W", chunk_size=8, mapper=mapper, seed=3).forecasts


def test_dask_local_cluster_matches_local_pool(sales, local_forecasts):
    with engine_mapper("dask", n_jobs=2) as mapper:
        out = forecast(sales, 8, "W", chunk_size=8, mapper=mapper, seed=3).forecasts
    assert len(out) == 33 * 8
    pd.testing.assert_frame_equal(out, local_forecasts, check_exact=True)


@pytest.mark.slow
def test_spark_local_mode_matches_local_pool(sales, local_forecasts):
    with engine_mapper("spark", "local[2]") as mapper:
        out = forecast(sales, 8, "W", chunk_size=8, mapper=mapper, seed=3).forecasts
    pd.testing.assert_frame_equal(out, local_forecasts, check_exact=True)


def test_dask_streams_in_order_with_bounded_queue():
    from scenarios.engines import dask_map

    class FakeFuture:
        def __init__(self, value):
            self.value = value

        def result(self):
            return self.value

        def release(self):
            pass

    submitted = []

    class FakeClient:
        def submit(self, fn, chunk, pure):
            submitted.append(chunk)
            return FakeFuture(fn(chunk))

    def chunks():
        for i in range(10):
            # never more than in_flight + 1 chunks handed out before their results are taken
            assert len(submitted) - len(results) <= 3
            yield i

    results = []
    for r in dask_map(lambda c: c * 10, chunks(), FakeClient(), in_flight=3):
        results.append(r)
    assert results == [i * 10 for i in range(10)]


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine must be one of local, dask, spark"):
        with engine_mapper("ray"):
            pass


def test_scale_bench_reports_identical_forecasts():
    out = run_scale_bench(64, "dask", chunk_size=16)
    assert out["identical_forecasts"] is True
    assert out["series"] == 64 and out["dask"]["series_per_s"] > 0
    assert set(generate_series(5, weeks=10)["item_id"]) == {f"I{i:07d}" for i in range(5)}


def test_plan_on_dask_gives_the_local_plan(tmp_path, capsys):
    """`stockpilot plan --engine dask` writes the same forecasts and purchase orders."""
    from api.cli.main import main

    for engine in ("local", "dask"):
        assert main(["plan", "--horizon", "4", "--reps", "10", "--engine", engine,
                     "--out", str(tmp_path / engine)]) == 0
    for name in ("forecasts.csv", "purchase_orders.csv"):
        a = pd.read_csv(tmp_path / "local" / name)
        b = pd.read_csv(tmp_path / "dask" / name)
        assert len(a) > 0
        pd.testing.assert_frame_equal(a, b)
