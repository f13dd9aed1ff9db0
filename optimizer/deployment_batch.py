"""Batches of items for large deployment problems: a resource-directive split of the shared
warehouse capacities, and the merge of the batch results."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from optimizer.deployment_data import DeploymentProblem, DeploymentResult
from optimizer.solver import SolveInfo


def split_items(problem: DeploymentProblem, batch_items: int) -> list[DeploymentProblem]:
    """Resource-directive split: items dealt round-robin by demand into batches; each batch
    gets its own stock, its committed volume plus a share of each warehouse's free volume in
    proportion to the batch's demand volume (units x m3/unit) and a share of its outbound
    capacity in proportion to the batch's demand units. The promise row
    (a share of each region's demand) splits exactly."""
    dem_item = problem.demand.groupby("item_id")["mean"].sum()
    order = (
        dem_item.reindex(problem.items["item_id"]).fillna(0.0).sort_values(ascending=False).index
    )
    n_batches = max(1, int(np.ceil(len(order) / batch_items)))
    groups = [set(order[k::n_batches]) for k in range(n_batches)]
    vol = problem.items.set_index("item_id")["unit_volume_m3"]
    st = problem.stock.assign(
        v=problem.stock["item_id"].map(vol) * (problem.stock["on_hand"] + problem.stock["inbound"])
    )
    wh = problem.warehouses.set_index("warehouse_id")
    committed = st.groupby("warehouse_id")["v"].sum().reindex(wh.index).fillna(0.0)
    st["u"] = problem.stock["on_hand"] + problem.stock["inbound"]
    units = st.groupby("warehouse_id")["u"].sum().reindex(wh.index).fillna(0.0)
    free = (wh["capacity_volume_m3"] - committed).clip(lower=0.0)
    total_dem = float(dem_item.sum()) or 1.0
    dem_vol = dem_item * vol.reindex(dem_item.index).fillna(0.0)
    total_vol = float(dem_vol.sum()) or 1.0
    out = []
    for g in groups:
        share = float(dem_item.reindex(list(g)).fillna(0.0).sum()) / total_dem
        vshare = float(dem_vol.reindex(list(g)).fillna(0.0).sum()) / total_vol
        bst = st[st["item_id"].isin(g)]
        bcommitted = bst.groupby("warehouse_id")["v"].sum().reindex(wh.index).fillna(0.0)
        bunits = bst.groupby("warehouse_id")["u"].sum().reindex(wh.index).fillna(0.0)
        whs = problem.warehouses.assign(
            capacity_volume_m3=(bcommitted + vshare * free).to_numpy(),
            outbound_units_per_day=problem.warehouses["outbound_units_per_day"].to_numpy()
            * (0.5 * share + 0.5 * (bunits / units.where(units > 0, 1.0)).to_numpy()),
        )
        out.append(
            replace(
                problem,
                items=problem.items[problem.items["item_id"].isin(g)],
                demand=problem.demand[problem.demand["item_id"].isin(g)],
                stock=problem.stock[problem.stock["item_id"].isin(g)],
                warehouses=whs,
            )
        )
    return out


def merge_results(parts: list[DeploymentResult], problem: DeploymentProblem) -> DeploymentResult:
    cat = lambda name: pd.concat([getattr(r, name) for r in parts], ignore_index=True)  # noqa: E731
    whs = (
        pd.concat([r.warehouses for r in parts])
        .groupby("warehouse_id", sort=False)
        .agg(
            volume_m3=("volume_m3", "sum"),
            volume_binding=("volume_binding", "any"),
            outbound_units=("outbound_units", "sum"),
            outbound_binding=("outbound_binding", "any"),
        )
    )
    wh = problem.warehouses.set_index("warehouse_id")
    whs["capacity_volume_m3"] = wh["capacity_volume_m3"]
    whs["outbound_capacity_units"] = wh["outbound_units_per_day"] * problem.horizon_days
    reg = (
        pd.concat([r.regions for r in parts])
        .groupby("region_id")
        .agg(
            demand_mean=("demand_mean", "sum"),
            within_promise=("within_promise", "sum"),
            shortfall_units=("shortfall_units", "sum"),
        )
    )
    reg["promise_share"] = np.where(
        reg["demand_mean"] > 0,
        reg["within_promise"] / reg["demand_mean"].where(reg["demand_mean"] > 0, 1),
        0.0,
    )
    reg["promise_target"] = problem.promise_share
    reg["promise_met"] = reg["shortfall_units"] <= 1e-6
    cost = {k: sum(r.cost[k] for r in parts) for k in parts[0].cost}
    objective = sum(r.info.objective for r in parts)
    info = SolveInfo(
        "feasible" if len(parts) > 1 else parts[0].info.status,
        objective,
        None,
        None,
        0.0,
        "highs",
        parts[0].info.solver_version,
        {"batches": len(parts), "columns": sum(r.info.extra.get("columns", 0) for r in parts)},
    )
    return DeploymentResult(
        cat("targets"),
        cat("flows"),
        cat("lost"),
        whs.reset_index(),
        reg.reset_index(),
        cat("stock_value"),
        info,
        cost,
    )
