"""scenarios.allocate on the bundled sample, the route and bench CLI commands."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from api.cli.main import main
from scenarios.allocate import AllocationOptions, plan_allocation, route_orders
from scenarios.datasets.files import read_dir
from scenarios.datasets.sample import sample_dir


@pytest.fixture(scope="module")
def data():
    return read_dir(sample_dir())


def _forecast(data, weeks=4):
    sales = data.sales
    last = sales["date"].max()
    base = (
        sales[sales["date"] > last - pd.Timedelta(days=56)]
        .groupby(["item_id", "location_id"])["qty"]
        .mean()
        .reset_index()
    )
    dates = pd.date_range(last + pd.Timedelta(days=7), periods=weeks, freq="7D")
    fc = base.merge(pd.DataFrame({"date": dates}), how="cross").rename(columns={"qty": "mean"})
    return fc.assign(
        p10=fc["mean"] * 0.7, p50=fc["mean"], p90=fc["mean"] * 1.3
    ), last + pd.Timedelta(days=1)


def test_plan_allocation_on_sample(data):
    fc, as_of = _forecast(data)
    out = plan_allocation(data, fc, as_of, 4, AllocationOptions(promise_share=0.5))
    assert {"targets", "flows", "lost", "warehouses", "regions", "transfers", "summary"} <= set(out)
    flows = out["flows"]
    # every store with demand is served, each flow says why
    assert set(flows["region_id"]) == set(fc["location_id"])
    assert flows["reason"].str.len().gt(0).all() and out["targets"]["reason"].str.len().gt(0).all()
    # stock never exceeds what the warehouse holds after rebalancing
    shipped = flows.groupby(["item_id", "warehouse_id"])["qty"].sum()
    tgt = out["targets"].set_index(["item_id", "warehouse_id"])["target"]
    assert (shipped <= tgt.reindex(shipped.index) + 1e-6).all()
    assert list(out["transfers"].columns[:6]) == [
        "type",
        "status",
        "item_id",
        "origin_id",
        "location_id",
        "quantity_proposed",
    ]


def test_plan_allocation_moves_stranded_stock(data):
    # all stock of every item put in W2 (West DC): East/North/South stores pull it out as DOs
    fc, as_of = _forecast(data)
    buffers = data.buffers.copy()
    wh = buffers["location_id"].isin(["W1", "W2", "W3"])
    total = buffers[wh].groupby("item_id")["on_hand"].transform("sum")
    buffers.loc[wh, "on_hand"] = (buffers.loc[wh, "location_id"] == "W2") * total[wh]
    locations = data.locations.copy()
    locations.loc[locations["location_id"] == "W2", "capacity_volume_m3"] = 1e9
    out = plan_allocation(data.replace(buffers=buffers, locations=locations), fc, as_of, 4)
    do = out["transfers"]
    assert len(do) > 0 and (do["origin_id"] == "W2").all()
    assert (do["type"] == "DO").all() and (do["status"] == "proposed").all()
    assert do["reason"].str.contains("pulls stock to").all()
    assert (do["due_date"] >= do["order_date"]).all()


def test_plan_allocation_bad_input(data):
    fc, as_of = _forecast(data)
    bad = fc.copy()
    bad.loc[bad.index[0], "mean"] = float("nan")
    with pytest.raises(ValueError, match="has a NaN forecast"):
        plan_allocation(data, bad, as_of, 4)
    dist = data.itemdistributions.copy()
    dist.loc[dist.index[0], "cost_per_unit"] = float("nan")
    with pytest.raises(ValueError, match="itemdistributions: lane W1 -> S100 has no cost_per_unit"):
        plan_allocation(data.replace(itemdistributions=dist), fc, as_of, 4)
    # a store whose region nobody ships to: demand with no reachable warehouse
    dist = data.itemdistributions[data.itemdistributions["destination_id"] != "S100"]
    with pytest.raises(ValueError, match="region S100: demand .* no lane"):
        plan_allocation(data.replace(itemdistributions=dist), fc, as_of, 4)


def test_route_orders_and_cli(data, tmp_path, capsys):
    orders = pd.DataFrame(
        {
            "order_id": ["A", "A", "B"],
            "item_id": ["OJ01", "OJ02", "OJ01"],
            "location_id": ["S100", "S100", "S54"],
            "qty": [2.0, 1.0, 3.0],
        }
    )
    res = route_orders(data, orders)
    assert res.parcels == 2 and res.backordered_units == 0
    path = tmp_path / "orders.csv"
    orders.to_csv(path, index=False)
    out = tmp_path / "routed.csv"
    assert main(["route", str(path), "--out", str(out)]) == 0
    routed = pd.read_csv(out)
    assert len(routed) == 3 and routed["warehouse_id"].notna().all()
    bad = tmp_path / "bad.csv"
    orders.assign(location_id="NOWHERE").to_csv(bad, index=False)
    assert main(["route", str(bad), "--out", str(out)]) == 1
    assert "location 'NOWHERE' is not in locations" in capsys.readouterr().err


def test_bench_orlib_cli(shared_data, capsys):
    path = shared_data / "orlib" / "cap" / "cap41.txt"
    assert main(["bench", "orlib", str(path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["instance"] == "cap41" and rows[0]["at_optimum"]
    assert rows[0]["optimum"] == 1040444.375  # capopt.txt
