"""The planning data set: one validated DataFrame per data file, as the pipeline sees it.

Columns are exactly those of :data:`scenarios.datasets.schemas.FILES` (every column present,
optional ones possibly all-NaN); ``*_date``/``date`` columns are ``datetime64[ns]``, numbers are
``float64`` (``integer`` columns ``Int64``), keys and text ``object`` (str, NaN when blank).
Built by :func:`scenarios.datasets.files.read_dir` (files) or the API's database loader, and
consumed by the pipeline stages. Frames are never mutated in place: scenario overrides return a
new :class:`PlanningData` via :meth:`replace`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields, replace

import pandas as pd

from scenarios.datasets.schemas import FILE_ORDER, FILES


def empty_frame(name: str) -> pd.DataFrame:
    spec = FILES[name]
    dtypes = {"id": object, "text": object, "enum": object, "number": "float64",
              "integer": "Int64", "date": "datetime64[ns]"}
    return pd.DataFrame({c.name: pd.Series(dtype=dtypes[c.kind]) for c in spec.columns})


@dataclass(frozen=True)
class PlanningData:
    items: pd.DataFrame
    locations: pd.DataFrame
    suppliers: pd.DataFrame
    itemsuppliers: pd.DataFrame
    itemdistributions: pd.DataFrame
    buffers: pd.DataFrame
    sales: pd.DataFrame
    events: pd.DataFrame
    presales: pd.DataFrame
    presale_deposits: pd.DataFrame

    @classmethod
    def from_frames(cls, frames: dict[str, pd.DataFrame]) -> PlanningData:
        """Missing files become empty frames with the documented columns."""
        return cls(**{name: frames.get(name, empty_frame(name)) for name in FILE_ORDER})

    def frames(self) -> dict[str, pd.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def replace(self, **frames: pd.DataFrame) -> PlanningData:
        return replace(self, **frames)

    def warehouses(self) -> pd.DataFrame:
        return self.locations[self.locations["type"] == "warehouse"]

    def input_hash(self) -> str:
        """SHA-256 over every frame's content (order-independent within a frame)."""
        h = hashlib.sha256()
        for name in FILE_ORDER:
            frame = getattr(self, name)
            cols = sorted(frame.columns)
            body = frame[cols].sort_values(list(FILES[name].key)).to_csv(index=False)
            h.update(name.encode())
            h.update(body.encode())
        return h.hexdigest()
