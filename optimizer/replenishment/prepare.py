"""From a validated :class:`ReplenishmentProblem` to arrays, and the split into components.

Two SKUs belong to the same component when they can share a purchase order (same supplier and
warehouse), when one SKU can be bought from both suppliers' groups, or when their sources share
a capacity key. Components are then independent except for the budget and the warehouse volume,
which ``decompose.py`` prices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from optimizer.replenishment.model import Component
from optimizer.replenishment.problem import ReplenishmentProblem


@dataclass
class Data:
    """Global arrays (N SKUs, A sources, G groups, W warehouses, T periods)."""

    T: int
    sku_keys: list            # [(item_id, location_id)]
    warehouse_ids: list
    sku_wh: np.ndarray        # (N,)
    demand: np.ndarray        # (N,T)
    safety_stock: np.ndarray  # (N,T)
    receipts: np.ndarray      # (N,T)
    on_hand: np.ndarray
    holding: np.ndarray
    shortage: np.ndarray
    ss_penalty: np.ndarray
    volume: np.ndarray
    service_level: np.ndarray
    sources: pd.DataFrame     # validated rows, index 0..A-1
    src_sku: np.ndarray
    src_group: np.ndarray
    group_keys: list          # [(supplier_id, location_id)]
    group_cost: np.ndarray
    unit_cost: np.ndarray
    lead: np.ndarray
    multiple: np.ndarray
    moq: np.ndarray
    size_max: np.ndarray      # inf = none
    capacity: np.ndarray      # inf = none
    upper: np.ndarray         # (A,T)
    tiebreak: np.ndarray
    allowed: np.ndarray       # (A,T)
    cap_key: np.ndarray       # (A,) global key or -1
    cap_value: np.ndarray
    ss_hard_from: np.ndarray
    end_value: np.ndarray
    end_cover: np.ndarray
    budget: np.ndarray | None  # (T,)
    volume_cap: np.ndarray     # (W,T), inf = none


def _matrix(frame: pd.DataFrame | None, col: str, index: pd.MultiIndex, T: int) -> np.ndarray:
    out = np.zeros((len(index), T))
    if frame is None or not len(frame):
        return out
    f = frame[(frame["period"] >= 0) & (frame["period"] < T)]
    rows = index.get_indexer(pd.MultiIndex.from_arrays([f["item_id"], f["location_id"]]))
    ok = rows >= 0
    np.add.at(out, (rows[ok], f["period"].to_numpy(dtype=int)[ok]), f[col].to_numpy(dtype=float)[ok])
    return out


def prepare(problem: ReplenishmentProblem, priority_penalty: float = 1e-3) -> Data:
    T = int(problem.n_periods)
    skus = problem.skus.sort_values(["item_id", "location_id"]).reset_index(drop=True)
    index = pd.MultiIndex.from_arrays([skus["item_id"], skus["location_id"]])
    wh_ids = sorted(skus["location_id"].unique())
    wh_of = {w: i for i, w in enumerate(wh_ids)}
    N = len(skus)
    demand = _matrix(problem.demand, "qty", index, T)
    ss = _matrix(problem.demand, "safety_stock", index, T)
    receipts = _matrix(problem.receipts, "qty", index, T)

    src = problem.sources.copy()
    src["_sku"] = index.get_indexer(pd.MultiIndex.from_arrays([src["item_id"], src["location_id"]]))
    src = src[src["_sku"] >= 0].reset_index(drop=True)
    A = len(src)
    group_index = pd.MultiIndex.from_arrays([src["supplier_id"], src["location_id"]]).unique()
    src_group = group_index.get_indexer(pd.MultiIndex.from_arrays([src["supplier_id"], src["location_id"]]))
    order_cost = problem.suppliers.drop_duplicates("supplier_id").set_index("supplier_id")["order_cost"]
    group_cost = np.array([float(order_cost.get(s, 0.0)) for s, _ in group_index], dtype=float)
    mult = src["size_multiple"].to_numpy(dtype=float).astype(int)
    smin = src["size_minimum"].to_numpy(dtype=float)
    moq = np.where(smin > 0, np.ceil(smin / mult - 1e-9) * mult, mult).astype(float)
    size_max = src["size_maximum"].to_numpy(dtype=float)
    size_max = np.where(np.isnan(size_max), np.inf, size_max)
    cap = src["capacity_per_period"].to_numpy(dtype=float)
    cap = np.where(np.isnan(cap), np.inf, cap)
    lead = src["lead_time_periods"].to_numpy(dtype=float).astype(int)
    sku_of = src["_sku"].to_numpy()

    # the largest useful order: demand after arrival + peak safety stock, rounded up
    tail = np.cumsum(demand[:, ::-1], axis=1)[:, ::-1]  # demand from t to T-1
    ss_peak = ss.max(axis=1) if T else np.zeros(N)
    upper = np.zeros((A, T))
    for t in range(T):
        arr = np.minimum(t + lead, T - 1)
        need = tail[sku_of, arr] + ss_peak[sku_of]
        need = np.ceil(need / mult - 1e-9) * mult
        upper[:, t] = np.minimum(np.minimum(size_max, cap), np.maximum(need, moq))
    upper = np.floor(upper / mult[:, None] + 1e-9) * mult[:, None]

    first = src["first_period"].to_numpy(dtype=float) if "first_period" in src else np.full(A, np.nan)
    last = src["last_period"].to_numpy(dtype=float) if "last_period" in src else np.full(A, np.nan)
    first = np.where(np.isnan(first), 0, first)
    last = np.where(np.isnan(last), T - 1, last)
    periods = np.arange(T)[None, :]
    allowed = (periods >= first[:, None]) & (periods <= last[:, None]) & (periods + lead[:, None] <= T - 1)
    allowed &= upper >= moq[:, None]
    if problem.holidays is not None and len(problem.holidays):
        off = set(zip(problem.holidays["supplier_id"], problem.holidays["period"].astype(int)))
        sup = src["supplier_id"].to_numpy()
        for a in range(A):
            for t in range(T):
                if allowed[a, t] and (sup[a], t) in off:
                    allowed[a, t] = False

    keys = src["capacity_key"] if "capacity_key" in src else pd.Series([np.nan] * A)
    counts = keys.value_counts()
    shared = keys.map(lambda k: pd.notna(k) and counts.get(k, 0) > 1).to_numpy(dtype=bool)
    key_codes, key_uniques = pd.factorize(keys.where(shared))
    cap_key = np.where(shared, key_codes, -1)
    cap_value = np.array([float(cap[cap_key == i].min()) for i in range(len(key_uniques))])

    ss_hard_from = np.full(N, T)
    arrival = np.where(allowed, periods + lead[:, None], T)
    if A:
        first_arrival = arrival.min(axis=1)
        np.minimum.at(ss_hard_from, sku_of, first_arrival)

    prio = src["priority"].to_numpy(dtype=float)
    end_value = np.zeros(N)
    if A:
        cheapest = pd.Series(src["unit_cost"].to_numpy(dtype=float)).groupby(sku_of).min()
        end_value[cheapest.index.to_numpy()] = cheapest.to_numpy()
    max_lead = np.zeros(N)
    if A:
        ml = pd.Series(lead).groupby(sku_of).max()
        max_lead[ml.index.to_numpy()] = ml.to_numpy()
    end_cover = (ss[:, -1] + (max_lead + 1) * demand[:, -1]) if T else np.zeros(N)
    wh_cap = np.full((len(wh_ids), T), np.inf)
    if problem.warehouses is not None:
        for r in problem.warehouses.itertuples(index=False):
            if r.location_id in wh_of and pd.notna(r.capacity_volume_m3):
                wh_cap[wh_of[r.location_id]] = float(r.capacity_volume_m3)
    service = skus["service_level"].to_numpy(dtype=float) if "service_level" in skus else np.full(N, np.nan)
    return Data(
        T=T, sku_keys=list(zip(skus["item_id"], skus["location_id"])), warehouse_ids=wh_ids,
        sku_wh=skus["location_id"].map(wh_of).to_numpy(), demand=demand, safety_stock=ss,
        receipts=receipts, on_hand=skus["on_hand"].to_numpy(dtype=float),
        holding=skus["holding_cost"].to_numpy(dtype=float),
        shortage=skus["shortage_cost"].to_numpy(dtype=float),
        ss_penalty=skus["safety_stock_penalty"].to_numpy(dtype=float),
        volume=skus["unit_volume_m3"].to_numpy(dtype=float), service_level=service,
        sources=src, src_sku=sku_of, src_group=src_group, group_keys=list(group_index),
        group_cost=group_cost, unit_cost=src["unit_cost"].to_numpy(dtype=float), lead=lead,
        multiple=mult, moq=moq, size_max=size_max, capacity=cap, upper=upper,
        tiebreak=priority_penalty * (prio - 1.0), allowed=allowed, cap_key=cap_key,
        cap_value=cap_value, ss_hard_from=ss_hard_from, end_value=end_value,
        end_cover=end_cover,
        budget=None if problem.budget_per_period is None else np.asarray(problem.budget_per_period, dtype=float),
        volume_cap=wh_cap)


def _find(parent, i):
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def component_groups(data: Data) -> list[tuple[np.ndarray, np.ndarray]]:
    """Connected components as (SKU indices, source indices); SKUs without a source form one
    extra component."""
    G = len(data.group_keys)
    parent = list(range(G))

    def union(a, b):
        ra, rb = _find(parent, a), _find(parent, b)
        if ra != rb:
            parent[ra] = rb

    by_sku: dict[int, int] = {}
    for k, g in zip(data.src_sku, data.src_group, strict=True):
        if k in by_sku:
            union(by_sku[k], g)
        else:
            by_sku[k] = g
    by_key: dict[int, int] = {}
    for a, key in enumerate(data.cap_key):
        if key >= 0:
            g = data.src_group[a]
            if key in by_key:
                union(by_key[key], g)
            else:
                by_key[key] = g
    roots = np.array([_find(parent, g) for g in range(G)], dtype=int)
    comp_of_src = roots[data.src_group] if len(data.src_group) else np.zeros(0, dtype=int)
    out = []
    for r in np.unique(roots):
        srcs = np.nonzero(comp_of_src == r)[0]
        out.append((np.unique(data.src_sku[srcs]), srcs))
    orphan = np.setdiff1d(np.arange(len(data.sku_keys)), np.unique(data.src_sku))
    if len(orphan):
        out.append((orphan, np.zeros(0, dtype=int)))
    return out


def make_component(data: Data, cid: int, skus: np.ndarray, srcs: np.ndarray) -> Component:
    local_sku = -np.ones(len(data.sku_keys), dtype=int)
    local_sku[skus] = np.arange(len(skus))
    groups, local_group = np.unique(data.src_group[srcs], return_inverse=True)
    keys = data.cap_key[srcs]
    used = np.unique(keys[keys >= 0])
    key_map = {k: i for i, k in enumerate(used)}
    return Component(
        cid=cid, sku_index=skus, demand=data.demand[skus], safety_stock=data.safety_stock[skus],
        receipts=data.receipts[skus], on_hand=data.on_hand[skus], holding=data.holding[skus],
        shortage=data.shortage[skus], ss_penalty=data.ss_penalty[skus], volume=data.volume[skus],
        warehouse=data.sku_wh[skus], ss_hard_from=data.ss_hard_from[skus], end_value=data.end_value[skus],
        end_cover=data.end_cover[skus],
        src_index=srcs,
        src_sku=local_sku[data.src_sku[srcs]], src_group=local_group.astype(int),
        unit_cost=data.unit_cost[srcs], lead=data.lead[srcs], multiple=data.multiple[srcs],
        moq=data.moq[srcs], upper=data.upper[srcs], tiebreak=data.tiebreak[srcs],
        allowed=data.allowed[srcs], cap_key=np.array([key_map.get(k, -1) for k in keys], dtype=int),
        cap_value=data.cap_value[used] if len(used) else np.zeros(0),
        group_cost=data.group_cost[groups], group_label=tuple(data.group_keys[g] for g in groups))


def projected_volume_without_orders(data: Data) -> np.ndarray:
    """(W,T) end-of-period volume if nothing more is ordered (stock only falls with demand)."""
    level = data.on_hand.copy()
    out = np.zeros((len(data.warehouse_ids), data.T))
    for t in range(data.T):
        level = np.maximum(level + data.receipts[:, t] - data.demand[:, t], 0.0)
        np.add.at(out[:, t], data.sku_wh, level * data.volume)
    return out


@lru_cache(maxsize=4096)
def periods_label(t: int, start, period_days: int) -> str:
    if start is None:
        return f"period {t}"
    return (pd.Timestamp(start) + pd.Timedelta(days=period_days * t)).date().isoformat()


def ceil_div(a: float, b: float) -> int:
    return int(math.ceil(a / b - 1e-9))
