"""Each alert rule on a tiny hand-built data set whose numbers are easy to check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scenarios.alerts import AlertConfig, compute_alerts, supplier_alerts
from scenarios.datasets.planning_data import PlanningData

AS_OF = pd.Timestamp("2024-06-30")


def _daily(item, start, end, qty):
    dates = pd.date_range(start, end, freq="D")
    return pd.DataFrame({"item_id": item, "location_id": "S1", "date": dates, "qty": float(qty)})


@pytest.fixture(scope="module")
def data() -> PlanningData:
    items = pd.DataFrame({
        "item_id": ["A", "B", "C", "D", "N"], "category": ["c"] * 5,
        "unit_cost": [1.0] * 5, "price": [2.0] * 5, "unit_volume_m3": [0.001] * 5,
        "holding_rate_per_year": [0.25] * 5, "lifecycle": ["active"] * 4 + ["new"],
        "launch_date": pd.to_datetime([None, "2024-01-01", None, None, "2024-06-10"])})
    locations = pd.DataFrame({"location_id": ["W1", "S1"], "type": ["warehouse", "store"],
                              "parent_id": [np.nan, np.nan]})
    lanes = pd.DataFrame({"origin_id": ["W1"], "destination_id": ["S1"], "item_id": [np.nan],
                          "transit_days": [1.0], "cost_per_unit": [0.1]})
    itemsuppliers = pd.DataFrame({"item_id": list("ABCDN"), "supplier_id": "SUP", "location_id": np.nan,
                                  "unit_cost": 1.0, "lead_time_days": 7.0, "size_minimum": 0.0,
                                  "size_multiple": 1, "priority": 1})
    buffers = pd.DataFrame({"item_id": list("ABCDN"), "location_id": "W1",
                            "on_hand": [50.0, 500.0, 100.0, 300.0, 400.0], "on_order": 0.0})
    sales = pd.concat([
        _daily("A", "2024-01-01", AS_OF, 10),           # 10/day, 50 on hand -> 5 days of cover
        _daily("B", "2024-01-01", AS_OF, 1),            # 1/day, 500 on hand -> 500 days of cover
        _daily("C", "2024-01-01", "2024-03-01", 1),     # last sale 121 days ago
        _daily("D", "2024-01-01", "2024-06-23", 10),    # 10/day, then 2/day in the last week
        _daily("D", "2024-06-24", AS_OF, 2),
        _daily("N", "2024-06-10", "2024-06-16", 10),    # launched 20 days ago: 70 in week 1, then 0
    ], ignore_index=True)
    return PlanningData.from_frames({"items": items, "locations": locations, "itemdistributions": lanes,
                                     "itemsuppliers": itemsuppliers, "buffers": buffers, "sales": sales})


def _one(frame, type_, item):
    rows = frame[(frame["type"] == type_) & (frame["item_id"] == item)]
    assert len(rows) == 1, (type_, item, frame[["type", "item_id"]].values.tolist())
    return rows.iloc[0]


def test_stock_alerts(data):
    a = compute_alerts(data, AS_OF)
    so = _one(a, "projected_stockout", "A")
    assert so["severity"] == "high" and so["value"] == pytest.approx(5.0)   # 50 / 10, < lead time 7
    assert "runs out around 2024-07-05" in so["message"]
    ex = _one(a, "excess_stock", "B")
    assert ex["value"] == pytest.approx(500.0) and ex["severity"] == "high"  # > 2 x 120 days
    assert _one(a, "turnover_above", "B")["value"] == pytest.approx(500.0)   # 500 / (90 / 90)
    sm = _one(a, "slow_moving", "C")
    assert sm["value"] == 121 and "no sale in 121 days" in sm["message"]
    assert a.iloc[0]["severity"] == "high"   # most severe first


def test_new_item_stall_against_category_curve(data):
    a = compute_alerts(data, AS_OF)
    st = _one(a, "new_item_stall", "N")
    # category curve from B (launched 2024-01-01, 1/day): cumulative share (a+1)/30, so the
    # expectation at age 20 is 70 x 21/7 = 210; N sold 70 -> ratio 1/3 < 0.7
    assert st["value"] == pytest.approx(70 / 210)
    assert "expects 210" in st["message"]


def test_demand_drop(data):
    a = compute_alerts(data, AS_OF)
    dd = _one(a, "demand_drop", "D")
    assert dd["value"] == pytest.approx(14 / 70) and dd["location_id"] == "S1"
    assert "80% below its 8-week average of 70" in dd["message"]
    assert a[(a["type"] == "demand_drop") & (a["item_id"] == "A")].empty


def test_supplier_confirmation_alerts():
    po = pd.DataFrame({
        "reference": ["P1", "P2", "P3", "P4", "P5"], "item_id": "A", "location_id": "W1",
        "supplier_id": "SUP", "status": ["released", "rejected", "changed", "accepted", "released"],
        "order_date": pd.to_datetime(["2024-06-20", "2024-06-25", "2024-06-25", "2024-06-01", "2024-06-29"]),
        "due_date": pd.to_datetime(["2024-07-20", "2024-07-20", "2024-07-20", "2024-06-20", "2024-07-20"]),
        "quantity_proposed": [100.0] * 5, "quantity_confirmed": [np.nan, 0.0, 60.0, 100.0, np.nan]})
    out = pd.DataFrame(supplier_alerts(po, AS_OF))
    assert out[["type", "severity"]].values.tolist() == [
        ["supplier_late_ack", "high"],        # 10 days > 3 x 2
        ["supplier_rejected", "high"],
        ["supplier_rejected", "medium"],      # confirmed 60 of 100
        ["supplier_late_receipt", "high"],    # due 10 days ago
    ]
    with pytest.raises(ValueError, match="lacks column"):
        supplier_alerts(po.drop(columns="due_date"), AS_OF)


def test_config_rules():
    with pytest.raises(ValueError, match="stall_ratio must be in"):
        AlertConfig(stall_ratio=1.5)
    with pytest.raises(ValueError, match="stall_check_day must be before"):
        AlertConfig(stall_check_day=40)
