"""Order routing: which warehouse ships which order line, with few split parcels.

Sets
    O orders, L lines (l belongs to order o(l), item i(l), region r(l), quantity q_l units),
    W warehouses
Parameters
    S_iw available stock (units), U_w outbound capacity for the batch (units/day x days),
    c_wr shipping cost (currency/unit, lane w -> r; no lane = not allowed),
    P cost per parcel (currency; one parcel per order x warehouse used),
    B cost per unit not shipped (backorder, currency/unit)
Exact model (:func:`route_exact`, MILP for small batches)
    a_lw >= 0 units of line l from w, b_l >= 0 backordered, z_ow in {0,1} a parcel from w
    min  sum c_wr a_lw + P sum z_ow + B sum b_l
    s.t. sum_w a_lw + b_l = q_l;  sum_{l: i(l)=i} a_lw <= S_iw;  sum_l a_lw <= U_w;
         a_lw <= q_l z_o(l)w
Greedy (:func:`solve_routing`, the production path: 100,000 lines in seconds)
    Orders with the fewest warehouses able to ship them whole go first (then first come,
    first served), so scarce stock goes to the orders that need it. An order goes whole to the
    cheapest warehouse that has every line in stock and outbound capacity left (one parcel).
    Otherwise it is split: repeatedly the warehouse that can ship the most of the remaining
    units (ties: lower cost) takes every line it can. A line still short because the
    warehouses holding its item ran out of outbound capacity gets room by re-routing lines
    already placed there to another warehouse with stock and capacity (a two-step augmenting
    move); what still cannot ship is backordered.
    The greedy's gap to the exact model is measured by ``stockpilot bench routing``.
Every routed line carries its reason (single parcel / which item forced a split / capacity).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from optimizer.solver import NoSolutionError, SolverOptions, solve_highs_arrays

DEFAULT_SOLVER = SolverOptions()

ROUTE_COLUMNS = [
    "order_id",
    "item_id",
    "region_id",
    "qty",
    "warehouse_id",
    "parcel_cost",
    "shipping_cost",
    "reason",
]


@dataclass(frozen=True, eq=False)
class RoutingProblem:
    """``orders``: order_id, item_id, region_id, qty (one row per line);
    ``stock``: warehouse_id, item_id, available; ``lanes``: warehouse_id, region_id,
    cost_per_unit; ``warehouses``: warehouse_id, outbound_units (capacity for this batch)."""

    orders: pd.DataFrame
    stock: pd.DataFrame
    lanes: pd.DataFrame
    warehouses: pd.DataFrame
    parcel_cost: float = 5.0
    backorder_cost_per_unit: float = 50.0


@dataclass(frozen=True, eq=False)
class RoutingResult:
    lines: pd.DataFrame  # ROUTE_COLUMNS; warehouse_id NaN = backordered
    cost: float  # shipping + parcels + backorder penalty
    parcels: int
    split_orders: int
    backordered_units: float
    wall_s: float
    status: str = "heuristic"


def _validate(p: RoutingProblem) -> None:
    need = {
        "orders": ("order_id", "item_id", "region_id", "qty"),
        "stock": ("warehouse_id", "item_id", "available"),
        "lanes": ("warehouse_id", "region_id", "cost_per_unit"),
        "warehouses": ("warehouse_id", "outbound_units"),
    }
    for name, cols in need.items():
        frame = getattr(p, name)
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValueError(f"{name}: missing column(s) {', '.join(missing)}")
    for name, col, key in (
        ("orders", "qty", "order_id"),
        ("stock", "available", "item_id"),
        ("lanes", "cost_per_unit", "warehouse_id"),
        ("warehouses", "outbound_units", "warehouse_id"),
    ):
        v = pd.to_numeric(getattr(p, name)[col], errors="coerce").to_numpy(float)
        bad = ~np.isfinite(v) | (v < 0)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raw = getattr(p, name)[col].iloc[k]
            shown = repr(float(raw)) if isinstance(raw, (int, float, np.number)) else repr(raw)
            raise ValueError(
                f"{name} row {k} ({key}={getattr(p, name)[key].iloc[k]}): {col} is "
                f"{shown}; it must be a finite number >= 0"
            )
    whs = set(p.warehouses["warehouse_id"])
    for name in ("stock", "lanes"):
        unknown = ~getattr(p, name)["warehouse_id"].isin(whs)
        if unknown.any():
            raise ValueError(
                f"{name}: warehouse {getattr(p, name)['warehouse_id'][unknown].iloc[0]!r} "
                "is not in warehouses"
            )
    no_lane = ~p.orders["region_id"].isin(set(p.lanes["region_id"]))
    if no_lane.any():
        row = p.orders[no_lane].iloc[0]
        raise ValueError(
            f"order {row['order_id']}: region {row['region_id']!r} is reached by no "
            "lane from any warehouse"
        )


def _index(p: RoutingProblem):
    whs = p.warehouses["warehouse_id"].tolist()
    w_of = {w: k for k, w in enumerate(whs)}
    items = pd.Index(pd.unique(pd.concat([p.orders["item_id"], p.stock["item_id"]])))
    regions = pd.Index(pd.unique(p.orders["region_id"]))
    S = np.zeros((len(items), len(whs)))
    np.add.at(
        S,
        (items.get_indexer(p.stock["item_id"]), p.stock["warehouse_id"].map(w_of).to_numpy()),
        p.stock["available"].to_numpy(float),
    )
    C = np.full((len(regions), len(whs)), np.inf)
    ln = p.lanes[p.lanes["region_id"].isin(regions)]
    C[regions.get_indexer(ln["region_id"]), ln["warehouse_id"].map(w_of).to_numpy()] = ln[
        "cost_per_unit"
    ].to_numpy(float)
    U = p.warehouses["outbound_units"].to_numpy(float).copy()
    return whs, items, regions, S, C, U


PRICE_LP_MAX_COLUMNS = 150_000  # ~20,000 order lines; beyond, the LP costs more than routing
PRICE_LP_TIME_S = 20.0


class _TooLarge(Exception):
    pass


def _pressure_prices(S, C, U, it, rg, q, order_rows, bounds):
    """Fallback capacity price for large batches: warehouses that the orders' whole-order
    options would overload (expected load / capacity above 0.8) cost more per unit."""
    load = np.zeros(S.shape[1])
    for k in range(len(bounds) - 1):
        rows = order_rows[bounds[k] : bounds[k + 1]]
        ok = (S[it[rows]] >= q[rows][:, None]).all(axis=0) & np.isfinite(C[rg[rows[0]]])
        if ok.any():
            load[ok] += q[rows].sum() / ok.sum()
    finite = C[np.isfinite(C)]
    scale = float(np.median(finite)) if finite.size else 0.0
    return np.clip(load / np.maximum(U, 1e-9) - 0.8, 0.0, None) * scale


def _lp_prices(S, C, U, it, rg, q, backorder_cost):
    """Duals of the stock and capacity rows of the aggregate LP
    min sum c_wr f_krw + B b_k s.t. sum_w f_kw + b_k = D_k (k = item x region),
    sum_{k of item i} f_kw <= S_iw, sum_k f_kw <= U_w: the marginal value of a unit of stock
    of i at w (mu, items x W) and of a unit of outbound capacity at w (nu)."""
    n_items, n_w = S.shape
    key = it.astype(np.int64) * (C.shape[0] + 1) + rg
    k_codes, k_uni = pd.factorize(key, sort=False)
    demand = np.bincount(k_codes, weights=q)
    k_item = (k_uni // (C.shape[0] + 1)).astype(int)
    k_reg = (k_uni % (C.shape[0] + 1)).astype(int)
    kk, ww = np.nonzero(np.isfinite(C[k_reg]) & (S[k_item] > 0))
    nk, nf = len(k_uni), len(kk)
    if nf > PRICE_LP_MAX_COLUMNS:
        raise _TooLarge
    rows = np.concatenate([kk, np.arange(nk), nk + k_item[kk] * n_w + ww, nk + n_items * n_w + ww])
    cols = np.concatenate([np.arange(nf), nf + np.arange(nk), np.arange(nf), np.arange(nf)])
    a = sp.csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(nk + n_items * n_w + n_w, nf + nk))
    sol = solve_highs_arrays(
        np.concatenate([C[k_reg[kk], ww], np.full(nk, backorder_cost)]),
        a,
        np.concatenate([demand, np.full(n_items * n_w + n_w, -np.inf)]),
        np.concatenate([demand, S.ravel(), U]),
        np.zeros(nf + nk),
        np.full(nf + nk, np.inf),
        options=DEFAULT_SOLVER.with_(time_limit_s=PRICE_LP_TIME_S),
        name="routing_prices",
        lp_method="simplex",
    )
    dual = sol.row_dual
    mu = np.maximum(-dual[nk : nk + n_items * n_w], 0.0).reshape(n_items, n_w)
    nu = np.maximum(-dual[nk + n_items * n_w :], 0.0)
    return mu, nu


def solve_routing(problem: RoutingProblem) -> RoutingResult:
    """Greedy routing (see module docstring); stock and capacity are never exceeded."""
    _validate(problem)
    start = time.perf_counter()
    whs, items, regions, S, C, U = _index(problem)
    orders = problem.orders.reset_index(drop=True)
    o_codes, o_uni = pd.factorize(orders["order_id"], sort=False)
    it = items.get_indexer(orders["item_id"])
    rg = regions.get_indexer(orders["region_id"])
    q = orders["qty"].to_numpy(float)
    order_rows = np.argsort(o_codes, kind="stable")
    bounds = np.searchsorted(o_codes[order_rows], np.arange(len(o_uni) + 1))
    # most constrained first: orders with the fewest warehouses able to ship them whole
    options = np.empty(len(o_uni))
    for k in range(len(o_uni)):
        rows = order_rows[bounds[k] : bounds[k + 1]]
        options[k] = (
            (S[it[rows]] >= q[rows][:, None]).all(axis=0) & np.isfinite(C[rg[rows[0]]])
        ).sum()
    sequence = np.argsort(options, kind="stable")
    # prices of scarce stock (item x warehouse) and outbound capacity from the LP relaxation
    # of the aggregate (item x region) flow problem
    try:
        mu, nu = _lp_prices(S, C, U, it, rg, q, problem.backorder_cost_per_unit)
    except (NoSolutionError, _TooLarge):
        mu, nu = np.zeros_like(S), _pressure_prices(S, C, U, it, rg, q, order_rows, bounds)
    out_w, out_q, out_line, reasons = [], [], [], []
    P = problem.parcel_cost
    parcels = split = 0
    backordered = 0.0
    pending: list[tuple[int, float]] = []

    for k in sequence:
        rows = order_rows[bounds[k] : bounds[k + 1]]
        li, lq, r = it[rows], q[rows], rg[rows[0]]
        total = lq.sum()
        cost_r = C[r]
        full = (S[li] >= lq[:, None] - 1e-9).all(axis=0) & (U >= total - 1e-9) & np.isfinite(cost_r)
        if full.any():
            priced = (cost_r + nu) * total + (mu[li] * lq[:, None]).sum(axis=0)
            w = int(np.argmin(np.where(full, priced, np.inf)))
            S[li, w] -= lq
            U[w] -= total
            parcels += 1
            out_line.extend(rows)
            out_w.extend([w] * len(rows))
            out_q.extend(lq)
            why = "whole order in one parcel from the cheapest warehouse holding every line"
            reasons.extend([why] * len(rows))
            continue
        split += 1
        rem = lq.copy()
        used = []
        while rem.sum() > 1e-9:
            avail = np.minimum(S[li], rem[:, None])  # (lines, W)
            ship = avail.sum(axis=0)
            ship = np.minimum(ship, U)
            ship[~np.isfinite(cost_r)] = 0.0
            ship[used] = 0.0
            if ship.max() <= 1e-9:
                break
            best = np.flatnonzero(ship >= ship.max() - 1e-9)
            w = int(best[np.argmin(cost_r[best] + nu[best] + mu[li][:, best].mean(axis=0))])
            used.append(w)
            parcels += 1
            cap = U[w]
            for n_line, row in enumerate(rows):
                take = min(avail[n_line, w], rem[n_line], cap)
                if take <= 1e-9:
                    continue
                S[li[n_line], w] -= take
                rem[n_line] -= take
                cap -= take
                out_line.append(row)
                out_w.append(w)
                out_q.append(take)
                missing = [
                    items[li[m]]
                    for m in range(len(rows))
                    if S[li[m], w] + (take if m == n_line else 0) < lq[m] - 1e-9
                ]
                reasons.append(
                    "split order: no warehouse holds every line"
                    + (f"; {whs[w]} lacks {', '.join(map(str, missing[:3]))}" if missing else "")
                    + ("; outbound capacity limits" if U[w] < total else "")
                )
            U[w] = cap
        for n_line, row in enumerate(rows):
            if rem[n_line] > 1e-9:
                pending.append((row, rem[n_line]))
    # repair: a line short of outbound capacity (not of stock) frees room at a warehouse
    # holding its item by moving already-routed lines elsewhere (stock + capacity + lane there)
    at_w: dict[int, list[int]] = {}
    for pos, w in enumerate(out_w):
        at_w.setdefault(w, []).append(pos)
    for row, need in pending:
        i, r = it[row], rg[row]
        for w in np.argsort(C[r]):
            if need <= 1e-9 or not np.isfinite(C[r, w]) or S[i, w] < need - 1e-9:
                continue
            for pos in list(at_w.get(int(w), [])):
                if U[w] >= need - 1e-9:
                    break
                j, qj = it[out_line[pos]], out_q[pos]
                cj = C[rg[out_line[pos]]]
                alt = np.flatnonzero((S[j] >= qj - 1e-9) & (U >= qj - 1e-9) & np.isfinite(cj))
                alt = alt[alt != w]
                if alt.size == 0:
                    continue
                w2 = int(alt[np.argmin(cj[alt])])
                S[j, w] += qj
                U[w] += qj
                S[j, w2] -= qj
                U[w2] -= qj
                out_w[pos] = w2
                reasons[pos] = (
                    f"moved from {whs[int(w)]} to free its outbound capacity for a scarcer line"
                )
                at_w[int(w)].remove(pos)
                at_w.setdefault(w2, []).append(pos)
            if U[w] >= need - 1e-9:
                S[i, w] -= need
                U[w] -= need
                out_line.append(row)
                out_w.append(int(w))
                out_q.append(need)
                reasons.append(
                    "only warehouse with the item in stock; "
                    "capacity freed by re-routing other lines"
                )
                at_w.setdefault(int(w), []).append(len(out_w) - 1)
                need = 0.0
                break
        if need > 1e-9:
            backordered += need
            out_line.append(row)
            out_w.append(-1)
            out_q.append(need)
            reasons.append("backordered: no reachable warehouse has stock and outbound capacity")
    out_line = np.asarray(out_line, dtype=int)
    w_arr = np.asarray(out_w, dtype=int)
    qty = np.asarray(out_q, dtype=float)
    lines = orders.iloc[out_line][["order_id", "item_id", "region_id"]].reset_index(drop=True)
    lines["qty"] = qty
    lines["warehouse_id"] = np.where(
        w_arr >= 0, np.array(whs, dtype=object)[np.maximum(w_arr, 0)], None
    )
    unit = np.where(w_arr >= 0, C[rg[out_line], np.maximum(w_arr, 0)], 0.0)
    lines["shipping_cost"] = unit * qty
    first = ~pd.DataFrame({"o": lines["order_id"], "w": w_arr}).duplicated().to_numpy() & (
        w_arr >= 0
    )
    lines["parcel_cost"] = np.where(first, P, 0.0)
    parcels = int(first.sum())
    split = int((pd.Series(first).groupby(lines["order_id"].to_numpy()).sum() > 1).sum())
    lines["reason"] = reasons
    cost = float(
        lines["shipping_cost"].sum() + parcels * P + backordered * problem.backorder_cost_per_unit
    )
    return RoutingResult(
        lines[ROUTE_COLUMNS], cost, parcels, split, backordered, time.perf_counter() - start
    )


def route_exact(problem: RoutingProblem, options: SolverOptions = DEFAULT_SOLVER) -> RoutingResult:
    """The exact MILP of the module docstring (small batches: it measures the greedy's gap)."""
    _validate(problem)
    start = time.perf_counter()
    whs, items, regions, S, C, U = _index(problem)
    orders = problem.orders.reset_index(drop=True)
    o_codes, o_uni = pd.factorize(orders["order_id"], sort=False)
    it, rg = items.get_indexer(orders["item_id"]), regions.get_indexer(orders["region_id"])
    q = orders["qty"].to_numpy(float)
    nL, nW, nO = len(orders), len(whs), len(o_uni)
    ll, ww = np.nonzero(np.isfinite(C[rg]))
    nA = len(ll)
    # columns: a (nA) | b (nL) | z (nO*nW)
    cA, cB, cZ = 0, nA, nA + nL
    nC = cZ + nO * nW
    r_stock, r_cap, r_link = nL, nL + len(items) * nW, nL + len(items) * nW + nW
    rows = np.concatenate(
        [
            ll,
            np.arange(nL),
            r_stock + it[ll] * nW + ww,
            r_cap + ww,
            r_link + np.arange(nA),
            r_link + np.arange(nA),
        ]
    )
    cols = np.concatenate(
        [
            cA + np.arange(nA),
            cB + np.arange(nL),
            cA + np.arange(nA),
            cA + np.arange(nA),
            cA + np.arange(nA),
            cZ + o_codes[ll] * nW + ww,
        ]
    )
    vals = np.concatenate([np.ones(nA), np.ones(nL), np.ones(nA), np.ones(nA), np.ones(nA), -q[ll]])
    nR = r_link + nA
    a = sp.csc_matrix((vals, (rows, cols)), shape=(nR, nC))
    lo = np.concatenate([q, np.full(nR - nL, -np.inf)])
    up = np.concatenate([q, S.ravel(), U, np.zeros(nA)])
    cost = np.concatenate(
        [
            C[rg[ll], ww],
            np.full(nL, problem.backorder_cost_per_unit),
            np.full(nO * nW, problem.parcel_cost),
        ]
    )
    integ = np.zeros(nC, bool)
    integ[cZ:] = True
    sol = solve_highs_arrays(
        cost,
        a,
        lo,
        up,
        np.zeros(nC),
        np.concatenate([np.full(nA + nL, np.inf), np.ones(nO * nW)]),
        integ,
        options,
        name="routing",
    )
    x = sol.x
    keep = x[:nA] > 1e-6
    lines = orders.iloc[ll[keep]][["order_id", "item_id", "region_id"]].reset_index(drop=True)
    lines["qty"] = x[:nA][keep]
    lines["warehouse_id"] = np.array(whs, dtype=object)[ww[keep]]
    lines["shipping_cost"] = C[rg[ll[keep]], ww[keep]] * lines["qty"]
    lines["parcel_cost"] = 0.0
    lines["reason"] = "exact MILP"
    z = x[cZ:].reshape(nO, nW) > 0.5
    per_order = z.sum(axis=1)
    return RoutingResult(
        lines[ROUTE_COLUMNS],
        sol.info.objective,
        int(z.sum()),
        int((per_order > 1).sum()),
        float(x[cB:cZ].sum()),
        time.perf_counter() - start,
        sol.info.status,
    )


def generate_orders(
    n_lines: int,
    n_items: int = 2000,
    n_warehouses: int = 10,
    n_regions: int = 31,
    seed: int = 0,
    days: float = 1.0,
) -> RoutingProblem:
    """A seeded batch: orders of 1-6 lines (mean ~2.5), Zipf-like item popularity, stock at each
    warehouse for ~70% of items covering ~1.2x the batch's demand overall, outbound capacity
    ~1.15x the batch's units spread over the warehouses, lanes on a 3,000 x 2,000 km map."""
    rng = np.random.default_rng(seed)
    sizes = []
    while sum(sizes) < n_lines:
        sizes.append(int(min(6, 1 + rng.poisson(1.5))))
    sizes[-1] -= sum(sizes) - n_lines
    sizes = [s for s in sizes if s > 0]
    n_orders = len(sizes)
    order_of = np.repeat(np.arange(n_orders), sizes)
    pop = 1.0 / np.arange(1, n_items + 1) ** 0.8
    pop /= pop.sum()
    item = rng.choice(n_items, size=n_lines, p=pop)
    region = rng.integers(0, n_regions, n_orders)[order_of]
    qty = 1 + rng.poisson(0.6, n_lines)
    orders = pd.DataFrame(
        {
            "order_id": [f"O{k:07d}" for k in order_of],
            "item_id": [f"I{k:05d}" for k in item],
            "region_id": [f"R{k + 1:02d}" for k in region],
            "qty": qty.astype(float),
        }
    )
    orders = orders.drop_duplicates(["order_id", "item_id"]).reset_index(drop=True)
    demand = np.bincount(item, weights=qty, minlength=n_items)
    W = [f"W{k + 1:02d}" for k in range(n_warehouses)]
    held = rng.random((n_items, n_warehouses)) < 0.7
    share = rng.random((n_items, n_warehouses)) * held
    share /= np.maximum(share.sum(axis=1, keepdims=True), 1e-9)
    stock = np.floor(
        demand[:, None] * 1.2 * share + held * rng.integers(0, 3, (n_items, n_warehouses))
    )
    si, sw = np.nonzero(stock > 0)
    stock_df = pd.DataFrame(
        {
            "warehouse_id": np.array(W)[sw],
            "item_id": [f"I{k:05d}" for k in si],
            "available": stock[si, sw],
        }
    )
    wxy = rng.random((n_warehouses, 2)) * [3000, 2000]
    rxy = rng.random((n_regions, 2)) * [3000, 2000]
    dist = np.sqrt(((wxy[:, None] - rxy[None]) ** 2).sum(-1))
    lanes = pd.DataFrame(
        {
            "warehouse_id": np.repeat(W, n_regions),
            "region_id": np.tile([f"R{k + 1:02d}" for k in range(n_regions)], n_warehouses),
            "cost_per_unit": np.round(0.5 + 0.002 * dist, 3).ravel(),
        }
    )
    cap = qty.sum() * 1.15 * rng.dirichlet(np.ones(n_warehouses) * 5) * days
    whs = pd.DataFrame({"warehouse_id": W, "outbound_units": np.floor(cap)})
    return RoutingProblem(orders, stock_df, lanes, whs)
