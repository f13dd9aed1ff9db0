"""``stockpilot bench scale``: forecasting throughput and driver memory, local pool vs an engine.

Generates ``n_series`` seeded weekly series (two years of history: level, yearly season, noise,
and a quarter of them intermittent), then forecasts them in the same command with the local
process pool (the reference) and with the engine asked for, and reports series per second, the
ratio engine / local, the driver's peak resident memory during each run (sampled from
``/proc/self/status`` every 50 ms, minus the resident size before the run) and whether both
runs gave identical forecasts. A per-task overhead and CPU-seconds-per-series figure, measured
on the engine, give a projection for a cluster of C cores:
``wall ≈ N × cpu_s_per_series / C + n_chunks × task_overhead_s / C``.
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager

import numpy as np
import pandas as pd

from forecasting.forecast import forecast
from scenarios.engines import engine_mapper


def generate_series(n_series: int, weeks: int = 104, seed: int = 0) -> pd.DataFrame:
    """Seeded weekly sales in the sales shape (see the module docstring)."""
    rng = np.random.default_rng(seed)
    t = np.arange(weeks)
    level = rng.gamma(2.0, 10.0, n_series)[:, None]
    season = 1 + rng.uniform(0, 0.4, n_series)[:, None] * np.sin(2 * np.pi * (t[None, :] + rng.integers(0, 52, n_series)[:, None]) / 52)
    lam = level * season
    qty = rng.poisson(lam).astype(float)
    intermittent = rng.random(n_series) < 0.25
    qty[intermittent] *= rng.random((intermittent.sum(), weeks)) < 0.2
    dates = pd.date_range("2023-01-02", periods=weeks, freq="W-MON")
    return pd.DataFrame({
        "item_id": np.repeat([f"I{i:07d}" for i in range(n_series)], weeks),
        "location_id": "L1",
        "date": np.tile(dates.to_numpy(), n_series),
        "qty": qty.ravel(),
    })


def _rss_bytes() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


@contextmanager
def peak_rss():
    """Yields a dict whose ``peak_mb`` is the rise of this process's RSS during the block."""
    out = {"peak_mb": 0.0}
    base = _rss_bytes()
    peak = [base]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_bytes())
            stop.wait(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield out
    finally:
        stop.set()
        thread.join()
        out["peak_mb"] = round(max(peak[0], _rss_bytes()) - base) / 2**20


def _run(sales, mapper, models, chunk_size, seed, progress):
    cpu0 = time.process_time()
    with peak_rss() as mem:
        start = time.perf_counter()
        result = forecast(sales, 13, "W", models=models, mapper=mapper, chunk_size=chunk_size,
                          seed=seed, progress=progress)
        wall = time.perf_counter() - start
    return result.forecasts, {"wall_s": round(wall, 2), "series_per_s": round(sales_series(sales) / wall, 1),
                              "driver_peak_mb": round(mem["peak_mb"], 1),
                              "driver_cpu_s": round(time.process_time() - cpu0, 2)}


def sales_series(sales: pd.DataFrame) -> int:
    return int(sales[["item_id", "location_id"]].drop_duplicates().shape[0])


def run_scale_bench(n_series: int, engine: str = "dask", address: str | None = None,
                    models: str = "auto", chunk_size: int = 256, seed: int = 0,
                    progress: bool = False) -> dict:
    sales = generate_series(n_series, seed=seed)
    with engine_mapper("local") as local:
        ref_frame, ref = _run(sales, local, models, chunk_size, seed, progress)
    with engine_mapper(engine, address) as mapper:
        # one tiny job first: start-up of the engine's workers is not throughput
        _run(generate_series(8, seed=seed + 1), mapper, models, 8, seed, False)
        frame, ours = _run(sales, mapper, models, chunk_size, seed, progress)
        # per-task overhead: the same engine mapping a no-op over as many chunks
        n_chunks = -(-n_series // chunk_size)
        start = time.perf_counter()
        list(mapper(_noop, range(n_chunks)))
        overhead = (time.perf_counter() - start) / max(n_chunks, 1)
    identical = bool(ref_frame.equals(frame))
    cores = os.cpu_count() or 1
    cpu_per_series = ours["wall_s"] * cores / n_series
    return {
        "benchmark": "scale",
        "series": n_series,
        "models": models,
        "chunk_size": chunk_size,
        "reference_local_pool": ref,
        engine: ours,
        "throughput_ratio_engine_vs_local": round(ours["series_per_s"] / ref["series_per_s"], 3),
        "identical_forecasts": identical,
        "projection": {
            "cores_here": cores,
            "cpu_s_per_series": round(cpu_per_series, 5),
            "task_overhead_s": round(overhead, 4),
            "formula": "wall_s = N * cpu_s_per_series / C + ceil(N / chunk_size) * task_overhead_s / C",
            "wall_s_1M_series_on_64_cores": round(1e6 * cpu_per_series / 64
                                                  + -(-1_000_000 // chunk_size) * overhead / 64, 1),
        },
    }


def _noop(x):
    return x
