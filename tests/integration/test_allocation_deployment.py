"""Stock deployment LP, transfers MILP: hand-checked optima, reasons and bad input."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from optimizer.deployment import solve_deployment
from optimizer.deployment_data import DeploymentProblem, generate_deployment
from optimizer.transfers import solve_transfers


def tiny(transfer_cost: float | None = None, **kw) -> DeploymentProblem:
    """One item (volume 1 m3, lost-sale cost 10/unit), warehouses W1 (10 on hand) and W2
    (empty), regions R1 and R2 with demand 5 each (p50 = p90 = mean: one segment).
    Lanes: W1->R1 1, W1->R2 3, W2->R1 3, W2->R2 1 per unit.

    By hand, without transfers: ship 5 to R1 (5) and 5 to R2 from W1 (15): cost 20 (losing a
    unit costs 0.75 x 10 = 7.5 > 3). With a W1->W2 lane of cost c the pooled model moves 5
    units at c/2 out + c/2 in each, then ships them at 1: 5 + 5 + 5c (c = 0.4: 12)."""
    lanes = pd.DataFrame(
        {
            "warehouse_id": ["W1", "W1", "W2", "W2"],
            "region_id": ["R1", "R2", "R1", "R2"],
            "transit_days": [1.0, 3.0, 3.0, 1.0],
            "cost_per_unit": [1.0, 3.0, 3.0, 1.0],
        }
    )
    tl = (
        pd.DataFrame(
            {
                "origin_id": ["W1"],
                "destination_id": ["W2"],
                "transit_days": [1.0],
                "cost_per_unit": [transfer_cost],
            }
        )
        if transfer_cost is not None
        else pd.DataFrame(
            {"origin_id": [], "destination_id": [], "transit_days": [], "cost_per_unit": []}
        )
    )
    base = DeploymentProblem(
        items=pd.DataFrame({"item_id": ["I1"], "unit_volume_m3": [1.0], "lost_sale_cost": [10.0]}),
        warehouses=pd.DataFrame(
            {
                "warehouse_id": ["W1", "W2"],
                "capacity_volume_m3": [100.0, 100.0],
                "outbound_units_per_day": [100.0, 100.0],
            }
        ),
        regions=pd.DataFrame({"region_id": ["R1", "R2"]}),
        demand=pd.DataFrame(
            {"item_id": ["I1", "I1"], "region_id": ["R1", "R2"], "mean": [5.0, 5.0]}
        ),
        stock=pd.DataFrame(
            {"item_id": ["I1"], "warehouse_id": ["W1"], "on_hand": [10.0], "inbound": [0.0]}
        ),
        lanes=lanes,
        transfer_lanes=tl,
        horizon_days=7.0,
    )
    return replace(base, **kw)


def test_tiny_without_transfers_by_hand():
    res = solve_deployment(tiny())
    assert res.info.objective == pytest.approx(20.0, abs=1e-7)
    flows = res.flows.set_index("region_id")["qty"]
    assert flows["R1"] == pytest.approx(5.0) and flows["R2"] == pytest.approx(5.0)
    assert res.lost.empty
    assert res.flows["reason"].str.contains("serves region").all()


def test_tiny_with_transfer_lane_by_hand_and_do_line():
    problem = tiny(transfer_cost=0.4, transfer_fixed_cost=1.0, transfer_min_qty=2.0)
    res = solve_deployment(problem)
    assert res.info.objective == pytest.approx(12.0, abs=1e-7)
    target = res.targets.set_index("warehouse_id")["target"]
    assert target["W2"] == pytest.approx(5.0)
    do = solve_transfers(problem, res)
    # moving 5 units saves (3 - 1) each = 10, costs 5 x 0.4 + 1 fixed = 3: gain 7
    assert len(do) == 1
    line = do.iloc[0]
    assert (line["origin_id"], line["destination_id"], line["qty"]) == ("W1", "W2", 5.0)
    assert line["gain"] == pytest.approx(7.0)
    assert "R2" in line["reason"] and "slow-moving" not in line["reason"]


def test_transfer_below_fixed_cost_is_not_proposed():
    problem = tiny(transfer_cost=0.4, transfer_fixed_cost=50.0)
    assert solve_transfers(problem, solve_deployment(problem)).empty


def test_promise_share_forces_fast_lanes():
    # 2-day promise for 100% of demand: R2 can only be served fast from W2, W2 is empty and no
    # transfer lane exists -> shortfall 5 units reported, not a crash
    res = solve_deployment(tiny(promise_share=1.0, promise_days=2.0, promise_shortfall_cost=100.0))
    reg = res.regions.set_index("region_id")
    assert reg.loc["R2", "shortfall_units"] == pytest.approx(5.0)
    assert not reg.loc["R2", "promise_met"] and reg.loc["R1", "promise_met"]


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda p: replace(
                p,
                lanes=pd.concat(
                    [
                        p.lanes,
                        pd.DataFrame(
                            {
                                "warehouse_id": ["W1"],
                                "region_id": ["R9"],
                                "transit_days": [1.0],
                                "cost_per_unit": [1.0],
                            }
                        ),
                    ]
                ),
            ),
            "region_id 'R9' is not in regions",
        ),
        (
            lambda p: replace(p, lanes=p.lanes[p.lanes["region_id"] != "R2"]),
            "region R2: demand for 1 item.*no lane",
        ),
        (
            lambda p: replace(p, lanes=p.lanes.assign(cost_per_unit=[1.0, float("nan"), 3.0, 1.0])),
            "warehouse_id=W1, region_id=R2: cost_per_unit is nan",
        ),
        (
            lambda p: replace(p, warehouses=p.warehouses.assign(capacity_volume_m3=[4.0, 100.0])),
            "warehouse W1: committed stock 10.0 m3 .* exceeds capacity_volume_m3 4.0 "
            "and no transfer lane",
        ),
        (
            lambda p: replace(p, warehouses=p.warehouses.assign(capacity_volume_m3=[4.0, 4.0])),
            "exceeds the total capacity_volume_m3 8.0",
        ),
        (
            lambda p: replace(p, stock=p.stock.assign(item_id=["I7"])),
            "item_id 'I7' is not in items",
        ),
    ],
)
def test_bad_input_names_the_entity(change, message):
    with pytest.raises(ValueError, match=message):
        solve_deployment(change(tiny()))


@pytest.mark.slow
def test_batched_solve_close_to_single_lp():
    problem = generate_deployment(240, 6, 12, seed=3)
    single = solve_deployment(problem, batch_items=10_000)
    batched = solve_deployment(problem, batch_items=60, workers=1)
    assert batched.info.extra["batches"] == 4
    # the batches are feasible for the whole problem, so never better than the single LP
    assert batched.info.objective >= single.info.objective - 1e-6
    assert batched.info.objective <= single.info.objective * 1.02
    wh = batched.warehouses
    assert (wh["volume_m3"] <= wh["capacity_volume_m3"] + 1e-6).all()
    assert (wh["outbound_units"] <= wh["outbound_capacity_units"] + 1e-6).all()
