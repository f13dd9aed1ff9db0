"""Reading and writing the data files (CSV, gzipped CSV or Parquet), validated against
:mod:`scenarios.datasets.schemas`.

Every problem of a file is collected before anything is raised: :class:`DataValidationError`
lists them all, each naming file, row, column, value and rule. Cross-file references
("unknown item in sales") are checked by :func:`check_references` against the other files and
any keys the caller already knows (the database, on import).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera import Check

from scenarios.datasets.planning_data import PlanningData, empty_frame
from scenarios.datasets.schemas import FILE_ORDER, FILES, ColumnSpec, FileSpec
from scenarios.errors import DataIssue, DataValidationError

SUFFIXES = (".csv", ".csv.gz", ".parquet")
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


# ----------------------------------------------------------------------------- finding files
def find_file(folder: Path, name: str) -> Path | None:
    for suffix in SUFFIXES:
        candidate = folder / f"{name}{suffix}"
        if candidate.exists():
            return candidate
    return None


def file_kind(path: Path) -> str:
    """The data file name (``sales`` for ``sales.csv.gz``), or raise for an unknown file."""
    stem = path.name
    for suffix in SUFFIXES:
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    else:
        raise DataValidationError([DataIssue(path.name, None, None, None,
                                             "unsupported file type (use .csv, .csv.gz or .parquet)")])
    if stem not in FILES:
        raise DataValidationError([DataIssue(path.name, None, None, None,
                                             f"unknown data file; expected one of {', '.join(FILE_ORDER)}")])
    return stem


# ------------------------------------------------------------------------------------ reading
def _read_raw(path: Path) -> pd.DataFrame:
    """The file as text cells (``NaN`` for blanks), or raise a file-level issue."""
    label = path.name
    if path.suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a corrupt file
            raise DataValidationError([DataIssue(label, None, None, None, f"not a readable Parquet file ({exc})")]) from exc
        out = pd.DataFrame(index=frame.index)
        for col in frame.columns:
            s = frame[col]
            if pd.api.types.is_datetime64_any_dtype(s):
                out[col] = s.dt.strftime("%Y-%m-%d")
            else:
                out[col] = s.map(lambda v: np.nan if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
        return out.reset_index(drop=True)
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        import gzip

        try:
            data = gzip.decompress(data)
        except OSError as exc:
            raise DataValidationError([DataIssue(label, None, None, None, "not a valid gzip file")]) from exc
    if not data.strip():
        raise DataValidationError([DataIssue(label, None, None, None, "file is empty (no header, no rows)")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n")  # header is line 0 = row 0
        raise DataValidationError([DataIssue(
            label, line if line > 0 else None, None, data[exc.start:exc.start + 4].hex(" "),
            f"file is not UTF-8 text (invalid byte at offset {exc.start}); save it as UTF-8")]) from exc
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as exc:
        raise DataValidationError([DataIssue(label, None, None, None, f"not valid CSV ({exc})")]) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.apply(lambda s: s.str.strip())
    return frame.astype(object).where(frame != "", np.nan)


def _schema(spec: FileSpec) -> pa.DataFrameSchema:
    columns = {}
    for c in spec.columns:
        columns[c.name] = _column(c)
    return pa.DataFrameSchema(columns, unique=list(spec.key), report_duplicates="all")


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce")


def _column(c: ColumnSpec) -> pa.Column:
    checks: list[Check] = []
    nullable = not c.required
    if c.kind in ("number", "integer"):
        checks.append(Check(lambda s: s.isna() | _num(s).notna(), element_wise=False,
                            error="must be a number"))
        checks.append(Check(lambda s: _num(s).isna() | np.isfinite(_num(s)), error="must be finite"))
        if c.kind == "integer":
            checks.append(Check(lambda s: _num(s).isna() | (_num(s) == _num(s).round()),
                                error="must be a whole number"))
        if c.min is not None:
            lo = c.min
            if c.min_exclusive:
                checks.append(Check(lambda s, lo=lo: _num(s).isna() | (_num(s) > lo), error=f"must be > {lo:g}"))
            else:
                checks.append(Check(lambda s, lo=lo: _num(s).isna() | (_num(s) >= lo), error=f"must be >= {lo:g}"))
        if c.max is not None:
            hi = c.max
            checks.append(Check(lambda s, hi=hi: _num(s).isna() | (_num(s) <= hi), error=f"must be <= {hi:g}"))
    elif c.kind == "date":
        checks.append(Check(lambda s: s.isna() | (s.astype(str).str.match(DATE_PATTERN)
                                                  & pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").notna()),
                            error="must be a date in the form YYYY-MM-DD"))
    elif c.kind == "enum":
        choices = c.choices
        checks.append(Check(lambda s, ch=choices: s.isna() | s.isin(ch), error="must be one of " + ", ".join(choices)))
    return pa.Column(object, nullable=nullable, required=c.required, checks=checks)


_RULE_TEXT = {
    "not_nullable": "is required (blank cell)",
    "column_in_dataframe": "missing required column",
    "multiple_fields_uniqueness": "duplicate key",
}


def _issues_from(label: str, spec: FileSpec, frame: pd.DataFrame, err: pa.errors.SchemaErrors) -> list[DataIssue]:
    issues: list[DataIssue] = []
    seen: set[tuple] = set()
    for rec in err.failure_cases.to_dict("records"):
        check = str(rec.get("check"))
        column = rec.get("column")
        index = rec.get("index")
        value = rec.get("failure_case")
        if check.startswith("dtype(") or (isinstance(value, str) and value.startswith("TypeError(")):
            continue
        if check == "column_in_dataframe":
            issues.append(DataIssue(label, None, str(value), None, "missing required column"))
            continue
        if check == "multiple_fields_uniqueness":
            row = None if index is None or pd.isna(index) else int(index) + 1
            key = ", ".join(f"{k}={frame.at[int(index), k]!r}" for k in spec.key) if row else None
            marker = ("dup", row)
            if marker in seen:
                continue
            seen.add(marker)
            issues.append(DataIssue(label, row, ",".join(spec.key), key,
                                    f"duplicate key ({', '.join(spec.key)}) — each key may appear once"))
            continue
        row = None if index is None or pd.isna(index) else int(index) + 1
        rule = _RULE_TEXT.get(check, check)
        issues.append(DataIssue(label, row, None if column is None else str(column),
                                None if check == "not_nullable" else value, rule))
    return sorted(issues, key=lambda i: (i.row or 0, i.column or ""))


def validate_frame(raw: pd.DataFrame, name: str, label: str | None = None) -> pd.DataFrame:
    """Check a frame of text cells against the file spec ``name`` and return it typed.

    Raises :class:`DataValidationError` with every problem found.
    """
    spec = FILES[name]
    label = label or name
    raw = raw.reset_index(drop=True)
    issues: list[DataIssue] = []
    unknown = [c for c in raw.columns if c not in spec.column_names]
    for col in unknown:
        issues.append(DataIssue(label, None, col, None,
                                f"unknown column; {name} takes: {', '.join(spec.column_names)}"))
    if len(raw) == 0 and not unknown:
        issues.append(DataIssue(label, None, None, None, "file has a header but no data rows"))
    if not issues:
        try:
            _schema(spec).validate(raw, lazy=True)
        except pa.errors.SchemaErrors as err:
            issues.extend(_issues_from(label, spec, raw, err))
    if issues:
        raise DataValidationError(issues)
    typed = _typed(raw, spec)
    row_issues = _row_rules(typed, spec, label)
    if row_issues:
        raise DataValidationError(row_issues)
    return typed


def _typed(raw: pd.DataFrame, spec: FileSpec) -> pd.DataFrame:
    out = {}
    for c in spec.columns:
        s = raw[c.name] if c.name in raw.columns else pd.Series(np.nan, index=raw.index, dtype=object)
        if c.kind == "number":
            out[c.name] = pd.to_numeric(s, errors="coerce").astype("float64")
        elif c.kind == "integer":
            out[c.name] = pd.to_numeric(s, errors="coerce").round().astype("Int64")
        elif c.kind == "date":
            out[c.name] = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
        else:
            out[c.name] = s.astype(object).where(s.notna(), np.nan)
    return pd.DataFrame(out, index=raw.index)


def _row_rules(frame: pd.DataFrame, spec: FileSpec, label: str) -> list[DataIssue]:
    issues = []
    for left, op, right in spec.checks:
        a, b = frame[left], frame[right]
        bad = a.notna() & b.notna() & ~(a >= b if op == ">=" else a > b)
        for idx in np.flatnonzero(bad.to_numpy()):
            value = a.iloc[idx]
            if isinstance(value, pd.Timestamp):
                value = value.strftime("%Y-%m-%d")
            issues.append(DataIssue(label, int(idx) + 1, left, value, f"{left} must be {op} {right}"))
    return issues


def read_file(path: str | Path, name: str | None = None) -> pd.DataFrame:
    """Read and validate one data file; ``name`` defaults to the file's stem."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    name = name or file_kind(path)
    return validate_frame(_read_raw(path), name, label=path.name)


