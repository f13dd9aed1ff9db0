"""The executor seam and determinism (same input -> same output, serial or parallel)."""

import numpy as np
import pandas as pd

from forecasting import forecast
from forecasting.executor import map_chunks, process_pool_map, serial_map


def _square(x):
    return x * x


def test_process_pool_keeps_chunk_order():
    assert list(process_pool_map(_square, iter(range(10)), n_jobs=2)) == [x * x for x in range(10)]


def test_a_custom_mapper_plugs_in():
    seen = []

    def mapper(fn, chunks):
        for c in chunks:
            seen.append(c)
            yield fn(c)

    assert list(map_chunks(_square, [1, 2, 3], mapper)) == [1, 4, 9]
    assert seen == [1, 2, 3]


def _sales(n_series=12, weeks=80, seed=3):
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2022-01-03", periods=weeks, freq="W-MON")
    rows = []
    for i in range(n_series):
        lam = rng.uniform(0.3, 30)
        q = rng.poisson(lam, weeks) * (rng.random(weeks) < rng.uniform(0.3, 1))
        rows.append(pd.DataFrame({"item_id": f"I{i}", "location_id": "L", "date": dates, "qty": q}))
    return pd.concat(rows, ignore_index=True)


def test_deterministic_serial_and_parallel():
    s = _sales()
    a = forecast(s, 6, "W", mapper=serial_map, chunk_size=5).forecasts
    b = forecast(s, 6, "W", n_jobs=2, chunk_size=5).forecasts
    c = forecast(s, 6, "W", n_jobs=2, chunk_size=5).forecasts
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(b, c)
