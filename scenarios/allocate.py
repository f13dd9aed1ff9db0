"""Allocation stage of the planning run: forecasts + planning data -> deployment targets and
proposed transfers (DO lines), each with its reason.

``plan_allocation(data, forecasts, as_of, horizon_weeks, options)`` maps the planning data
onto :class:`optimizer.deployment_data.DeploymentProblem`:

* warehouses: ``locations`` of type ``warehouse`` (blank ``capacity_volume_m3`` /
  ``outbound_units_per_day`` = not limiting);
* demand locations: the forecast's ``location_id`` values (regions or stores). Demand is the
  sum over the horizon [as_of, as_of + 7 x horizon_weeks) of ``mean``, ``p50`` and ``p90`` per
  item x location (summing quantiles over days is conservative for p90);
* lanes: ``itemdistributions`` rows from a warehouse to the demand location, or else to its
  nearest ancestor in the ``parent_id`` hierarchy that has one (a store inherits its region's
  lane). Rows with a blank ``item_id`` apply to every item; item-specific rows are averaged
  into the lane (the deployment model prices lanes per warehouse x region);
* transfer lanes: ``itemdistributions`` rows warehouse -> warehouse;
* stock: ``buffers`` at warehouses (``on_hand``; ``on_order`` counted as inbound);
* lost-sale cost per unit: the item's margin ``price - unit_cost`` (at least 1% of price).

Returns a dict of frames: ``targets``, ``flows``, ``lost``, ``warehouses``, ``regions`` (from
:func:`optimizer.deployment.solve_deployment`) and ``transfers``: proposed DO lines with the
operationplan columns ``type, status, item_id, origin_id, location_id, quantity_proposed,
order_date, due_date, unit_cost, reason`` plus ``gain``/``cost``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimizer.deployment import solve_deployment
from optimizer.deployment_data import DeploymentProblem
from optimizer.solver import SolverOptions
from optimizer.transfers import solve_transfers
from scenarios.datasets.planning_data import PlanningData

UNLIMITED = 1e12


@dataclass(frozen=True)
class AllocationOptions:
    promise_days: float = 2.0
    promise_share: float = 0.0
    delay_cost_per_unit_day: float = 0.05
    promise_shortfall_cost: float = 1_000.0
    transfer_fixed_cost: float = 25.0
    transfer_min_qty: float = 1.0
    max_lanes_per_region: int = 4
    solver: SolverOptions = field(default_factory=SolverOptions)


def _ancestors(locations: pd.DataFrame) -> dict[str, list[str]]:
    parent = dict(zip(locations["location_id"], locations["parent_id"], strict=True))
    out = {}
    for loc in parent:
        chain, seen, cur = [loc], {loc}, parent.get(loc)
        while isinstance(cur, str) and cur not in seen:
            chain.append(cur)
            seen.add(cur)
            cur = parent.get(cur)
        out[loc] = chain
    return out


def build_problem(
    data: PlanningData,
    forecasts: pd.DataFrame,
    as_of,
    horizon_weeks: int,
    options: AllocationOptions = AllocationOptions(),
) -> DeploymentProblem:
    if horizon_weeks <= 0:
        raise ValueError(f"horizon_weeks must be positive, got {horizon_weeks}")
    for col in ("item_id", "location_id", "date", "mean"):
        if col not in forecasts.columns:
            raise ValueError(f"forecasts: missing column {col}")
    as_of = pd.Timestamp(as_of)
    end = as_of + pd.Timedelta(days=7 * horizon_weeks)
    locs = data.locations
    wh = locs[locs["type"] == "warehouse"]
    if wh.empty:
        raise ValueError("locations: no location of type 'warehouse'")
    wh_ids = set(wh["location_id"])
    fc = forecasts[
        (pd.to_datetime(forecasts["date"]) >= as_of) & (pd.to_datetime(forecasts["date"]) < end)
    ]
    fc = fc[~fc["location_id"].isin(wh_ids)]
    if fc.empty:
        raise ValueError(
            f"forecasts: no rows between {as_of.date()} and {end.date()} at a demand location"
        )
    cols = [c for c in ("mean", "p50", "p90") if c in fc.columns]
    nan_rows = fc[cols].isna().any(axis=1)
    if nan_rows.any():
        row = fc[nan_rows].iloc[0]
        raise ValueError(
            f"forecasts: item {row['item_id']} at {row['location_id']} on "
            f"{pd.Timestamp(row['date']).date()} has a NaN forecast"
        )
    demand = fc.groupby(["item_id", "location_id"], as_index=False)[cols].sum()
    demand = demand.rename(columns={"location_id": "region_id"})
    known_items = set(data.items["item_id"])
    unknown = demand[~demand["item_id"].isin(known_items)]
    if len(unknown):
        raise ValueError(f"forecasts: item {unknown['item_id'].iloc[0]!r} is not in items")
    known_locs = set(locs["location_id"])
    unknown = demand[~demand["region_id"].isin(known_locs)]
    if len(unknown):
        raise ValueError(
            f"forecasts: location {unknown['region_id'].iloc[0]!r} is not in locations"
        )
    dist = data.itemdistributions
    for col in ("transit_days", "cost_per_unit"):
        bad = dist[col].isna()
        if bad.any():
            row = dist[bad].iloc[0]
            raise ValueError(
                f"itemdistributions: lane {row['origin_id']} -> {row['destination_id']} "
                f"has no {col} (NaN)"
            )
    unknown = dist[~dist["destination_id"].isin(known_locs)]
    if len(unknown):
        row = unknown.iloc[0]
        raise ValueError(
            f"itemdistributions: lane {row['origin_id']} -> {row['destination_id']}: "
            "destination is not a known location or region"
        )
    from_wh = dist[dist["origin_id"].isin(wh_ids)]
    lane_tbl = from_wh.groupby(["origin_id", "destination_id"], as_index=False)[
        ["transit_days", "cost_per_unit"]
    ].mean()
    by_dest = {
        d: g
        for d, g in lane_tbl[~lane_tbl["destination_id"].isin(wh_ids)].groupby("destination_id")
    }
    chains = _ancestors(locs)
    lane_rows = []
    for region in demand["region_id"].unique():
        for anc in chains.get(region, [region]):
            if anc in by_dest:
                g = by_dest[anc]
                lane_rows.append(
                    pd.DataFrame(
                        {
                            "warehouse_id": g["origin_id"].to_numpy(),
                            "region_id": region,
                            "transit_days": g["transit_days"].to_numpy(),
                            "cost_per_unit": g["cost_per_unit"].to_numpy(),
                        }
                    )
                )
                break
    lanes = (
        pd.concat(lane_rows, ignore_index=True)
        if lane_rows
        else pd.DataFrame(columns=["warehouse_id", "region_id", "transit_days", "cost_per_unit"])
    )
    transfer = lane_tbl[lane_tbl["destination_id"].isin(wh_ids)].rename(
        columns={"origin_id": "origin_id", "destination_id": "destination_id"}
    )
    buf = data.buffers[data.buffers["location_id"].isin(wh_ids)]
    stock = pd.DataFrame(
        {
            "item_id": buf["item_id"].to_numpy(),
            "warehouse_id": buf["location_id"].to_numpy(),
            "on_hand": buf["on_hand"].to_numpy(float),
            "inbound": buf["on_order"].fillna(0.0).to_numpy(float) if "on_order" in buf else 0.0,
        }
    )
    items = data.items[data.items["item_id"].isin(set(demand["item_id"]) | set(stock["item_id"]))]
    price = items["price"].to_numpy(float)
    margin = np.maximum(price - items["unit_cost"].to_numpy(float), 0.01 * price)
    warehouses = pd.DataFrame(
        {
            "warehouse_id": wh["location_id"].to_numpy(),
            "capacity_volume_m3": wh["capacity_volume_m3"].fillna(UNLIMITED).to_numpy(float),
            "outbound_units_per_day": wh["outbound_units_per_day"]
            .fillna(UNLIMITED)
            .to_numpy(float),
        }
    )
    return DeploymentProblem(
        items=pd.DataFrame(
            {
                "item_id": items["item_id"].to_numpy(),
                "unit_volume_m3": items["unit_volume_m3"].to_numpy(float),
                "lost_sale_cost": margin,
            }
        ),
        warehouses=warehouses,
        regions=pd.DataFrame({"region_id": sorted(demand["region_id"].unique())}),
        demand=demand,
        stock=stock,
        lanes=lanes,
        transfer_lanes=transfer,
        horizon_days=7.0 * horizon_weeks,
        promise_days=options.promise_days,
        promise_share=options.promise_share,
        delay_cost_per_unit_day=options.delay_cost_per_unit_day,
        promise_shortfall_cost=options.promise_shortfall_cost,
        max_lanes_per_region=options.max_lanes_per_region,
        transfer_fixed_cost=options.transfer_fixed_cost,
        transfer_min_qty=options.transfer_min_qty,
    )


def plan_allocation(
    data: PlanningData,
    forecasts: pd.DataFrame,
    as_of,
    horizon_weeks: int = 4,
    options: AllocationOptions | None = None,
) -> dict[str, pd.DataFrame]:
    """Deployment targets, flows, lost sales, warehouse/region use and proposed DO lines."""
    options = options or AllocationOptions()
    problem = build_problem(data, forecasts, as_of, horizon_weeks, options)
    result = solve_deployment(problem, options.solver)
    transfers = solve_transfers(problem, result, options.solver)
    as_of = pd.Timestamp(as_of).normalize()
    do = pd.DataFrame(
        {
            "type": "DO",
            "status": "proposed",
            "item_id": transfers["item_id"],
            "origin_id": transfers["origin_id"],
            "location_id": transfers["destination_id"],
            "quantity_proposed": transfers["qty"].astype(float),
            "order_date": as_of,
            "due_date": as_of + pd.to_timedelta(transfers["transit_days"].astype(float), unit="D"),
            "unit_cost": (transfers["cost"] / transfers["qty"]).astype(float),
            "gain": transfers["gain"].astype(float),
            "cost": transfers["cost"].astype(float),
            "reason": transfers["reason"],
        }
    )
    summary = pd.DataFrame(
        [
            {
                "objective": result.info.objective,
                "status": result.info.status,
                "wall_s": result.info.wall_s,
                **result.cost,
            }
        ]
    )
    return {
        "targets": result.targets,
        "flows": result.flows,
        "lost": result.lost,
        "warehouses": result.warehouses,
        "regions": result.regions,
        "transfers": do,
        "summary": summary,
    }


def _lanes_to(data: PlanningData, destinations) -> pd.DataFrame:
    """warehouse -> destination lanes, inheriting the nearest ancestor's lane."""
    locs = data.locations
    wh_ids = set(locs.loc[locs["type"] == "warehouse", "location_id"])
    dist = data.itemdistributions[data.itemdistributions["origin_id"].isin(wh_ids)]
    tbl = dist.groupby(["origin_id", "destination_id"], as_index=False)[
        ["transit_days", "cost_per_unit"]
    ].mean()
    by_dest = {d: g for d, g in tbl.groupby("destination_id")}
    chains = _ancestors(locs)
    rows = []
    for dest in destinations:
        for anc in chains.get(dest, [dest]):
            if anc in by_dest:
                g = by_dest[anc]
                rows.append(
                    pd.DataFrame(
                        {
                            "warehouse_id": g["origin_id"].to_numpy(),
                            "region_id": dest,
                            "transit_days": g["transit_days"].to_numpy(),
                            "cost_per_unit": g["cost_per_unit"].to_numpy(),
                        }
                    )
                )
                break
    return (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(columns=["warehouse_id", "region_id", "transit_days", "cost_per_unit"])
    )


