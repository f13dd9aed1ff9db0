"""Warehouse -> warehouse transfers (distribution orders, DO) that pay for themselves.

The deployment LP (:mod:`optimizer.deployment`) rebalances stock through a pooled hub at an
average unit cost and without fixed costs. This model turns those pooled moves into
lane-exact transfer lines and keeps only the ones that pay for themselves.

Sets
    P  candidate (item i, origin o, destination d): o gives stock out and d takes stock in in
       the deployment solution, a transfer lane o -> d exists, and the unit gain is positive
Parameters
    g_iod = s_iod - c_od  gain per unit moved (currency/unit): s_iod what the unit saves at d
             (for the regions d serves with i: the cheaper of shipping from o or losing the
             sale, minus shipping from d; see :func:`_saving_per_unit`), c_od lane cost/unit
    F      fixed cost per transfer line (currency), Q_min minimum quantity (units)
    out_io surplus of i at o, in_id deficit of i at d (units, from the deployment LP; only on
           hand stock moves)
Variables
    t_iod in Z+ whole units moved, z_iod in {0, 1} the line exists
Objective
    max sum g_iod t_iod - F z_iod
Constraints
    sum_d t_iod <= out_io, sum_o t_iod <= in_id,  Q_min z_iod <= t_iod <= min(out, in) z_iod
A line is proposed only when its gain covers the fixed cost: the objective can always drop it.
Solved as one MILP (HiGHS). Each line's ``reason`` says which region's demand pulls the stock,
the cover at origin and destination, and the money behind it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from optimizer.deployment import DeploymentResult
from optimizer.deployment_data import DeploymentProblem
from optimizer.solver import SolverOptions, solve_highs_arrays

DEFAULT_SOLVER = SolverOptions()

TRANSFER_COLUMNS = [
    "item_id",
    "origin_id",
    "destination_id",
    "qty",
    "transit_days",
    "cost",
    "gain",
    "reason",
]


def _saving_per_unit(
    problem: DeploymentProblem, deployment: DeploymentResult, pairs: pd.DataFrame
) -> np.ndarray:
    """s_iod: what a unit moved o -> d saves where it is used — for the regions that d serves
    with item i in the deployment, the cheaper of shipping from o instead and losing the sale
    (expected lost-sale cost), minus the cost of shipping from d; demand-weighted over d's
    flows. This is the counterfactual "no transfer" value the pooled LP's duals cannot give."""
    from optimizer.deployment import SEGMENT_SELL_PROB

    lanes = problem.lanes.assign(
        score=problem.lanes["cost_per_unit"]
        + problem.delay_cost_per_unit_day * problem.lanes["transit_days"]
    )
    score = lanes.set_index(["warehouse_id", "region_id"])["score"]
    lost = problem.items.set_index("item_id")["lost_sale_cost"] * SEGMENT_SELL_PROB[0]
    fl = deployment.flows[["item_id", "warehouse_id", "region_id", "qty"]]
    m = (
        pairs[["item_id", "warehouse_id_o", "warehouse_id_d"]]
        .reset_index()
        .merge(
            fl.rename(columns={"warehouse_id": "warehouse_id_d"}),
            on=["item_id", "warehouse_id_d"],
            how="left",
        )
    )
    from_d = score.reindex(
        pd.MultiIndex.from_arrays([m["warehouse_id_d"], m["region_id"]])
    ).to_numpy()
    from_o = score.reindex(
        pd.MultiIndex.from_arrays([m["warehouse_id_o"], m["region_id"]])
    ).to_numpy()
    alt = np.fmin(np.where(np.isnan(from_o), np.inf, from_o), lost.reindex(m["item_id"]).to_numpy())
    m["s"] = np.clip(alt - from_d, 0.0, None) * m["qty"]
    agg = m.groupby("index").agg(s=("s", "sum"), q=("qty", "sum"))
    per_unit = (agg["s"] / agg["q"].where(agg["q"] > 0)).fillna(0.0)
    return per_unit.reindex(pairs.index).fillna(0.0).to_numpy()


