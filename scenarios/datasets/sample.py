"""The bundled sample data set (package data in ``scenarios/sample/``).

Real columns: ``sales.csv.gz`` holds Dominick's Finer Foods refrigerated orange-juice weekly
unit sales (``qty``), shelf price (``price``, dollars per ounce as in the source) and deal flag
(``promo``) for the 12 stores with the most complete history × all 11 brands, from the Kilts
Center's Dominick's data (academic-research terms; redistributed in the R package ``bayesm``,
GPL >= 2). Dates are the source's week starts moved forward by exactly 28 years (1990-06-14 →
2018-06-14): the Gregorian calendar repeats every 28 years inside 1901–2099, so each date keeps
its weekday and day of year, and the sample sits in a calendar where 618 and Double 11 exist.

Generated columns: every other file, by :func:`scenarios.datasets.generator.generate_supply_side`
with seed 7 (see that module for each rule). Rebuild with :func:`build_sample`.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pandas as pd

SAMPLE_STORES = 12
DATE_SHIFT_YEARS = 28
SEED = 7


def sample_dir() -> Path:
    """Folder of the bundled sample files (inside the installed package)."""
    return Path(str(resources.files("scenarios") / "sample"))


def write_sample(dest: str | Path) -> list[Path]:
    """Copy the bundled sample files into ``dest`` (created if needed)."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for src in sorted(sample_dir().iterdir()):
        if src.name.endswith((".csv", ".csv.gz")):
            target = dest / src.name
            shutil.copyfile(src, target)
            out.append(target)
    return out


def build_sample(oj_file: str | Path, dest: str | Path) -> list[Path]:
    """Rebuild the sample from ``shared/data/sales/dominicks_oj_weekly_store_brand.csv.gz``."""
    from scenarios.datasets.files import write_file
    from scenarios.datasets.generator import generate_supply_side
    from scenarios.datasets.real import load_real_sales

    sales = load_real_sales(oj_file)
    counts = sales.groupby("location_id").size().sort_values(ascending=False, kind="stable")
    stores = sorted(counts.index[:SAMPLE_STORES])
    sales = sales[sales["location_id"].isin(stores)].copy()
    sales["date"] = sales["date"] + pd.DateOffset(years=DATE_SHIFT_YEARS)
    frames = generate_supply_side(sales, seed=SEED)
    frames["sales"] = sales
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in frames.items():
        suffix = ".csv.gz" if name == "sales" else ".csv"
        written.append(write_file(frame, dest / f"{name}{suffix}", name))
    return written
