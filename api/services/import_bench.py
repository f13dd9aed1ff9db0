"""``stockpilot bench import``: import throughput against a plain ``to_sql`` reference."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import create_engine

from api.db.migrate import upgrade
from api.db.scratch import create_scratch_database
from api.db.session import database_url as normalise
from api.db.session import transaction
from api.services.data_import import import_dir


def _dataset(rows: int, seed: int, folder: Path) -> None:
    """Items × locations × days with ``rows`` sales rows (seeded), plus their master data."""
    rng = np.random.default_rng(seed)
    n_items, n_locs = 200, 50
    n_days = int(np.ceil(rows / (n_items * n_locs)))
    items = pd.DataFrame({"item_id": [f"I{i:05d}" for i in range(n_items)], "category": "c",
                          "unit_cost": 5.0, "price": 9.0, "unit_volume_m3": 0.001,
                          "holding_rate_per_year": 0.25, "lifecycle": "active"})
    locs = pd.DataFrame({"location_id": [f"L{j:03d}" for j in range(n_locs)], "type": "store"})
    dates = pd.date_range("2024-01-01", periods=n_days, freq="D").strftime("%Y-%m-%d")
    idx = np.arange(rows)
    sales = pd.DataFrame({
        "item_id": items["item_id"].to_numpy()[idx % n_items],
        "location_id": locs["location_id"].to_numpy()[(idx // n_items) % n_locs],
        "date": dates[idx // (n_items * n_locs)],
        "qty": rng.poisson(3.0, rows).astype(float),
    })
    items.to_csv(folder / "items.csv", index=False)
    locs.to_csv(folder / "locations.csv", index=False)
    sales.to_csv(folder / "sales.csv", index=False)


def _fresh(url: str | None, tmp: Path, tag: str) -> tuple[str, callable]:
    if url is None:
        return f"sqlite:///{tmp / (tag + '.db')}", lambda: None
    return create_scratch_database(url, f"spbench_{tag}")


def run_import_bench(rows: int, url: str | None = None, seed: int = 0) -> dict:
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        data = tmp / "data"
        data.mkdir()
        _dataset(rows, seed, data)

        target, drop = _fresh(url, tmp, "stockpilot")
        try:
            upgrade(target)
            start = time.perf_counter()
            with transaction(target) as session:
                report = import_dir(session, data, progress=True)
            ours = time.perf_counter() - start
            start = time.perf_counter()
            with transaction(target) as session:
                again = import_dir(session, data)
            reimport = time.perf_counter() - start
        finally:
            drop()

        ref_url, drop_ref = _fresh(url, tmp, "reference")
        try:
            upgrade(ref_url)
            engine = create_engine(normalise(ref_url))
            start = time.perf_counter()
            for name, table in (("items", "item"), ("locations", "location"), ("sales", "sale")):
                frame = pd.read_csv(data / f"{name}.csv", parse_dates=["date"] if name == "sales" else False)
                frame["source"] = "bench"
                frame["updated_at"] = pd.Timestamp.now(tz="UTC")
                frame.to_sql(table, engine, if_exists="append", index=False, chunksize=20_000)
            reference = time.perf_counter() - start
            engine.dispose()
        finally:
            drop_ref()
    return {
        "benchmark": "import",
        "database": "postgresql" if url else "sqlite",
        "rows": rows,
        "stockpilot": {"wall_s": round(ours, 2), "rows_per_s": round(rows / ours),
                       "inserted": report.inserted.get("sales", 0)},
        "stockpilot_reimport_unchanged": {"wall_s": round(reimport, 2),
                                          "unchanged": again.unchanged.get("sales", 0)},
        "reference_pandas_to_sql": {"wall_s": round(reference, 2), "rows_per_s": round(rows / reference)},
        "ratio_time_vs_reference": round(ours / reference, 2),
    }
