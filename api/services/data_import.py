"""Import and export of the data files: all-or-nothing, idempotent upserts.

* Every file is validated (:mod:`scenarios.datasets.files`) and every cross-file reference is
  checked against the other files *and* the rows already in the database before anything is
  written; all problems of all files are reported together.
* Rows are matched on their natural key (``FILES[name].key``): new keys are inserted, rows whose
  values changed are updated (and get a new ``updated_at`` and ``source``), identical rows are
  left untouched — so importing the same files twice changes nothing. Rows absent from a file
  are kept (import never deletes).
* The caller's session is the unit of work: nothing is committed here, and a failure anywhere
  leaves the database exactly as it was once the caller rolls back
  (:func:`import_dir` with ``commit=True`` does this itself).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from tqdm import tqdm

from api.db import models as m
from api.db.base import utcnow
from scenarios.datasets.files import check_references, read_files, write_dir
from scenarios.datasets.schemas import FILE_ORDER, FILES
from scenarios.errors import DataIssue, DataValidationError, StockpilotError

MODELS = {
    "items": m.Item, "locations": m.Location, "suppliers": m.Supplier,
    "itemsuppliers": m.ItemSupplier, "itemdistributions": m.ItemDistribution, "buffers": m.Buffer,
    "sales": m.Sale, "events": m.Event, "presales": m.PresaleCampaign,
    "presale_deposits": m.PresaleDeposit,
}
#: tables whose natural key has an optional part and therefore a surrogate ``id``
SURROGATE = {"itemsuppliers", "itemdistributions"}
CHUNK_ROWS = 20_000


@dataclass
class ImportReport:
    """Rows inserted / updated / unchanged per file."""

    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.inserted.values()) + sum(self.updated.values()) + sum(self.unchanged.values())

    def as_dict(self) -> dict:
        return {"inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged}


# ------------------------------------------------------------------------------- conversions
def _py(value):
    """A frame cell as a DB parameter (NaN/NaT → None, Timestamp → date, numpy → python)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    return value


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    cols = [frame[c].tolist() for c in columns]
    return [{c: _py(v) for c, v in zip(columns, row)} for row in zip(*cols)]


def _key_tuple(record: Mapping, key: tuple[str, ...]) -> tuple:
    return tuple("" if record[k] is None else record[k] for k in key)


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(a, datetime):
        a = a.date()
    if isinstance(b, datetime):
        b = b.date()
    return a == b


def _existing(session: Session, name: str) -> dict[tuple, dict]:
    model = MODELS[name]
    spec = FILES[name]
    cols = spec.column_names + (["id"] if name in SURROGATE else [])
    rows = session.execute(select(*[getattr(model, c) for c in cols])).all()
    out = {}
    for row in rows:
        rec = dict(zip(cols, row))
        out[_key_tuple(rec, spec.key)] = rec
    return out


def known_keys(session: Session) -> dict[str, set]:
    """Keys already in the database, by ``file.column`` (for reference checks)."""
    return {
        "items.item_id": set(session.scalars(select(m.Item.item_id))),
        "locations.location_id": set(session.scalars(select(m.Location.location_id))),
        "suppliers.supplier_id": set(session.scalars(select(m.Supplier.supplier_id))),
        "presales.campaign_id": set(session.scalars(select(m.PresaleCampaign.campaign_id))),
    }


def _location_order(records: list[dict]) -> list[dict]:
    """Parents before children, so foreign keys hold row by row."""
    by_id = {r["location_id"]: r for r in records}
    depth: dict[str, int] = {}

    def d(loc: str, seen=()) -> int:
        if loc in depth:
            return depth[loc]
        parent = by_id.get(loc, {}).get("parent_id")
        if parent is None or parent not in by_id or parent in seen:
            depth[loc] = 0
        else:
            depth[loc] = d(parent, seen + (loc,)) + 1
        return depth[loc]

    return sorted(records, key=lambda r: d(r["location_id"]))


