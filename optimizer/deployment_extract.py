"""Reading the deployment LP's solution back into frames, with a reason on every line."""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.deployment_data import SEGMENT_SELL_PROB, DeploymentProblem, DeploymentResult


def extract(p: DeploymentProblem, sol, ix) -> DeploymentResult:
    x, dual = sol.x, sol.row_dual
    c_flow, c_l0, c_l1, c_out, c_in, c_u = ix["blocks"]
    r1, r3, r4, r5 = ix["rows"]
    items, whs, regs = ix["items"], ix["whs"], ix["regs"]
    nI, nW, nR = len(items), len(whs), len(regs)
    lanes = ix["lanes"]
    nF = len(ix["f_dem"])
    flow = x[c_flow : c_flow + nF]
    vol_dual = dual[r3 : r3 + nW]
    out_dual = dual[r4 : r4 + nW]
    prom_dual = dual[r5 : r5 + nR]
    # --- flows with reasons
    keep = flow > 1e-6
    fd, fl = ix["f_dem"][keep], ix["f_lane"][keep]
    fw = ix["f_w"][keep]
    dem = ix["dem"]
    best_score = lanes.groupby("region_id")["score"].transform("min").to_numpy()
    region_of = lanes["region_id"].to_numpy()[fl]
    cheapest = ix["score"][fl] <= best_score[fl] + 1e-9
    reasons = (
        "serves region "
        + region_of.astype(str)
        + " demand; "
        + np.where(
            cheapest,
            "cheapest lane",
            "lane cost "
            + np.round(ix["score"][fl], 2).astype(str)
            + "/unit vs best "
            + np.round(best_score[fl], 2).astype(str)
            + ": nearer stock or capacity short",
        )
        + np.where(
            ix["fast"][fl] & (p.promise_share > 0), f"; within {p.promise_days:g}-day promise", ""
        )
        + np.where(
            np.abs(out_dual[fw]) > 1e-9,
            "; outbound capacity binding at " + np.array(whs)[fw].astype(str),
            "",
        )
    )
    flows = pd.DataFrame(
        {
            "item_id": dem["item_id"].to_numpy()[fd],
            "warehouse_id": np.array(whs)[fw],
            "region_id": dem["region_id"].to_numpy()[fd],
            "qty": np.round(flow[keep], 6),
            "transit_days": lanes["transit_days"].to_numpy()[fl],
            "cost_per_unit": lanes["cost_per_unit"].to_numpy()[fl],
            "reason": reasons,
        }
    )
    # --- lost sales
    l0, l1 = x[c_l0 : c_l0 + len(dem)], x[c_l1 : c_l1 + len(dem)]
    lost_units = l0 + l1
    expected = SEGMENT_SELL_PROB[0] * l0 + SEGMENT_SELL_PROB[1] * l1
    lk = lost_units > 1e-6
    lost = pd.DataFrame(
        {
            "item_id": dem["item_id"].to_numpy()[lk],
            "region_id": dem["region_id"].to_numpy()[lk],
            "demand_p90": ix["seg"].sum(axis=1)[lk],
            "unserved": lost_units[lk],
            "expected_lost_sales": expected[lk],
        }
    )
    lost["reason"] = np.where(
        lost["unserved"] > ix["seg"][:, 1][lk] + 1e-6,
        "not enough stock of the item in any reachable warehouse",
        "upper-quantile demand left uncovered: its expected sale is "
        "worth less than holding and shipping the unit",
    )
    # --- targets (position after rebalancing)
    out = x[c_out : c_out + nI * nW].reshape(nI, nW)
    inn = x[c_in : c_in + nI * nW].reshape(nI, nW)
    target = ix["avail"] + inn - out
    served = np.zeros((nI, nW))
    np.add.at(served, (ix["f_item"][keep], fw), flow[keep])
    stock_dual = dual[r1 : r1 + nI * nW].reshape(nI, nW)
    ti, tw = np.nonzero((target > 1e-6) | (ix["avail"] > 1e-6))
    top = (
        flows.sort_values("qty", ascending=False)
        .groupby(["item_id", "warehouse_id"])
        .head(3)
        .assign(t=lambda f: f["region_id"] + " " + f["qty"].round(0).astype(int).astype(str))
        .groupby(["item_id", "warehouse_id"])["t"]
        .agg(", ".join)
    )
    key = pd.MultiIndex.from_arrays([np.array(items)[ti], np.array(whs)[tw]])
    served_txt = top.reindex(key).to_numpy()
    inn_t, out_t = inn[ti, tw], out[ti, tw]
    parts = [
        np.where(
            inn_t > 1e-6,
            "rebalanced in " + np.round(inn_t).astype(int).astype(str) + ": sells here; ",
            "",
        ),
        np.where(
            out_t > 1e-6,
            "rebalanced out "
            + np.round(out_t).astype(int).astype(str)
            + ": slow here, sells elsewhere; ",
            "",
        ),
        np.where(
            pd.isna(served_txt),
            "no demand served from here in the horizon",
            "serves " + pd.Series(served_txt).fillna("").astype(str).to_numpy(),
        ),
        np.where(np.abs(vol_dual[tw]) > 1e-9, "; volume capacity binding", ""),
    ]
    reason = parts[0] + parts[1] + parts[2] + parts[3]
    rows = list(
        zip(  # noqa: B905 - equal-length arrays
            np.array(items)[ti],
            np.array(whs)[tw],
            ix["onhand"][ti, tw],
            ix["avail"][ti, tw],
            target[ti, tw],
            served[ti, tw],
            -stock_dual[ti, tw],
            reason,
        )
    )
    targets = pd.DataFrame(
        rows,
        columns=[
            "item_id",
            "warehouse_id",
            "on_hand",
            "available",
            "target",
            "to_ship",
            "marginal_value",
            "reason",
        ],
    )
    stock_value = targets[["item_id", "warehouse_id", "marginal_value"]]
    vol_used = ix["committed"] + ((inn - out) * ix["vol"][:, None]).sum(axis=0)
    out_used = np.bincount(fw, weights=flow[keep], minlength=nW) + out.sum(axis=0)
    warehouses = pd.DataFrame(
        {
            "warehouse_id": whs,
            "volume_m3": vol_used,
            "capacity_volume_m3": ix["vcap"],
            "volume_binding": np.abs(vol_dual) > 1e-9,
            "outbound_units": out_used,
            "outbound_capacity_units": ix["ocap"],
            "outbound_binding": np.abs(out_dual) > 1e-9,
        }
    )
    fast_flow = np.zeros(nR)
    lane_r = lanes["region_id"].map({r: k for k, r in enumerate(regs)}).to_numpy()
    fk = ix["fast"][fl]
    np.add.at(fast_flow, lane_r[fl][fk], flow[keep][fk])
    shortfall = x[c_u : c_u + nR]
    regions = pd.DataFrame(
        {
            "region_id": regs,
            "demand_mean": ix["mean_r"],
            "within_promise": fast_flow,
            "promise_share": np.divide(
                fast_flow, ix["mean_r"], out=np.zeros(nR), where=ix["mean_r"] > 0
            ),
            "promise_target": p.promise_share,
            "shortfall_units": shortfall,
            "promise_met": shortfall <= 1e-6,
            "promise_dual": prom_dual,
        }
    )
    cost = {
        "shipping_and_delay": float(ix["score"][fl] @ flow[keep]),
        "expected_lost_sales": float((expected * ix["lost_cost"][ix["dem_i"]]).sum()),
        "rebalancing": float(x[c_out : c_in + nI * nW] @ sol_cost_tail(p, whs, nI)),
        "promise_shortfall": float(p.promise_shortfall_cost * shortfall.sum()),
    }
    return DeploymentResult(targets, flows, lost, warehouses, regions, stock_value, sol.info, cost)


def sol_cost_tail(p: DeploymentProblem, whs, nI: int) -> np.ndarray:
    tau = p.rebalance_cost_per_unit.reindex(whs).to_numpy(float)
    tau = np.where(np.isfinite(tau), tau, 0.0)
    return np.concatenate([np.tile(tau, nI), np.tile(tau, nI)])