def solve_transfers(
    problem: DeploymentProblem,
    deployment: DeploymentResult,
    options: SolverOptions = DEFAULT_SOLVER,
) -> pd.DataFrame:
    """Transfer lines (columns ``TRANSFER_COLUMNS``) from a deployment solution."""
    tg = deployment.targets
    delta = tg["target"] - tg["available"]
    give = tg[delta < -1e-6].assign(qty=-delta[delta < -1e-6])
    take = tg[delta > 1e-6].assign(qty=delta[delta > 1e-6])
    if give.empty or take.empty:
        return pd.DataFrame(columns=TRANSFER_COLUMNS)
    pairs = give.merge(take, on="item_id", suffixes=("_o", "_d"))
    lanes = problem.transfer_lanes.rename(
        columns={"origin_id": "warehouse_id_o", "destination_id": "warehouse_id_d"}
    )
    pairs = pairs.merge(lanes, on=["warehouse_id_o", "warehouse_id_d"], how="inner")
    pairs["saving_per_unit"] = _saving_per_unit(problem, deployment, pairs)
    pairs["gain_per_unit"] = pairs["saving_per_unit"] - pairs["cost_per_unit"]
    pairs["cap"] = np.floor(np.minimum(pairs["qty_o"], pairs["qty_d"]) + 1e-6)
    pairs = pairs[
        (pairs["gain_per_unit"] > 1e-9) & (pairs["cap"] >= max(problem.transfer_min_qty, 1e-6))
    ]
    pairs = pairs.reset_index(drop=True)
    if pairs.empty:
        return pd.DataFrame(columns=TRANSFER_COLUMNS)
    k = len(pairs)
    o_key = pairs["item_id"] + "|" + pairs["warehouse_id_o"]
    d_key = pairs["item_id"] + "|" + pairs["warehouse_id_d"]
    o_codes, o_uni = pd.factorize(o_key)
    d_codes, d_uni = pd.factorize(d_key)
    no, nd = len(o_uni), len(d_uni)
    o_cap = pairs.groupby(o_codes)["qty_o"].first().to_numpy()
    d_cap = pairs.groupby(d_codes)["qty_d"].first().to_numpy()
    t = np.arange(k)
    z = k + t
    r_link = no + nd + t
    r_min = no + nd + k + t
    rows = np.concatenate([o_codes, no + d_codes, r_link, r_link, r_min, r_min])
    cols = np.concatenate([t, t, t, z, t, z])
    vals = np.concatenate(
        [
            np.ones(k),
            np.ones(k),
            np.ones(k),
            -pairs["cap"].to_numpy(),
            np.ones(k),
            -np.full(k, problem.transfer_min_qty),
        ]
    )
    a = sp.csc_matrix((vals, (rows, cols)), shape=(no + nd + 2 * k, 2 * k))
    cost = np.concatenate(
        [-pairs["gain_per_unit"].to_numpy(), np.full(k, problem.transfer_fixed_cost)]
    )
    sol = solve_highs_arrays(
        cost,
        a,
        np.full(no + nd + 2 * k, -np.inf),
        np.concatenate([o_cap, d_cap, np.zeros(k), np.full(k, np.inf)]),
        np.zeros(2 * k),
        np.concatenate([pairs["cap"].to_numpy(), np.ones(k)]),
        integrality=np.ones(2 * k, bool),
        options=options.with_(mip_gap=max(options.mip_gap, 1e-6)),
        name="transfers",
    )
    qty = sol.x[:k]
    chosen = pairs[(qty > 1e-6) & (sol.x[k:] > 0.5)].copy()
    chosen["qty"] = np.round(qty[(qty > 1e-6) & (sol.x[k:] > 0.5)], 6)
    if chosen.empty:
        return pd.DataFrame(columns=TRANSFER_COLUMNS)
    horizon = problem.horizon_days
    cover_o = chosen["available_o"] / (chosen["to_ship_o"] / horizon).where(chosen["to_ship_o"] > 0)
    cover_d = chosen["available_d"] / (chosen["to_ship_d"] / horizon).where(chosen["to_ship_d"] > 0)
    flows = deployment.flows
    top_region = (
        flows.sort_values("qty", ascending=False)
        .drop_duplicates(["item_id", "warehouse_id"])
        .set_index(["item_id", "warehouse_id"])["region_id"]
    )
    pull = top_region.reindex(
        pd.MultiIndex.from_arrays([chosen["item_id"], chosen["warehouse_id_d"]])
    ).to_numpy()
    chosen["cost"] = chosen["qty"] * chosen["cost_per_unit"] + problem.transfer_fixed_cost
    chosen["gain"] = chosen["qty"] * chosen["gain_per_unit"] - problem.transfer_fixed_cost
    fmt_cover = lambda c: c.map(lambda v: "no sales" if pd.isna(v) else f"{v:.0f} days")  # noqa: E731
    chosen["reason"] = (
        "demand in region "
        + pd.Series(pull, index=chosen.index).fillna("(none)").astype(str)
        + " pulls stock to "
        + chosen["warehouse_id_d"]
        + "; cover at origin "
        + fmt_cover(cover_o)
        + " vs destination "
        + fmt_cover(cover_d)
        + "; saves "
        + (chosen["qty"] * chosen["saving_per_unit"]).round(2).astype(str)
        + " for transport "
        + chosen["cost"].round(2).astype(str)
        + np.where(chosen["to_ship_o"] <= 1e-6, "; slow-moving at origin", "")
    )
    out = chosen.rename(columns={"warehouse_id_o": "origin_id", "warehouse_id_d": "destination_id"})
    return (
        out[TRANSFER_COLUMNS]
        .sort_values(["item_id", "origin_id", "destination_id"])
        .reset_index(drop=True)
    )