def route_orders(
    data: PlanningData,
    orders: pd.DataFrame,
    days: float = 1.0,
    parcel_cost: float = 5.0,
    backorder_cost_per_unit: float = 50.0,
):
    """Route a batch of order lines (``order_id, item_id, location_id|region_id, qty``) from
    the warehouses' on-hand stock (``buffers``) within ``days`` of outbound capacity."""
    from optimizer.routing import RoutingProblem, solve_routing

    orders = orders.rename(columns={"location_id": "region_id"})
    missing = [c for c in ("order_id", "item_id", "region_id", "qty") if c not in orders.columns]
    if missing:
        raise ValueError(
            f"orders file: missing column(s) {', '.join(missing)} "
            "(expected order_id, item_id, location_id, qty)"
        )
    known = set(data.locations["location_id"])
    unknown = orders[~orders["region_id"].isin(known)]
    if len(unknown):
        row = unknown.iloc[0]
        raise ValueError(
            f"order {row['order_id']}: location {row['region_id']!r} is not in locations"
        )
    locs = data.locations
    wh = locs[locs["type"] == "warehouse"]
    buf = data.buffers[data.buffers["location_id"].isin(set(wh["location_id"]))]
    stock = pd.DataFrame(
        {
            "warehouse_id": buf["location_id"].to_numpy(),
            "item_id": buf["item_id"].to_numpy(),
            "available": buf["on_hand"].to_numpy(float),
        }
    )
    lanes = _lanes_to(data, orders["region_id"].unique())
    whs = pd.DataFrame(
        {
            "warehouse_id": wh["location_id"].to_numpy(),
            "outbound_units": wh["outbound_units_per_day"].fillna(UNLIMITED).to_numpy(float) * days,
        }
    )
    problem = RoutingProblem(
        orders[["order_id", "item_id", "region_id", "qty"]].astype({"qty": float}),
        stock,
        lanes[["warehouse_id", "region_id", "cost_per_unit"]],
        whs,
        parcel_cost=parcel_cost,
        backorder_cost_per_unit=backorder_cost_per_unit,
    )
    return solve_routing(problem)