# --------------------------------------------------------------------------- cross-file checks
def check_references(frames: Mapping[str, pd.DataFrame], known: Mapping[str, Iterable[str]] | None = None,
                     labels: Mapping[str, str] | None = None) -> None:
    """Every key that references another file must exist there (or in ``known``, keyed like
    ``"items.item_id"``). Raises :class:`DataValidationError` with every dangling key."""
    known = known or {}
    labels = labels or {}
    issues: list[DataIssue] = []
    for name, frame in frames.items():
        for c in FILES[name].columns:
            if not c.references or c.name not in frame.columns:
                continue
            target_file, target_col = c.references.split(".")
            valid = set(known.get(c.references, ()))
            if target_file in frames:
                valid |= set(frames[target_file][target_col].dropna())
            col = frame[c.name]
            bad = col.notna() & ~col.isin(valid)
            for idx in np.flatnonzero(bad.to_numpy())[:1000]:
                issues.append(DataIssue(labels.get(name, name), int(idx) + 1, c.name, col.iloc[idx],
                                        f"unknown {target_col.removesuffix('_id')}: not in {target_file}"))
    if issues:
        raise DataValidationError(issues)


def read_files(folder: str | Path, require: Iterable[str] = ()) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """Read and validate every data file present in ``folder``: the frames and the file name
    each came from, by data-file name. Problems of all files are reported together."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: not a folder")
    frames: dict[str, pd.DataFrame] = {}
    labels: dict[str, str] = {}
    issues: list[DataIssue] = []
    for name in FILE_ORDER:
        path = find_file(folder, name)
        if path is None:
            if name in require:
                issues.append(DataIssue(f"{name}.csv", None, None, None, f"required file missing in {folder}"))
            continue
        labels[name] = path.name
        try:
            frames[name] = read_file(path, name)
        except DataValidationError as err:
            issues.extend(err.issues)
    if issues:
        raise DataValidationError(issues)
    return frames, labels


def read_dir(folder: str | Path, require: Iterable[str] = ("items", "locations", "sales")) -> PlanningData:
    """Read every data file in ``folder`` into a validated :class:`PlanningData`.

    Files may be ``.csv``, ``.csv.gz`` or ``.parquet``; missing optional files are empty.
    Problems of all files are reported together.
    """
    frames, labels = read_files(folder, require)
    check_references(frames, labels=labels)
    return PlanningData.from_frames(frames)


# ------------------------------------------------------------------------------------ writing
def to_text_frame(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The frame with dates as ``YYYY-MM-DD`` and only the documented columns, in order."""
    spec = FILES[name]
    out = pd.DataFrame(index=frame.index)
    for c in spec.columns:
        s = frame[c.name] if c.name in frame.columns else pd.Series(np.nan, index=frame.index)
        if c.kind == "date":
            s = pd.to_datetime(s).dt.strftime("%Y-%m-%d")
        out[c.name] = s
    return out