# ----------------------------------------------------------------------------------- import
def import_frames(session: Session, frames: Mapping[str, pd.DataFrame], source: str = "import",
                  progress: bool = False, labels: Mapping[str, str] | None = None) -> ImportReport:
    """Upsert validated frames (as returned by ``read_file`` / ``validate_frame``) into the
    database inside the caller's transaction. Raises :class:`DataValidationError` listing every
    dangling reference before writing anything."""
    unknown = [n for n in frames if n not in MODELS]
    if unknown:
        raise DataValidationError([DataIssue(n, None, None, None, "unknown data table") for n in unknown])
    check_references(frames, known=known_keys(session), labels=labels)
    report = ImportReport()
    now = utcnow()
    for name in FILE_ORDER:
        if name not in frames:
            continue
        _upsert(session, name, frames[name], source, now, report, progress)
    try:
        session.flush()
    except IntegrityError as exc:  # the schema's own constraints: should be caught above
        raise StockpilotError(f"the database refused the import: {exc.orig}") from exc
    return report


def _upsert(session, name, frame, source, now, report, progress) -> None:
    model = MODELS[name]
    spec = FILES[name]
    columns = spec.column_names
    incoming = _records(frame, columns)
    existing = _existing(session, name)
    new, changed = [], []
    unchanged = 0
    for rec in incoming:
        key = _key_tuple(rec, spec.key)
        old = existing.get(key)
        if old is None:
            new.append({**rec, "source": source, "updated_at": now})
        elif all(_same(rec[c], old[c]) for c in columns):
            unchanged += 1
        else:
            upd = {**rec, "source": source, "updated_at": now}
            if name in SURROGATE:
                upd["id"] = old["id"]
            changed.append(upd)
    if name == "locations":
        new = _location_order(new)
    bar = tqdm(total=len(new) + len(changed), desc=f"import {name}", unit="row",
               disable=not progress or len(new) + len(changed) < CHUNK_ROWS,
               leave=False)
    try:
        for start in range(0, len(new), CHUNK_ROWS):
            chunk = new[start:start + CHUNK_ROWS]
            session.execute(insert(model), chunk)
            bar.update(len(chunk))
        for start in range(0, len(changed), CHUNK_ROWS):
            chunk = changed[start:start + CHUNK_ROWS]
            session.execute(update(model), chunk)
            bar.update(len(chunk))
    except IntegrityError as exc:
        raise StockpilotError(f"{name}: the database refused the rows: {exc.orig}") from exc
    finally:
        bar.close()
    report.inserted[name] = len(new)
    report.updated[name] = len(changed)
    report.unchanged[name] = unchanged


def read_import_dir(folder: str | Path) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Read and validate every data file present in ``folder`` (all problems at once)."""
    frames, labels = read_files(folder)
    if not frames:
        raise DataValidationError([DataIssue(str(folder), None, None, None,
                                             "no data files found (expected e.g. items.csv, sales.csv)")])
    return frames, labels


def import_dir(session: Session, folder: str | Path, source: str = "import",
               progress: bool = False) -> ImportReport:
    """Validate and upsert every data file in ``folder`` in the caller's transaction."""
    frames, labels = read_import_dir(folder)
    return import_frames(session, frames, source=source, progress=progress, labels=labels)


# ----------------------------------------------------------------------------------- export
def table_frame(session: Session, name: str) -> pd.DataFrame:
    """One table as a typed frame with exactly the file's columns."""
    from scenarios.datasets.planning_data import empty_frame

    model = MODELS[name]
    spec = FILES[name]
    rows = session.execute(select(*[getattr(model, c) for c in spec.column_names])).all()
    if not rows:
        return empty_frame(name)
    frame = pd.DataFrame(rows, columns=spec.column_names)
    for c in spec.columns:
        if c.kind == "date":
            frame[c.name] = pd.to_datetime(frame[c.name])
        elif c.kind == "number":
            frame[c.name] = pd.to_numeric(frame[c.name]).astype("float64")
        elif c.kind == "integer":
            frame[c.name] = pd.to_numeric(frame[c.name]).astype("Int64")
        else:
            frame[c.name] = frame[c.name].astype(object).where(frame[c.name].notna(), np.nan)
    return frame.sort_values(list(spec.key), kind="stable", na_position="first").reset_index(drop=True)


def export_dir(session: Session, folder: str | Path, fmt: str = "csv") -> list[Path]:
    """Write every non-empty table as a data file (the same files ``import`` reads)."""
    return write_dir({name: table_frame(session, name) for name in FILE_ORDER}, folder, fmt=fmt)

