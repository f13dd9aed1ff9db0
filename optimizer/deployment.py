"""Stock deployment: where each item's stock should sit and which warehouse serves which region.

Sets
    I items, W warehouses, R demand regions, L(r) subset of W: lanes w -> r considered for r
    (the ``max_lanes_per_region`` cheapest by cost + delay penalty, plus as many of the cheapest
    lanes within the promise), 2 demand segments per item x region.
Parameters (all quantities over the horizon of H days)
    D_ir^k   demand segment k of item i in region r (units): [0, p50], (p50, p90], and from
             the forecast quantiles (``mean`` alone gives one segment)
    pi^k     probability that a unit of segment k would sell (0.75, 0.3: share of the demand
             distribution above the segment's middle quantile), so pi^k * ell_i * lost units is
             the expected lost-sales cost (piecewise-linear E[(D - S)^+])
    a_iw     stock available at w: on hand + inbound within the horizon (units)
    o_iw     on hand at w (units; only on-hand stock can be transferred)
    c_wr     shipping cost (currency/unit), t_wr transit days, delta delay cost per unit-day
    ell_i    lost-sale cost of item i (currency/unit, default its price)
    V_w      storage volume (m3), v_i unit volume (m3/unit), U_w outbound units per day
    N, alpha service promise: share alpha of each region's mean demand delivered within N days
    tau_w    unit cost of moving stock out of / into w for rebalancing (half the mean lane
             cost of its transfer lanes each way; exact lanes are priced by
             :mod:`optimizer.transfers`)
Variables
    q_iwr >= 0  units of i shipped w -> r;   l_ir^k >= 0 lost units per segment
    out_iw in [0, o_iw], in_iw >= 0  rebalancing out of / into w (pooled per item)
    u_r >= 0    shortfall of the promise in region r (penalised, reported)
Objective
    min sum (c_wr + delta t_wr) q_iwr + sum pi^k ell_i l_ir^k + sum tau_w (out_iw + in_iw)
        + P sum_r u_r
Constraints
    sum_w q_iwr + sum_k l_ir^k = sum_k D_ir^k                      (demand, item x region)
    sum_r q_iwr + out_iw - in_iw <= a_iw                            (stock, item x warehouse)
    sum_w out_iw = sum_w in_iw                                      (rebalancing balance, item)
    sum_i v_i (a_iw + in_iw - out_iw) <= V_w                        (volume, warehouse)
    sum_ir q_iwr + sum_i out_iw <= U_w H                            (outbound, warehouse)
    sum_{i, w: t_wr <= N} q_iwr + u_r >= alpha sum_i mean_ir        (promise, region)
All items are solved together in one LP (HiGHS, matrix form) because the warehouse volume,
outbound and regional promise rows couple them. Row duals price the reasons: a binding volume
or outbound row, a promise shortfall, the marginal value of a unit of item i at w (used by
:mod:`optimizer.transfers` to decide which rebalancing pays for itself).
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from optimizer.deployment_batch import merge_results, split_items
from optimizer.deployment_data import (
    SEGMENT_SELL_PROB,
    DeploymentProblem,
    DeploymentResult,
    validate_problem,
)
from optimizer.deployment_extract import extract
from optimizer.solver import SolverOptions, solve_highs_arrays

DEFAULT_SOLVER = SolverOptions()


__all__ = [
    "SEGMENT_SELL_PROB",
    "DeploymentProblem",
    "DeploymentResult",
    "solve_deployment",
    "split_items",
]


def _segments(demand: pd.DataFrame) -> np.ndarray:
    """(rows, 2) demand segments from mean / p50 / p90."""
    mean = demand["mean"].to_numpy(float)
    p50 = demand["p50"].to_numpy(float) if "p50" in demand else mean
    p90 = demand["p90"].to_numpy(float) if "p90" in demand else mean
    p50 = np.where(np.isnan(p50), mean, p50)
    p90 = np.maximum(np.where(np.isnan(p90), mean, p90), p50)
    return np.column_stack([p50, p90 - p50])


def _lane_selection(p: DeploymentProblem) -> pd.DataFrame:
    lanes = p.lanes.copy()
    lanes["score"] = lanes["cost_per_unit"] + p.delay_cost_per_unit_day * lanes["transit_days"]
    lanes["fast"] = lanes["transit_days"] <= p.promise_days
    lanes["rank"] = lanes.groupby("region_id")["score"].rank(method="first")
    lanes["fast_rank"] = (
        lanes["score"].where(lanes["fast"]).groupby(lanes["region_id"]).rank(method="first")
    )
    keep = (lanes["rank"] <= p.max_lanes_per_region) | (
        lanes["fast_rank"] <= p.max_lanes_per_region
    )
    return lanes[keep].reset_index(drop=True)


def _build(p: DeploymentProblem):
    items = p.items["item_id"].tolist()
    whs = p.warehouses["warehouse_id"].tolist()
    regs = sorted(p.demand["region_id"].unique().tolist())
    ii = {k: n for n, k in enumerate(items)}
    wi = {k: n for n, k in enumerate(whs)}
    ri = {k: n for n, k in enumerate(regs)}
    nI, nW = len(items), len(whs)
    dem = p.demand.groupby(["item_id", "region_id"], as_index=False).sum(numeric_only=True)
    dem_i = dem["item_id"].map(ii).to_numpy()
    dem_r = dem["region_id"].map(ri).to_numpy()
    seg = _segments(dem)
    nD = len(dem)
    avail = np.zeros((nI, nW))
    onhand = np.zeros((nI, nW))
    st = p.stock
    si, sw = st["item_id"].map(ii).to_numpy(), st["warehouse_id"].map(wi).to_numpy()
    np.add.at(avail, (si, sw), st["on_hand"].to_numpy(float) + st["inbound"].to_numpy(float))
    np.add.at(onhand, (si, sw), st["on_hand"].to_numpy(float))
    lanes = _lane_selection(p)
    lanes = lanes[lanes["region_id"].isin(ri)]
    lw = lanes["warehouse_id"].map(wi).to_numpy()
    lr = lanes["region_id"].map(ri).to_numpy()
    # flow columns: every demand row x every selected lane of its region
    lanes_of_region = [np.flatnonzero(lr == r) for r in range(len(regs))]
    counts = np.array([len(lanes_of_region[r]) for r in dem_r])
    f_dem = np.repeat(np.arange(nD), counts)
    f_lane = np.concatenate([lanes_of_region[r] for r in dem_r]) if nD else np.zeros(0, int)
    f_w = lw[f_lane]
    f_item = dem_i[f_dem]
    nF = len(f_dem)
    lost_cost = p.items["lost_sale_cost"].to_numpy(float)
    vol = p.items["unit_volume_m3"].to_numpy(float)
    score = lanes["cost_per_unit"].to_numpy(float) + p.delay_cost_per_unit_day * lanes[
        "transit_days"
    ].to_numpy(float)
    fast = lanes["transit_days"].to_numpy(float) <= p.promise_days
    tau = p.rebalance_cost_per_unit.reindex(whs).to_numpy(float)
    no_lane = ~np.isfinite(tau)  # no transfer lane touches w: nothing moves in or out
    tau = np.where(no_lane, 0.0, tau)
    # column blocks: flows | lost seg0 | lost seg1 | out | in | promise slack
    c_flow, c_l0 = 0, nF
    c_l1 = c_l0 + nD
    c_out = c_l1 + nD
    c_in = c_out + nI * nW
    c_u = c_in + nI * nW
    nC = c_u + len(regs)
    cost = np.concatenate(
        [
            score[f_lane],
            SEGMENT_SELL_PROB[0] * lost_cost[dem_i],
            SEGMENT_SELL_PROB[1] * lost_cost[dem_i],
            np.tile(tau, nI),
            np.tile(tau, nI),
            np.full(len(regs), p.promise_shortfall_cost),
        ]
    )
    col_lo = np.zeros(nC)
    movable = np.where(no_lane[None, :], 0.0, onhand).ravel()
    col_up = np.concatenate(
        [
            np.full(nF, np.inf),
            seg[:, 0],
            seg[:, 1],
            movable,
            np.tile(np.where(no_lane, 0.0, np.inf), nI),
            np.full(len(regs), np.inf),
        ]
    )
    iw = np.arange(nI * nW)
    rows, cols, vals, lo, up = [], [], [], [], []
    r0 = 0  # demand rows
    rows += [r0 + f_dem, r0 + np.arange(nD), r0 + np.arange(nD)]
    cols += [c_flow + np.arange(nF), c_l0 + np.arange(nD), c_l1 + np.arange(nD)]
    vals += [np.ones(nF), np.ones(nD), np.ones(nD)]
    lo.append(seg.sum(axis=1))
    up.append(seg.sum(axis=1))
    r1 = nD  # stock rows (item x warehouse)
    rows += [r1 + f_item * nW + f_w, r1 + iw, r1 + iw]
    cols += [c_flow + np.arange(nF), c_out + iw, c_in + iw]
    vals += [np.ones(nF), np.ones(nI * nW), -np.ones(nI * nW)]
    lo.append(np.full(nI * nW, -np.inf))
    up.append(avail.ravel())
    r2 = r1 + nI * nW  # balance rows (item)
    item_of_iw = iw // nW
    rows += [r2 + item_of_iw, r2 + item_of_iw]
    cols += [c_out + iw, c_in + iw]
    vals += [np.ones(nI * nW), -np.ones(nI * nW)]
    lo.append(np.zeros(nI))
    up.append(np.zeros(nI))
    r3 = r2 + nI  # volume rows
    wh_of_iw = iw % nW
    v_iw = vol[item_of_iw]
    rows += [r3 + wh_of_iw, r3 + wh_of_iw]
    cols += [c_in + iw, c_out + iw]
    vals += [v_iw, -v_iw]
    committed = (avail * vol[:, None]).sum(axis=0)
    vcap = p.warehouses["capacity_volume_m3"].to_numpy(float)
    lo.append(np.full(nW, -np.inf))
    up.append(vcap - committed)
    r4 = r3 + nW  # outbound rows
    rows += [r4 + f_w, r4 + wh_of_iw]
    cols += [c_flow + np.arange(nF), c_out + iw]
    vals += [np.ones(nF), np.ones(nI * nW)]
    ocap = p.warehouses["outbound_units_per_day"].to_numpy(float) * p.horizon_days
    lo.append(np.full(nW, -np.inf))
    up.append(ocap)
    r5 = r4 + nW  # promise rows
    fast_f = fast[f_lane]
    rows += [r5 + lr[f_lane][fast_f], r5 + np.arange(len(regs))]
    cols += [c_flow + np.flatnonzero(fast_f), c_u + np.arange(len(regs))]
    vals += [np.ones(int(fast_f.sum())), np.ones(len(regs))]
    mean_r = np.bincount(dem_r, weights=dem["mean"].to_numpy(float), minlength=len(regs))
    lo.append(p.promise_share * mean_r)
    up.append(np.full(len(regs), np.inf))
    nR = r5 + len(regs)
    a = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(nR, nC)
    )
    arrays = dict(
        cost=cost,
        matrix=a,
        row_lower=np.concatenate(lo),
        row_upper=np.concatenate(up),
        col_lower=col_lo,
        col_upper=col_up,
    )
    index = dict(
        items=items,
        whs=whs,
        regs=regs,
        dem=dem,
        seg=seg,
        dem_i=dem_i,
        dem_r=dem_r,
        lanes=lanes,
        f_dem=f_dem,
        f_lane=f_lane,
        f_w=f_w,
        f_item=f_item,
        avail=avail,
        onhand=onhand,
        blocks=(c_flow, c_l0, c_l1, c_out, c_in, c_u),
        rows=(r1, r3, r4, r5),
        committed=committed,
        vcap=vcap,
        ocap=ocap,
        mean_r=mean_r,
        vol=vol,
        lost_cost=lost_cost,
        fast=fast,
        score=score,
    )
    return arrays, index


def _solve_one(problem: DeploymentProblem, options: SolverOptions) -> DeploymentResult:
    arrays, index = _build(problem)
    sol = solve_highs_arrays(**arrays, options=options, name="deployment", lp_method="simplex")
    result = extract(problem, sol, index)
    object.__setattr__(
        result,
        "info",
        replace(
            result.info,
            extra={"columns": int(arrays["cost"].size), "rows": int(arrays["row_lower"].size)},
        ),
    )
    return result


def solve_deployment(
    problem: DeploymentProblem,
    options: SolverOptions = DEFAULT_SOLVER,
    batch_items: int = 100,
    workers: int = 2,
) -> DeploymentResult:
    """Solve the deployment LP for all items together (one LP up to ``batch_items`` items).

    Above ``batch_items`` the items are split into batches that share the warehouse capacities
    by demand (:func:`split_items`) and are solved on ``workers`` processes; each batch is an
    exact LP, the whole is then feasible but not proven optimal (``info.status`` is
    ``feasible``; the gap to the single LP is measured in docs/benchmarks/allocation.md).

    Result frames: ``targets`` (item_id, warehouse_id, on_hand, available, target, to_ship,
    marginal_value, reason), ``flows`` (item_id, warehouse_id, region_id, qty, transit_days,
    cost_per_unit, reason), ``lost`` (item_id, region_id, demand_p90, unserved,
    expected_lost_sales, reason), ``warehouses`` (use vs capacity, binding flags), ``regions``
    (promise share reached, shortfall). Bad input raises ``ValueError`` naming the entity.
    """
    validate_problem(problem)
    start = time.perf_counter()
    if len(problem.items) <= batch_items:
        result = _solve_one(problem, options)
        parts = [result]
    else:
        batches = split_items(problem, batch_items)
        if workers > 1:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(max_workers=workers) as pool:
                parts = list(pool.map(_solve_one, batches, [options] * len(batches)))
        else:
            parts = [_solve_one(b, options) for b in batches]
        result = merge_results(parts, problem)
    info = result.info
    extra = dict(info.extra, solve_s=round(sum(r.info.wall_s for r in parts), 3))
    object.__setattr__(
        result, "info", replace(info, wall_s=time.perf_counter() - start, extra=extra)
    )
    return result
