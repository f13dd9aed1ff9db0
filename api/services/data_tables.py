"""Bulk upsert and listing of the data tables through the API, with exactly the validation of
``stockpilot import`` (:func:`scenarios.datasets.files.validate_frame`, then
:func:`api.services.data_import.import_frames`, all-or-nothing)."""

from __future__ import annotations

import gzip
import io
import json
import math
from datetime import date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.errors import PayloadTooLarge, Unprocessable
from api.services.uow import read_only, unit_of_work
from scenarios.datasets.files import validate_frame
from scenarios.datasets.schemas import FILE_ORDER, FILES
from scenarios.errors import DataIssue, DataValidationError

TABLES = tuple(FILE_ORDER)


def _cell(v):
    if v is None:
        return np.nan
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return np.nan if math.isnan(v) else repr(v)
    if isinstance(v, (int, str)):
        s = str(v).strip()
        return np.nan if s == "" else s
    return json.dumps(v)  # nested values: the schema rejects them by type


def frame_from_records(records: list[dict], name: str) -> pd.DataFrame:
    """JSON records → a frame of text cells (what a CSV reader would give)."""
    issues = [
        DataIssue(name, i + 1, None, None, "each row must be a JSON object")
        for i, r in enumerate(records)
        if not isinstance(r, dict)
    ]
    if issues:
        raise DataValidationError(issues)
    columns = list(dict.fromkeys(k for r in records for k in r))
    return pd.DataFrame(
        [[_cell(r.get(c)) for c in columns] for r in records], columns=columns, dtype=object
    )


def frame_from_csv(data: bytes, name: str) -> pd.DataFrame:
    """CSV bytes (UTF-8, optionally gzipped) → a frame of text cells."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except OSError:
            raise DataValidationError(
                [DataIssue(name, None, None, None, "not a valid gzip file")]
            ) from None
    if not data.strip():
        raise DataValidationError(
            [DataIssue(name, None, None, None, "file is empty (no header, no rows)")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataValidationError(
            [
                DataIssue(
                    name,
                    None,
                    None,
                    data[exc.start : exc.start + 4].hex(" "),
                    f"not UTF-8 text (invalid byte at offset {exc.start})",
                )
            ]
        ) from None
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataValidationError(
            [DataIssue(name, None, None, None, f"not valid CSV ({exc})")]
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.apply(lambda s: s.str.strip())
    return frame.astype(object).where(frame != "", np.nan)


def upsert(
    sessions: sessionmaker[Session], name: str, raw: pd.DataFrame, actor: str, max_rows: int
) -> dict:
    """Validate and upsert one table (one transaction); the import report."""
    from api.services.data_import import import_frames

    if name not in FILES:
        raise Unprocessable(f"unknown data table {name!r}; one of {', '.join(TABLES)}")
    if len(raw) > max_rows:
        raise PayloadTooLarge(
            f"{len(raw)} rows is more than {max_rows} for a synchronous upload; "
            "POST the file to /api/v1/imports (a background job)"
        )
    typed = validate_frame(raw, name, label=name)
    with unit_of_work(sessions) as s:
        report = import_frames(s, {name: typed}, source=f"api:{actor}"[:64])
    return report.as_dict()


def _plain(v):
    if isinstance(v, (date, datetime)):
        return (
            v.isoformat()[:10]
            if isinstance(v, date) and not isinstance(v, datetime)
            else v.isoformat()
        )
    return v


def list_rows(sessions: sessionmaker[Session], name: str, limit: int, offset: int) -> dict:
    from api.services.data_import import MODELS

    model = MODELS[name]
    spec = FILES[name]
    cols = [getattr(model, c) for c in spec.column_names]
    order = [
        func.coalesce(getattr(model, k), "") if not spec.column(k).required else getattr(model, k)
        for k in spec.key
    ]
    with read_only(sessions) as s:
        total = s.scalar(select(func.count()).select_from(model))
        rows = s.execute(select(*cols).order_by(*order).limit(limit).offset(offset)).all()
    items = [{c: _plain(v) for c, v in zip(spec.column_names, row, strict=True)} for row in rows]
    return {
        "table": name,
        "items": items,
        "total": int(total or 0),
        "limit": limit,
        "offset": offset,
    }