def write_file(frame: pd.DataFrame, path: str | Path, name: str | None = None) -> Path:
    path = Path(path)
    name = name or file_kind(path)
    text = to_text_frame(frame, name)
    sort_cols = list(FILES[name].key)
    text = text.sort_values(sort_cols, kind="stable", na_position="first")
    if path.suffix == ".parquet":
        typed = frame.reindex(columns=FILES[name].column_names)  # optional columns may be absent
        typed.sort_values(sort_cols, kind="stable", na_position="first").to_parquet(path, index=False)
    else:
        text.to_csv(path, index=False, float_format="%.10g")
    return path


def write_dir(data: PlanningData | Mapping[str, pd.DataFrame], folder: str | Path, fmt: str = "csv",
              skip_empty: bool = True) -> list[Path]:
    """Write every (non-empty) frame as ``<name>.<fmt>`` (fmt: csv, csv.gz or parquet)."""
    if fmt not in ("csv", "csv.gz", "parquet"):
        raise ValueError(f"format must be csv, csv.gz or parquet, not {fmt!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frames = data.frames() if isinstance(data, PlanningData) else dict(data)
    written = []
    for name in FILE_ORDER:
        frame = frames.get(name)
        if frame is None or (skip_empty and frame.empty):
            continue
        written.append(write_file(frame, folder / f"{name}.{fmt}", name))
    return written


__all__ = ["read_file", "read_files", "read_dir", "write_file", "write_dir", "validate_frame", "check_references",
           "find_file", "file_kind", "empty_frame"]
