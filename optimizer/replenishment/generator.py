"""Seeded replenishment instances for tests and the benchmark.

``generate_instance(n_items, n_warehouses, n_suppliers, n_periods, seed)`` plans every item at
every warehouse (``n_items × n_warehouses`` SKUs) over weekly periods. All draws come from
``numpy.random.default_rng(seed)``; same arguments → the same problem.

* Suppliers ``S001..``: order cost U(100, 400) per purchase order; suppliers come in families of
  two (S001/S002, S003/S004, …). 25% of suppliers take one week off (a holiday) in weeks 1..T−2.
* Items ``I00001..``: unit cost U(2, 50); volume U(0.001, 0.02) m³; holding 25% of cost a year
  (weekly ``0.25/52·c``); a lost sale costs ``2·c`` (the price at a 50% margin); a unit below safety stock
  ``0.05·c`` a week.
* Demand: weekly mean ``exp(N(3, 1))`` per item, split over warehouses by a Dirichlet(2) share,
  with a ±20% seasonal wave; safety stock ``z₀.₉₅·0.4·d·sqrt(L + 1)`` (coefficient of variation
  0.4, protection over lead time + one review week).
* Sourcing, per item × warehouse: a primary supplier (priority 1), and for 30% of the items a
  second source from the same family (priority 2, 8% dearer, one week faster, effective from
  week 2 for a third of them). Lead time 1–4 weeks; capacity per week 3 × mean weekly
  demand (at least twice the MOQ); a maximum order of 12 weeks of demand for half of the rows.
  Case pack: the largest of 1, 2, 6, 12, 24, 48 units not above U(0.25, 1) × the item's mean
  weekly demand per warehouse; MOQ: U(1, 4) such weeks in whole case packs (at least one).
* Stock: on hand U(0.5, 4) weeks of demand; an open order of 1–2 weeks of demand arriving in
  week 1 for 20% of SKUs.
* Warehouse volume: the volume of safety stock + 2 weeks of demand of its SKUs.
* Budget per week: 1.2 × the mean weekly purchase value of demand (week 0 is usually binding,
  as many SKUs start below their safety stock).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from optimizer.replenishment.problem import ReplenishmentProblem


def generate_instance(n_items: int, n_warehouses: int, n_suppliers: int, n_periods: int = 13,
                      seed: int = 0, *, budget_factor: float = 1.2, volume_factor: float = 1.0,
                      start_date: str = "2026-01-05") -> ReplenishmentProblem:
    for name, v, lo in (("n_items", n_items, 1), ("n_warehouses", n_warehouses, 1),
                        ("n_suppliers", n_suppliers, 1), ("n_periods", n_periods, 2)):
        if int(v) != v or v < lo:
            raise ValueError(f"{name} must be a whole number >= {lo} (got {v!r})")
    rng = np.random.default_rng(seed)
    N, W, S, T = int(n_items), int(n_warehouses), int(n_suppliers), int(n_periods)
    items = np.array([f"I{i:05d}" for i in range(1, N + 1)])
    whs = np.array([f"W{w:02d}" for w in range(1, W + 1)])
    sups = np.array([f"S{s:03d}" for s in range(1, S + 1)])
    cost = np.round(rng.uniform(2, 50, N), 2)
    vol = np.round(rng.uniform(0.001, 0.02, N), 4)
    weekly = np.exp(rng.normal(3, 1, N))
    share = rng.dirichlet(np.full(W, 2.0), N)             # (N,W)
    d_mean = weekly[:, None] * share                      # (N,W)
    phase = rng.uniform(0, 2 * np.pi, N)
    season = 1 + 0.2 * np.sin(2 * np.pi * np.arange(T)[None, :] / 13 + phase[:, None])  # (N,T)

    sku_item = np.repeat(np.arange(N), W)
    sku_wh = np.tile(np.arange(W), N)
    dm = d_mean[sku_item, sku_wh]                         # (K,)
    demand = np.round(dm[:, None] * season[sku_item], 1)  # (K,T)

    primary = rng.integers(0, S, N)
    family_other = np.where(primary % 2 == 0, primary + 1, primary - 1)
    has_second = (rng.random(N) < 0.3) & (family_other < S)
    lead = rng.integers(1, 5, N)
    packs = np.array([1, 2, 6, 12, 24, 48])
    per_wh = weekly / W                                                # mean weekly demand of a SKU
    fit = np.maximum(per_wh * rng.uniform(0.25, 1.0, N), 1.0)          # a case is at most a week
    case = packs[np.searchsorted(packs, fit, side="right") - 1]
    moq = case * np.maximum(1, np.floor(per_wh * rng.uniform(1, 4, N) / case)).astype(int)
    late_start = rng.random(N) < 1 / 3

    rows = []
    for src_kind in ("primary", "second"):
        sel = np.ones(N, dtype=bool) if src_kind == "primary" else has_second
        it = np.nonzero(sel)[0]
        k_it = np.repeat(it, W)
        w_it = np.tile(np.arange(W), len(it))
        d_k = d_mean[k_it, w_it]
        cap = np.maximum(np.ceil(3 * d_k), 2 * moq[k_it])
        maxo = np.where(rng.random(len(k_it)) < 0.5, np.maximum(np.ceil(12 * d_k), 2 * moq[k_it]), np.nan)
        frame = pd.DataFrame({
            "item_id": items[k_it], "location_id": whs[w_it],
            "supplier_id": sups[primary[k_it]] if src_kind == "primary" else sups[family_other[k_it]],
            "unit_cost": cost[k_it] if src_kind == "primary" else np.round(cost[k_it] * 1.08, 2),
            "lead_time_periods": lead[k_it] if src_kind == "primary" else np.maximum(lead[k_it] - 1, 0),
            "size_minimum": moq[k_it].astype(float), "size_multiple": case[k_it],
            "size_maximum": maxo, "capacity_per_period": cap,
            "priority": 1 if src_kind == "primary" else 2,
            "first_period": np.nan if src_kind == "primary" else np.where(late_start[k_it], 2.0, np.nan),
            "last_period": np.nan,
        })
        rows.append(frame)
    sources = pd.concat(rows, ignore_index=True)

    z = float(stats.norm.ppf(0.95))
    ss = np.round(z * 0.4 * dm * np.sqrt(lead[sku_item] + 1), 1)
    on_hand = np.round(dm * rng.uniform(0.5, 4, len(dm)))
    skus = pd.DataFrame({
        "item_id": items[sku_item], "location_id": whs[sku_wh], "on_hand": on_hand,
        "unit_volume_m3": vol[sku_item], "holding_cost": np.round(cost[sku_item] * 0.25 / 52, 4),
        "shortage_cost": np.round(2.0 * cost[sku_item], 2),
        "safety_stock_penalty": np.round(0.05 * cost[sku_item], 4), "service_level": 0.95})
    K = len(skus)
    dem = pd.DataFrame({
        "item_id": np.repeat(skus["item_id"].to_numpy(), T),
        "location_id": np.repeat(skus["location_id"].to_numpy(), T),
        "period": np.tile(np.arange(T), K), "qty": demand.ravel(),
        "safety_stock": np.repeat(ss, T)})
    open_sel = rng.random(K) < 0.2
    receipts = pd.DataFrame({"item_id": skus["item_id"][open_sel].to_numpy(),
                             "location_id": skus["location_id"][open_sel].to_numpy(), "period": 1,
                             "qty": np.round(dm[open_sel] * rng.uniform(1, 2, int(open_sel.sum())))})
    suppliers = pd.DataFrame({"supplier_id": sups, "order_cost": np.round(rng.uniform(100, 400, S), 0)})
    off = rng.random(S) < 0.25
    holidays = pd.DataFrame({"supplier_id": sups[off], "period": rng.integers(1, max(T - 1, 2), int(off.sum()))})
    wh_vol = np.zeros(W)
    np.add.at(wh_vol, sku_wh, vol[sku_item] * (ss + 2 * dm))
    warehouses = pd.DataFrame({"location_id": whs, "capacity_volume_m3": np.round(volume_factor * wh_vol, 2)})
    budget = budget_factor * float(np.sum(dm * cost[sku_item]))
    return ReplenishmentProblem(
        skus=skus, demand=dem, sources=sources, suppliers=suppliers, n_periods=T, receipts=receipts,
        holidays=holidays, warehouses=warehouses, budget_per_period=tuple([round(budget, 2)] * T),
        start_date=pd.Timestamp(start_date))
