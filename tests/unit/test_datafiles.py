"""Validation of the data files (pure: no database)."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from scenarios.datasets.files import read_dir, read_file, validate_frame, write_dir
from scenarios.datasets.schemas import FILES, describe_markdown
from scenarios.errors import DataValidationError

SALES_HEADER = "item_id,location_id,date,qty\n"


def _issues(path):
    with pytest.raises(DataValidationError) as err:
        read_file(path)
    return err.value.issues


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text(SALES_HEADER + "A,L,2024-01-01,3\nA,L,2024/01/02,-1\nB,L,2024-01-03,x\nA,L,2024-01-01,4\n")
    issues = _issues(path)
    found = {(i.row, i.column, i.rule) for i in issues}
    assert (2, "date", "must be a date in the form YYYY-MM-DD") in found
    assert (2, "qty", "must be >= 0") in found
    assert (3, "qty", "must be a number") in found
    dup_rows = sorted(i.row for i in issues if i.rule.startswith("duplicate key"))
    assert dup_rows == [1, 4]
    assert all(i.file == "sales.csv" for i in issues)
    text = str(DataValidationError(issues))
    assert "sales.csv, row 2, column 'qty': must be >= 0 (value '-1')" in text


def test_missing_column_names_the_column(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text("item_id,date,qty\nA,2024-01-01,1\n")
    issues = _issues(path)
    assert [(i.row, i.column, i.rule) for i in issues] == [(None, "location_id", "missing required column")]


def test_unknown_column_is_refused(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text("item_id,location_id,date,qyt\nA,L,2024-01-01,1\n")
    rules = {(i.column, i.rule.split(";")[0]) for i in _issues(path)}
    assert ("qyt", "unknown column") in rules


@pytest.mark.parametrize("content, rule", [
    (b"", "file is empty (no header, no rows)"),
    (b"   \n", "file is empty (no header, no rows)"),
    (SALES_HEADER.encode(), "file has a header but no data rows"),
])
def test_empty_files(tmp_path, content, rule):
    path = tmp_path / "sales.csv"
    path.write_bytes(content)
    assert [i.rule for i in _issues(path)] == [rule]


def test_non_utf8_file_names_the_line(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_bytes(SALES_HEADER.encode() + b"A,L,2024-01-01,1\nCaf\xe9,L,2024-01-02,1\n")
    (issue,) = _issues(path)
    assert issue.row == 2
    assert "not UTF-8" in issue.rule


def test_case_pack_zero_and_max_below_min(tmp_path):
    path = tmp_path / "itemsuppliers.csv"
    path.write_text("item_id,supplier_id,unit_cost,lead_time_days,size_minimum,size_multiple,size_maximum,priority\n"
                    "A,S,1,7,10,0,,1\nB,S,1,7,10,2.5,,1\n")
    issues = {(i.row, i.column, i.rule) for i in _issues(path)}
    assert (1, "size_multiple", "must be >= 1") in issues
    assert (2, "size_multiple", "must be a whole number") in issues
    path.write_text("item_id,supplier_id,unit_cost,lead_time_days,size_minimum,size_multiple,size_maximum,priority\n"
                    "A,S,1,7,10,6,5,1\n")
    (issue,) = _issues(path)
    assert (issue.row, issue.column, issue.rule) == (1, "size_maximum", "size_maximum must be >= size_minimum")


def test_gzip_and_parquet_read_like_csv(tmp_path):
    body = SALES_HEADER + "A,L,2024-01-01,3\nA,L,2024-01-08,0\n"
    (tmp_path / "sales.csv").write_text(body)
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "sales.csv.gz").write_bytes(gzip.compress(body.encode()))
    plain = read_file(tmp_path / "sales.csv")
    pd.testing.assert_frame_equal(plain, read_file(tmp_path / "g" / "sales.csv.gz"))
    plain.to_parquet(tmp_path / "sales.parquet")
    pd.testing.assert_frame_equal(plain, read_file(tmp_path / "sales.parquet"))
    assert str(plain["date"].dtype) == "datetime64[ns]" and plain["qty"].tolist() == [3.0, 0.0]


def test_unknown_item_in_sales_is_a_reference_error(tmp_path, sample_path):
    import shutil

    for f in sample_path.iterdir():
        if f.name.endswith((".csv", ".csv.gz")):
            shutil.copy(f, tmp_path / f.name)
    sales = pd.read_csv(tmp_path / "sales.csv.gz")
    sales.loc[5, "item_id"] = "NOPE"
    sales.to_csv(tmp_path / "sales.csv.gz", index=False)
    with pytest.raises(DataValidationError) as err:
        read_dir(tmp_path)
    (issue,) = err.value.issues
    assert (issue.file, issue.row, issue.column, issue.value) == ("sales.csv.gz", 6, "item_id", "NOPE")
    assert issue.rule == "unknown item: not in items"


def test_sample_validates_and_round_trips(tmp_path, sample_path):
    data = read_dir(sample_path)
    assert data.sales["item_id"].nunique() == 11 and data.sales["location_id"].nunique() == 12
    assert set(data.warehouses()["location_id"]) == {"W1", "W2", "W3"}
    write_dir(data, tmp_path)
    again = read_dir(tmp_path)
    assert again.input_hash() == data.input_hash()
    assert sum(f.stat().st_size for f in sample_path.iterdir()) < 5_000_000


def test_validate_frame_returns_typed_columns():
    raw = pd.DataFrame({"item_id": ["A"], "supplier_id": ["S"], "unit_cost": ["1.5"], "lead_time_days": ["7"],
                        "size_minimum": ["10"], "size_multiple": ["6"], "priority": ["1"]})
    out = validate_frame(raw, "itemsuppliers")
    assert list(out.columns) == FILES["itemsuppliers"].column_names
    assert out.loc[0, "size_multiple"] == 6 and str(out["size_multiple"].dtype) == "Int64"
    assert pd.isna(out.loc[0, "location_id"])


def test_schema_doc_lists_every_column():
    doc = describe_markdown()
    for spec in FILES.values():
        for col in spec.columns:
            assert f"`{col.name}`" in doc


def test_parquet_folder_round_trip_with_absent_optional_columns(tmp_path, sample_path):
    from scenarios.datasets.generator import generate_supply_side

    data = read_dir(sample_path)
    frames = generate_supply_side(data.sales, seed=7)
    assert "location_id" not in frames["itemsuppliers"].columns  # an optional key column, absent
    frames["sales"] = data.sales
    write_dir(frames, tmp_path, fmt="parquet")
    again = read_dir(tmp_path)
    assert again.input_hash() == data.input_hash()
