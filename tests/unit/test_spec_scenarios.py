"""Scenario documents: parsing, validation against the data (bad input named before anything
runs), what apply() changes, forecast adjustment, and the shipped example specs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scenarios import spec as sp
from scenarios.datasets.planning_data import PlanningData

SPECS = Path(sp.__file__).parent / "specs"


@pytest.fixture(scope="module")
def data() -> PlanningData:
    items = pd.DataFrame({"item_id": ["A", "B"], "category": ["c1", "c2"], "unit_cost": [1.0, 2.0],
                          "price": [2.0, 3.0], "unit_volume_m3": [0.001, 0.001],
                          "holding_rate_per_year": [0.25, 0.25], "lifecycle": ["active", "active"]})
    locations = pd.DataFrame({
        "location_id": ["EAST", "WEST", "S1", "S2", "W1", "W2"],
        "type": ["region", "region", "store", "store", "warehouse", "warehouse"],
        "parent_id": [np.nan, np.nan, "EAST", "WEST", np.nan, np.nan],
        "capacity_volume_m3": [np.nan, np.nan, np.nan, np.nan, 100.0, 50.0],
        "outbound_units_per_day": [np.nan, np.nan, np.nan, np.nan, 10.0, 20.0]})
    suppliers = pd.DataFrame({"supplier_id": ["SUP1", "SUP2"], "order_cost": [10.0, 20.0]})
    itemsuppliers = pd.DataFrame({"item_id": ["A", "B"], "supplier_id": ["SUP1", "SUP2"],
                                  "location_id": [np.nan, np.nan], "unit_cost": [1.0, 2.0],
                                  "lead_time_days": [7.0, 14.0], "size_minimum": [0.0, 0.0],
                                  "size_multiple": [1, 1], "capacity_per_week": [100.0, 200.0],
                                  "priority": [1, 1]})
    dates = pd.date_range("2024-01-01", periods=4, freq="7D")
    sales = pd.DataFrame([{"item_id": i, "location_id": s, "date": d, "qty": 10.0}
                          for i in ("A", "B") for s in ("S1", "S2") for d in dates])
    return PlanningData.from_frames({"items": items, "locations": locations, "suppliers": suppliers,
                                     "itemsuppliers": itemsuppliers, "sales": sales})


def test_parse_collects_every_structural_problem():
    doc = {"name": "x", "demand": [{"factor": -1, "start": "2024-01-10", "end": "2024-01-01",
                                    "colour": "red"}],
           "presale": {"share": 1.5}, "service_level": {"default": 1.0}, "budget": {"per_week": 0},
           "suppliers": [{"lead_time_add_days": "soon"}], "extra": 1}
    with pytest.raises(sp.SpecError) as err:
        sp.parse_spec(doc, "bad.yaml")
    msg = str(err.value)
    for part in ("unknown key(s) ['extra']", "demand[0]: unknown key(s) ['colour']",
                 "demand[0].factor: must be >= 0 (got -1)",
                 "demand[0]: end 2024-01-01 is before start 2024-01-10",
                 "presale.share: must be <= 1 (got 1.5)", "service_level.default: must be <= 0.9999",
                 "budget.per_week: must be > 0", "suppliers[0].supplier: required",
                 "suppliers[0].lead_time_add_days: must be a number"):
        assert part in msg, part
    assert msg.startswith("scenario bad.yaml:")


def test_validate_names_unknown_ids_and_dates_outside_the_data(data):
    spec = sp.parse_spec({
        "name": "bad", "demand": [{"factor": 2, "start": "2023-06-01", "end": "2024-01-10",
                                  "items": ["ZZ"], "locations": ["NOWHERE"]}],
        "suppliers": [{"supplier": "S9", "lead_time_add_days": 3}],
        "warehouses": [{"warehouse": "W7", "closed_start": "2024-01-02", "closed_end": "2024-01-05"},
                       {"warehouse": "S1"}],
        "service_level": {"items": {"QQ": 0.9}}})
    with pytest.raises(sp.SpecError) as err:
        sp.apply(spec, data)
    msg = str(err.value)
    for part in ("demand[0]: unknown item 'ZZ'", "demand[0]: unknown location 'NOWHERE'",
                 "demand[0]: date 2023-06-01 outside the data (2024-01-01 .. 2025-01-21",
                 "suppliers[0]: unknown supplier 'S9'", "warehouses[0]: unknown warehouse 'W7'",
                 "warehouses[1]: location is not a warehouse 'S1'",
                 "service_level.items: unknown item 'QQ'"):
        assert part in msg, part
    neg = sp.parse_spec({"name": "n", "suppliers": [{"supplier": "SUP1", "lead_time_add_days": -8}]})
    with pytest.raises(sp.SpecError, match="lead time of supplier 'SUP1' would drop below 0"):
        sp.apply(neg, data)


def test_apply_changes_exactly_what_the_spec_says(data):
    spec = sp.parse_spec({
        "name": "mix",
        "demand": [{"factor": 3, "start": "2024-01-08", "end": "2024-01-15", "locations": ["EAST"]}],
        "suppliers": [{"supplier": "SUP1", "lead_time_add_days": 7, "capacity_factor": 0.5}],
        "warehouses": [{"warehouse": "W2", "closed_start": "2024-01-02", "closed_end": "2024-01-15",
                        "capacity_factor": 0.5}]})
    out = sp.apply(spec, data)
    s = out.sales.set_index(["item_id", "location_id", "date"])["qty"]
    assert s[("A", "S1", pd.Timestamp("2024-01-08"))] == 30.0     # S1 is under EAST, in window
    assert s[("A", "S1", pd.Timestamp("2024-01-15"))] == 30.0
    assert s[("A", "S1", pd.Timestamp("2024-01-01"))] == 10.0     # before the window
    assert s[("A", "S2", pd.Timestamp("2024-01-08"))] == 10.0     # WEST store untouched
    assert out.sales["qty"].sum() == data.sales["qty"].sum() + 4 * 20.0
    sup = out.itemsuppliers.set_index("supplier_id")
    assert sup.loc["SUP1", "lead_time_days"] == 14.0 and sup.loc["SUP1", "capacity_per_week"] == 50.0
    assert sup.loc["SUP2", "lead_time_days"] == 14.0 and sup.loc["SUP2", "capacity_per_week"] == 200.0
    closure = out.events[out.events["kind"] == "closure"].iloc[0]
    assert closure["location_id"] == "W2" and closure["start_date"] == pd.Timestamp("2024-01-02")
    assert out.locations.set_index("location_id").loc["W2", "capacity_volume_m3"] == 25.0
    # the input is untouched
    assert data.sales["qty"].sum() == 160.0 and data.events.empty


def test_adjust_forecast_scales_partial_buckets_and_narrows_presale_quantiles(data):
    fc = pd.DataFrame({"item_id": ["A", "A", "B"], "location_id": ["S1", "S1", "S2"],
                       "date": pd.to_datetime(["2024-02-05", "2024-02-12", "2024-02-05"]),
                       "mean": [70.0, 70.0, 70.0], "p10": [40.0, 40.0, 40.0],
                       "p50": [70.0, 70.0, 70.0], "p90": [100.0, 100.0, 100.0]})
    spec = sp.parse_spec({"name": "f", "demand": [{"factor": 3, "start": "2024-02-09", "end": "2024-02-12",
                                                   "items": ["A"]}]})
    out = sp.adjust_forecast(spec, fc, data)
    # week of 02-05 has 3 of 7 days in the window: 1 + 2*3/7; week of 02-12 has 1 day: 1 + 2/7
    assert out["mean"].tolist() == pytest.approx([70 * (1 + 6 / 7), 70 * (1 + 2 / 7), 70.0])
    assert out["p90"].iloc[0] == pytest.approx(100 * (1 + 6 / 7))
    pre = sp.parse_spec({"name": "p", "presale": {"share": 0.5, "items": ["B"]}})
    out = sp.adjust_forecast(pre, fc, data)
    assert out["p10"].tolist() == [40.0, 40.0, 55.0] and out["p90"].tolist() == [100.0, 100.0, 85.0]
    assert out["mean"].tolist() == [70.0, 70.0, 70.0]


def test_load_spec_yaml_json_and_errors(tmp_path):
    p = tmp_path / "s.json"
    p.write_text(json.dumps({"name": "j", "budget": {"per_week": 100}}))
    assert sp.load_spec(p).budget_per_week == 100.0
    bad = tmp_path / "s.yaml"
    bad.write_text("name: [unclosed")
    with pytest.raises(sp.SpecError, match="not valid"):
        sp.load_spec(bad)
    with pytest.raises(FileNotFoundError):
        sp.load_spec(tmp_path / "none.yaml")
    txt = tmp_path / "s.txt"
    txt.write_text("name: x")
    with pytest.raises(sp.SpecError, match="must end in .yaml"):
        sp.load_spec(txt)


def test_example_specs_apply_to_the_bundled_sample():
    from scenarios.datasets.files import read_dir
    from scenarios.datasets.sample import sample_dir

    data = read_dir(sample_dir())
    names = sorted(p.name for p in SPECS.glob("*.yaml"))
    assert names == ["double11_east_x3.yaml", "presale_share_50.yaml", "supplier_s1_lead_plus7.yaml",
                     "warehouse_w2_closed_14d.yaml"]
    for path in SPECS.glob("*.yaml"):
        spec = sp.load_spec(path)
        out = sp.apply(spec, data)
        assert spec.name == path.stem
        assert sp.parse_spec(spec.to_dict()) == spec    # round trip
        if spec.name == "supplier_s1_lead_plus7":
            before = data.itemsuppliers[data.itemsuppliers["supplier_id"] == "S1"]["lead_time_days"]
            after = out.itemsuppliers[out.itemsuppliers["supplier_id"] == "S1"]["lead_time_days"]
            assert (after.to_numpy() == before.to_numpy() + 7).all()
        if spec.name == "warehouse_w2_closed_14d":
            c = out.events[out.events["kind"] == "closure"].iloc[0]
            assert (c["end_date"] - c["start_date"]).days + 1 == 14
