"""From planning data to simulated series: which warehouse serves each sales location, the
daily demand each warehouse sees, and the series set-up (costs, lead times, terms, stock).

Simulated series are **item × warehouse**: stock sits in warehouses (the ``buffers`` file) and
sales happen at stores / regions. Each sales location is served by the open warehouse with the
cheapest lane to it (``itemdistributions``: lowest ``cost_per_unit``, then ``transit_days``);
while that warehouse is closed (an ``events`` row of kind ``closure`` naming it) the next
cheapest open one serves it, and the closed warehouse neither ships nor receives.

Sales are buckets (weekly for Dominick's): a bucket's units are spread evenly over its days
(its length is the median gap between consecutive sales dates). The replayed demand is what
was sold — censored by the stock-outs of the day, as all recorded sales are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scenarios.datasets.planning_data import PlanningData


def bucket_days(sales: pd.DataFrame) -> int:
    """Length of one sales bucket in days (median gap between consecutive dates of a series)."""
    dates = pd.DatetimeIndex(sorted(pd.to_datetime(sales["date"]).unique()))
    if len(dates) < 2:
        return 1
    gaps = np.diff(dates.values).astype("timedelta64[D]").astype(int)
    return max(int(np.median(gaps)), 1)


def history_end(data: PlanningData) -> pd.Timestamp:
    """The last day the sales history covers (last bucket start + bucket length − 1)."""
    if data.sales.empty:
        raise ValueError("the data has no sales history")
    return data.sales["date"].max() + pd.Timedelta(days=bucket_days(data.sales) - 1)


def serving_ranks(data: PlanningData) -> pd.DataFrame:
    """``location_id, warehouse_id, rank`` (0 = preferred) for every sales location."""
    wh = set(data.warehouses()["location_id"])
    lanes = data.itemdistributions
    lanes = lanes[lanes["origin_id"].isin(wh) & lanes["item_id"].isna()]
    out = []
    for loc in sorted(data.sales["location_id"].unique()):
        if loc in wh:
            out.append({"location_id": loc, "warehouse_id": loc, "rank": 0})
            continue
        options = lanes[lanes["destination_id"] == loc].sort_values(
            ["cost_per_unit", "transit_days", "origin_id"], kind="stable")
        if options.empty:
            raise ValueError(f"sales location {loc}: no lane from any warehouse "
                             "(itemdistributions needs a warehouse -> location row)")
        out.extend({"location_id": loc, "warehouse_id": o, "rank": r, "cost_per_unit": c}
                   for r, (o, c) in enumerate(zip(options["origin_id"], options["cost_per_unit"])))
    return pd.DataFrame(out)


def closures(data: PlanningData, dates: pd.DatetimeIndex, locations: list[str]) -> np.ndarray:
    """(locations, days) boolean: closed that day (events of kind ``closure``)."""
    if data.events.empty:
        return np.zeros((len(locations), len(dates)), bool)
    ev = data.events[data.events["kind"] == "closure"]
    mask = np.zeros((len(locations), len(dates)), bool)
    pos = {loc: i for i, loc in enumerate(locations)}
    for row in ev.itertuples(index=False):
        if row.location_id in pos:
            mask[pos[row.location_id]] |= (dates >= row.start_date) & (dates <= row.end_date)
    return mask


def daily_demand(data: PlanningData, start, end) -> tuple[pd.DataFrame, pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """Daily demand per item × warehouse between ``start`` and ``end`` (inclusive).

    Returns ``(keys, dates, demand, closed)``: keys with ``item_id, location_id`` (warehouse),
    ``demand`` (series, days) in units and ``closed`` (series, days).
    """
    dates = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D")
    if len(dates) == 0:
        raise ValueError(f"empty period {start} .. {end}")
    sales = data.sales
    width = bucket_days(sales)
    ranks = serving_ranks(data)
    warehouses = sorted(ranks["warehouse_id"].unique())
    shut = closures(data, dates, warehouses)
    wpos = {w: i for i, w in enumerate(warehouses)}
    items = sorted(sales["item_id"].unique())
    ipos = {it: i for i, it in enumerate(items)}
    cube = np.zeros((len(items), len(warehouses), len(dates)))
    day0 = dates[0]
    rank_lists = {loc: list(g.sort_values("rank")["warehouse_id"]) for loc, g in ranks.groupby("location_id")}
    s = sales[(sales["date"] + pd.Timedelta(days=width - 1) >= dates[0]) & (sales["date"] <= dates[-1])]
    for (loc, item), g in s.groupby(["location_id", "item_id"]):
        daily = np.zeros(len(dates))
        for d, q in zip(g["date"], g["qty"]):
            a = (d - day0).days
            lo, hi = max(a, 0), min(a + width, len(dates))
            if hi > lo:
                daily[lo:hi] += q / width
        order = [wpos[w] for w in rank_lists[loc]]
        # the serving warehouse each day: the first open one in rank order
        serving = np.full(len(dates), order[0])
        taken = np.zeros(len(dates), bool)
        for w in order:
            pick = ~taken & ~shut[w]
            serving[pick] = w
            taken |= pick
        # no open warehouse at all: the preferred (closed) one keeps it and cannot serve it
        for w in order:
            sel = serving == w
            cube[ipos[item], w, sel] += daily[sel]
    keys = pd.DataFrame([(it, w) for it in items for w in warehouses], columns=["item_id", "location_id"])
    demand = cube.reshape(len(items) * len(warehouses), len(dates))
    closed = np.tile(shut, (len(items), 1))
    return keys, dates, demand, closed


def daily_promo(data: PlanningData, start, end) -> np.ndarray:
    """(series, days) share of the sales locations behind each item × warehouse that were on
    promotion that day (series and days as in :func:`daily_demand`; 0 without a promo column)."""
    sales = data.sales
    if "promo" not in sales.columns or sales["promo"].isna().all():
        keys, dates, d, _ = daily_demand(data, start, end)
        return np.zeros_like(d)
    on = data.replace(sales=sales.assign(qty=sales["promo"].fillna(0.0)))
    cnt = data.replace(sales=sales.assign(qty=1.0))
    _, _, num, _ = daily_demand(on, start, end)
    _, _, den, _ = daily_demand(cnt, start, end)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)


def series_setup(data: PlanningData, keys: pd.DataFrame, on_hand: pd.Series | None = None,
                 as_of=None) -> pd.DataFrame:
    """Set-up rows (see :mod:`scenarios.simulation.engine`) for item × warehouse ``keys``.

    Sourcing: the priority-1 (then cheapest) ``itemsuppliers`` row effective on ``as_of`` for
    the item and that warehouse (or any destination). Transport cost: the mean lane cost from
    the warehouse to the sales locations that prefer it. Initial stock: ``on_hand`` (indexed
    by ``(item_id, location_id)``) or the ``buffers`` file (0 where absent).
    """
    items = data.items.set_index("item_id")
    sup = data.itemsuppliers.copy()
    for col in ("location_id", "lead_time_std_days", "effective_start", "effective_end"):
        if col not in sup.columns:   # optional columns of frames built in code
            sup[col] = np.nan
    for col in ("effective_start", "effective_end"):
        sup[col] = pd.to_datetime(sup[col])
    if as_of is not None:
        t = pd.Timestamp(as_of)
        sup = sup[(sup["effective_start"].isna() | (sup["effective_start"] <= t))
                  & (sup["effective_end"].isna() | (sup["effective_end"] >= t))]
    order_cost = data.suppliers.set_index("supplier_id")["order_cost"]
    ranks = serving_ranks(data)
    pref = ranks[ranks["rank"] == 0]
    lane_cost = pref.groupby("warehouse_id")["cost_per_unit"].mean() if "cost_per_unit" in pref else pd.Series(dtype=float)
    stock = data.buffers.set_index(["item_id", "location_id"])["on_hand"] if on_hand is None else on_hand
    rows = []
    for item, wh in zip(keys["item_id"], keys["location_id"]):
        if item not in items.index:
            raise ValueError(f"item {item}: not in items")
        cand = sup[(sup["item_id"] == item) & (sup["location_id"].isna() | (sup["location_id"] == wh))]
        if cand.empty:
            raise ValueError(f"item {item} at {wh}: no supplier (itemsuppliers has no effective row)")
        best = cand.sort_values(["priority", "unit_cost", "supplier_id"], kind="stable").iloc[0]
        it = items.loc[item]
        rows.append({
            "item_id": item, "location_id": wh, "supplier_id": best["supplier_id"],
            "unit_cost": float(best["unit_cost"]), "price": float(it["price"]),
            "lead_time_days": float(best["lead_time_days"]),
            "lead_time_std_days": float(best["lead_time_std_days"]) if pd.notna(best["lead_time_std_days"]) else 0.0,
            "size_minimum": float(best["size_minimum"]), "size_multiple": float(best["size_multiple"]),
            "order_cost": float(order_cost.get(best["supplier_id"], 0.0)),
            "holding_rate_per_year": float(it["holding_rate_per_year"]),
            "transport_cost_per_unit": float(lane_cost.get(wh, 0.0)) if pd.notna(lane_cost.get(wh, 0.0)) else 0.0,
            "initial_on_hand": float(stock.get((item, wh), 0.0)),
        })
    return pd.DataFrame(rows)
