"""``stockpilot import`` / ``export`` on a real database (SQLite, or PostgreSQL via DATABASE_URL):
round trip, idempotence, updates, and all-or-nothing on bad input."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from sqlalchemy import func, select

from api.cli.main import main
from api.db import models as m
from api.db.session import transaction


def _copy_sample(sample_path, dest):
    dest.mkdir(exist_ok=True)
    for f in sample_path.iterdir():
        if f.name.endswith((".csv", ".csv.gz")):
            shutil.copy(f, dest / f.name)
    return dest


def _snapshot(url):
    """Row count and max(updated_at) of every data table."""
    from api.services.data_import import MODELS

    out = {}
    with transaction(url) as s:
        for name, model in MODELS.items():
            out[name] = (s.scalar(select(func.count()).select_from(model)), s.scalar(select(func.max(model.updated_at))))
    return out


def test_sample_import_export_round_trip(db, tmp_path, sample_path, capsys):
    assert main(["sample", str(tmp_path / "in")]) == 0
    assert main(["import", "--quiet", str(tmp_path / "in")]) == 0
    assert main(["export", str(tmp_path / "out")]) == 0
    for src in (tmp_path / "in").iterdir():
        name = src.name.removesuffix(".gz")
        a = pd.read_csv(src).sort_values(list(pd.read_csv(src).columns[:2])).reset_index(drop=True)
        b = pd.read_csv(tmp_path / "out" / name).sort_values(list(a.columns[:2])).reset_index(drop=True)
        a, b = a.sort_values(list(a.columns)).reset_index(drop=True), b.sort_values(list(b.columns)).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, check_dtype=False, obj=name)
    # export → import into the same database changes nothing
    before = _snapshot(db)
    assert main(["import", "--quiet", str(tmp_path / "out")]) == 0
    assert _snapshot(db) == before
    out = capsys.readouterr().out
    assert "sales:        0 new,        0 updated,    15829 unchanged" in out


def test_reimport_updates_only_changed_rows(db, tmp_path, sample_path):
    folder = _copy_sample(sample_path, tmp_path / "d")
    assert main(["import", "--quiet", str(folder)]) == 0
    before = _snapshot(db)
    items = pd.read_csv(folder / "items.csv")
    items.loc[items["item_id"] == "OJ03", "price"] = 9.99
    items.to_csv(folder / "items.csv", index=False)
    assert main(["import", "--quiet", "--source", "price-update", str(folder)]) == 0
    after = _snapshot(db)
    assert after["items"][0] == before["items"][0]
    assert after["items"][1] > before["items"][1]
    assert {k: v for k, v in after.items() if k != "items"} == {k: v for k, v in before.items() if k != "items"}
    with transaction(db) as s:
        changed = s.execute(select(m.Item.item_id, m.Item.price, m.Item.source)
                            .where(m.Item.source == "price-update")).all()
    assert changed == [("OJ03", 9.99, "price-update")]


BAD_INPUTS = {
    "missing column": ("sales.csv", "item_id,date,qty\nOJ01,2024-01-01,3\n", "missing required column"),
    "wrong type": ("sales.csv", "item_id,location_id,date,qty\nOJ01,S100,2024-01-01,three\n", "must be a number"),
    "negative quantity": ("sales.csv", "item_id,location_id,date,qty\nOJ01,S100,2024-01-01,-3\n", "must be >= 0"),
    "unknown item in sales": ("sales.csv", "item_id,location_id,date,qty\nGHOST,S100,2024-01-01,3\n",
                              "unknown item: not in items"),
    "duplicate key": ("sales.csv", "item_id,location_id,date,qty\nOJ01,S100,2024-01-01,3\nOJ01,S100,2024-01-01,4\n",
                      "duplicate key"),
    "empty file": ("sales.csv", "", "file is empty"),
    "non-UTF-8 file": ("items.csv", None, "not UTF-8"),
    "date in the wrong format": ("sales.csv", "item_id,location_id,date,qty\nOJ01,S100,01/02/2024,3\n",
                                 "must be a date in the form YYYY-MM-DD"),
    "case pack of 0": ("itemsuppliers.csv",
                       "item_id,supplier_id,unit_cost,lead_time_days,size_minimum,size_multiple,priority\n"
                       "OJ01,S1,1,7,10,0,1\n", "size_multiple"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_leaves_database_unchanged(case, db, tmp_path, sample_path, capsys):
    base = _copy_sample(sample_path, tmp_path / "base")
    assert main(["import", "--quiet", str(base)]) == 0
    before = _snapshot(db)
    capsys.readouterr()

    folder = tmp_path / "bad"
    folder.mkdir()
    # a good file beside the bad one: it must not be written either
    items = pd.read_csv(base / "items.csv")
    items.loc[0, "price"] = 123.0
    filename, body, expected = BAD_INPUTS[case]
    if filename != "items.csv":
        items.to_csv(folder / "items.csv", index=False)
    if body is None:
        raw = items.to_csv(index=False).encode("utf-8").replace(b"Dominick's", b"Dominick\xe9s")
        (folder / filename).write_bytes(raw)
    else:
        (folder / filename).write_text(body)

    code = main(["import", str(folder)])
    err = capsys.readouterr().err
    assert code == 1
    assert expected in err and filename in err
    assert "Traceback" not in err
    assert _snapshot(db) == before


def test_schema_constraints_hold_without_the_validator(db):
    """Constraints live in the schema, not only in code."""
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with transaction(db) as s:
            s.add(m.Sale(item_id="NOPE", location_id="NOPE", date=pd.Timestamp("2024-01-01").date(), qty=1.0))
    with pytest.raises(IntegrityError):
        with transaction(db) as s:
            s.add(m.Item(item_id="A", category="c", unit_cost=-1, price=1, unit_volume_m3=0,
                         holding_rate_per_year=0.2, lifecycle="active"))
    with transaction(db) as s:
        s.add(m.Item(item_id="A", category="c", unit_cost=1, price=1, unit_volume_m3=0,
                     holding_rate_per_year=0.2, lifecycle="active"))
        s.add(m.Supplier(supplier_id="S", order_cost=1))
    with pytest.raises(IntegrityError):
        with transaction(db) as s:
            for _ in range(2):  # blank destination twice: the coalesce unique index refuses it
                s.add(m.ItemSupplier(item_id="A", supplier_id="S", location_id=None, unit_cost=1,
                                     lead_time_days=1, size_minimum=0, size_multiple=1, priority=1))
    with pytest.raises(IntegrityError):
        with transaction(db) as s:
            s.add(m.ItemSupplier(item_id="A", supplier_id="S", unit_cost=1, lead_time_days=1,
                                 size_minimum=0, size_multiple=0, priority=1))
