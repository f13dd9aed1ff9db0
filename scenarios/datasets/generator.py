"""Seeded generator for the supply side that real sales data sets lack.

Given any sales frame in the sales shape, :func:`generate_supply_side` returns every other data
file: items, locations (warehouses, regions, the sales locations as stores, a factory),
suppliers, sourcing, lanes, stock, events and presale campaigns. Same sales + same seed → the
same files, byte for byte.

What is generated, and how (all draws from ``numpy.random.default_rng(seed)``):

* **Locations.** Warehouses ``W1`` (East DC), ``W2`` (West DC), ``W3`` (Central DC); regions
  ``EAST``, ``WEST``, ``NORTH``, ``SOUTH``; every sales location becomes a ``store`` under a
  region (assigned in sorted order, round-robin); factory ``F1``. Warehouse volume capacity is
  1.5 × the volume of 8 weeks of the demand it serves nearest; outbound capacity 2 × its mean
  daily units.
* **Items.** One per sales item. ``price`` = the median sales price × pack size where the sales
  carry prices (Dominick's: $/oz × 64, 96 or 128 oz), else U(2, 20); ``unit_cost`` = price ×
  U(0.55, 0.70); ``unit_volume_m3`` = 0.0019 m³ per 64 oz; ``holding_rate_per_year`` 0.25.
* **Suppliers and sourcing.** Suppliers ``S1``..``S4`` with order cost U(50, 150). Each item gets
  a primary supplier (priority 1; lead time 7, 10, 14 or 21 days; spread 20% of it) and, for
  half of the items, a second source (priority 2; 15% dearer; lead time 60% of the primary's).
  Case pack 6, 8 or 12; MOQ 2–6 case packs; weekly capacity 3 × the item's mean weekly demand.
* **Lanes.** Warehouse → store: 1 day and 0.20 per unit inside the warehouse's own region,
  2–3 days and 0.35–0.60 per unit otherwise; warehouse → warehouse transfers 2 days, 0.30.
* **Stock.** On hand at each warehouse: 3–7 weeks of the demand it serves nearest; nothing on
  order.
* **Events.** 618 (June 18) and Double 11 (November 11) each year of the sales span, with an
  expected demand factor 1.5 and 2.0; Christmas as a holiday.
* **Presale campaigns.** ``n_presale_items`` new items (category of a random existing item,
  lifecycle ``presale``), each with two closed past campaigns and one open campaign whose
  deposit window is running at the end of the sales history. Daily deposits follow a front-
  and end-loaded curve (Poisson draws); conversion to final payment ~ Beta(16, 4) (mean 0.8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WAREHOUSES = (("W1", "East DC", "EAST"), ("W2", "West DC", "WEST"), ("W3", "Central DC", "NORTH"))
REGIONS = ("EAST", "WEST", "NORTH", "SOUTH")
# Dominick's orange juice brands (bayesm documentation): pack size in ounces
OJ_SIZES_OZ = {"OJ02": 96, "OJ06": 96, "OJ11": 128}
OJ_NAMES = {
    "OJ01": "Tropicana Premium 64", "OJ02": "Tropicana Premium 96", "OJ03": "Florida's Natural 64",
    "OJ04": "Tropicana 64", "OJ05": "Minute Maid 64", "OJ06": "Minute Maid 96",
    "OJ07": "Citrus Hill 64", "OJ08": "Tree Fresh 64", "OJ09": "Florida Gold 64",
    "OJ10": "Dominick's 64", "OJ11": "Dominick's 128",
}
OJ_CATEGORY = {k: ("juice-store-brand" if k in ("OJ10", "OJ11") else
                   "juice-premium" if k in ("OJ01", "OJ02", "OJ03") else "juice-national")
               for k in OJ_NAMES}


def _weekly_demand(sales: pd.DataFrame) -> pd.DataFrame:
    """Mean units per week by item × sales location (whatever the sales frequency)."""
    span_days = (sales["date"].max() - sales["date"].min()).days
    step = sales.groupby(["item_id", "location_id"])["date"].apply(lambda d: d.sort_values().diff().median())
    bucket_days = float(np.nanmedian(step.dt.days.to_numpy())) if len(step) else 7.0
    weeks = max(span_days + bucket_days, 7.0) / 7.0
    out = sales.groupby(["item_id", "location_id"])["qty"].sum() / weeks
    return out.rename("weekly").reset_index()


def generate_supply_side(sales: pd.DataFrame, seed: int = 7, n_presale_items: int = 2) -> dict[str, pd.DataFrame]:
    """All data files but ``sales`` for the given sales frame (see the module docstring)."""
    rng = np.random.default_rng(seed)
    sales = sales.copy()
    sales["date"] = pd.to_datetime(sales["date"])
    weekly = _weekly_demand(sales)
    item_ids = sorted(sales["item_id"].unique())
    store_ids = sorted(sales["location_id"].unique())

    # -- locations
    store_region = {s: REGIONS[i % len(REGIONS)] for i, s in enumerate(store_ids)}
    region_home = {"EAST": "W1", "WEST": "W2", "NORTH": "W3", "SOUTH": "W3"}
    weekly["region"] = weekly["location_id"].map(store_region)
    weekly["home"] = weekly["region"].map(region_home)

    # -- items
    has_price = "price" in sales.columns and sales["price"].notna().any()
    med_price = sales.groupby("item_id")["price"].median() if has_price else pd.Series(dtype=float)
    items = []
    for item in item_ids:
        size_oz = OJ_SIZES_OZ.get(item, 64)
        if item in med_price.index and pd.notna(med_price[item]):
            p = float(med_price[item])
            price = round(p * size_oz, 2) if p < 1 else round(p, 2)  # Dominick's: $/oz
        else:
            price = round(float(rng.uniform(2, 20)), 2)
        items.append({
            "item_id": item, "name": OJ_NAMES.get(item, item),
            "category": OJ_CATEGORY.get(item, "general"),
            "unit_cost": round(price * float(rng.uniform(0.55, 0.70)), 2), "price": price,
            "unit_volume_m3": round(0.0019 * size_oz / 64, 5), "holding_rate_per_year": 0.25,
            "lifecycle": "active", "launch_date": sales.loc[sales["item_id"] == item, "date"].min(),
        })
    items = pd.DataFrame(items)

    vol = weekly.merge(items[["item_id", "unit_volume_m3"]], on="item_id")
    vol["m3"] = vol["weekly"] * vol["unit_volume_m3"]
    home_m3 = vol.groupby("home")["m3"].sum()
    home_units = weekly.groupby("home")["weekly"].sum()
    locations = [{"location_id": r, "name": r.title() + " region", "type": "region"} for r in REGIONS]
    for wid, name, _region in WAREHOUSES:
        locations.append({
            "location_id": wid, "name": name, "type": "warehouse",
            "capacity_volume_m3": round(1.5 * 8 * float(home_m3.get(wid, 1.0)) + 10, 1),
            "outbound_units_per_day": round(2 * float(home_units.get(wid, 7.0)) / 7 + 10, 0),
        })
    for s in store_ids:
        locations.append({"location_id": s, "name": f"Store {s}", "type": "store", "parent_id": store_region[s]})
    locations.append({"location_id": "F1", "name": "Contract factory", "type": "factory"})
    locations = pd.DataFrame(locations)

    # -- suppliers and sourcing
    suppliers = pd.DataFrame({"supplier_id": [f"S{i}" for i in range(1, 5)],
                              "name": ["Sunrise Citrus", "Valley Juice Co", "Coastal Packers", "Prime Beverages"],
                              "order_cost": np.round(rng.uniform(50, 150, 4), 0)})
    item_weekly = weekly.groupby("item_id")["weekly"].sum()
    sourcing = []
    for i, item in enumerate(item_ids):
        lt = float(rng.choice([7, 10, 14, 21]))
        case = int(rng.choice([6, 8, 12]))
        moq = case * int(rng.integers(2, 7))
        cap = max(float(np.ceil(3 * item_weekly.get(item, 1.0))), moq * 2.0)
        cost = float(items.loc[items["item_id"] == item, "unit_cost"].iloc[0])
        primary = f"S{i % 4 + 1}"
        sourcing.append({"item_id": item, "supplier_id": primary, "unit_cost": cost, "lead_time_days": lt,
                         "lead_time_std_days": round(0.2 * lt, 1), "size_minimum": float(moq),
                         "size_multiple": case, "capacity_per_week": cap, "priority": 1})
        if rng.random() < 0.5:
            sourcing.append({"item_id": item, "supplier_id": f"S{(i + 1) % 4 + 1}",
                             "unit_cost": round(cost * 1.15, 2), "lead_time_days": round(lt * 0.6),
                             "lead_time_std_days": round(0.12 * lt, 1), "size_minimum": float(moq),
                             "size_multiple": case, "capacity_per_week": cap, "priority": 2})
    itemsuppliers = pd.DataFrame(sourcing)

    # -- lanes
    lanes = []
    for wid, _name, wregion in WAREHOUSES:
        for s in store_ids:
            own = region_home[store_region[s]] == wid
            lanes.append({"origin_id": wid, "destination_id": s,
                          "transit_days": 1.0 if own else float(rng.integers(2, 4)),
                          "cost_per_unit": 0.20 if own else round(float(rng.uniform(0.35, 0.60)), 2)})
        for w2, _n, _r in WAREHOUSES:
            if w2 != wid:
                lanes.append({"origin_id": wid, "destination_id": w2, "transit_days": 2.0, "cost_per_unit": 0.30})
    itemdistributions = pd.DataFrame(lanes)

    # -- stock
    home_item = weekly.groupby(["home", "item_id"])["weekly"].sum()
    buffers = [{"item_id": item, "location_id": wid,
                "on_hand": float(np.round(home_item.get((wid, item), 0.0) * rng.uniform(3, 7))),
                "on_order": 0.0}
               for wid, _n, _r in WAREHOUSES for item in item_ids]
    buffers = pd.DataFrame(buffers)

    # -- events
    first, last = sales["date"].min(), sales["date"].max()
    events = []
    for year in range(first.year, last.year + 2):
        for eid, name, kind, month, day, span, factor in (
            ("618", "618 mid-year festival", "festival", 6, 18, 3, 1.5),
            ("D11", "Double 11", "festival", 11, 11, 3, 2.0),
            ("XMAS", "Christmas", "holiday", 12, 25, 1, None),
        ):
            start = pd.Timestamp(year, month, day) - pd.Timedelta(days=span - 1)
            events.append({"event_id": f"{eid}-{year}", "name": f"{name} {year}", "kind": kind,
                           "start_date": start, "end_date": pd.Timestamp(year, month, day),
                           "demand_factor": factor})
    events = pd.DataFrame(events)

    presales, deposits, new_items = _presale_campaigns(rng, items, last, n_presale_items)
    items = pd.concat([items, new_items], ignore_index=True)
    sourcing_new = [{"item_id": r["item_id"], "supplier_id": "S1", "unit_cost": r["unit_cost"],
                     "lead_time_days": 21.0, "lead_time_std_days": 3.0, "size_minimum": 500.0,
                     "size_multiple": 50, "capacity_per_week": 2000.0, "priority": 1}
                    for r in new_items.to_dict("records")]
    itemsuppliers = pd.concat([itemsuppliers, pd.DataFrame(sourcing_new)], ignore_index=True)
    return {"items": items, "locations": locations, "suppliers": suppliers,
            "itemsuppliers": itemsuppliers, "itemdistributions": itemdistributions,
            "buffers": buffers, "events": events, "presales": presales,
            "presale_deposits": deposits}


def _deposit_curve(rng, days: int, total_mean: float) -> np.ndarray:
    """Expected daily deposits: a launch spike, a slow middle and a last-day rush."""
    t = np.arange(days)
    shape = 3.0 * np.exp(-t / 2.0) + 1.0 + 4.0 * (t == days - 1)
    return rng.poisson(total_mean * shape / shape.sum()).astype(float)


def _presale_campaigns(rng, items: pd.DataFrame, last: pd.Timestamp, n_items: int):
    campaigns, deposits, new_items = [], [], []
    for k in range(1, n_items + 1):
        base = items.iloc[int(rng.integers(len(items)))]
        item_id = f"NEW{k:02d}"
        price = round(float(base["price"]) * 1.2, 2)
        new_items.append({"item_id": item_id, "name": f"New {base['name']}", "category": base["category"],
                          "unit_cost": round(price * 0.55, 2), "price": price,
                          "unit_volume_m3": base["unit_volume_m3"], "holding_rate_per_year": 0.25,
                          "lifecycle": "presale", "launch_date": last + pd.Timedelta(days=30)})
        for n, status in enumerate(("closed", "closed", "open")):
            # past campaigns end well before the history ends; the open one is mid-window
            dep_start = last - pd.Timedelta(days=14) if status == "open" else last - pd.Timedelta(days=200 * (2 - n) + 120)
            dep_end = dep_start + pd.Timedelta(days=20)
            fin_start = dep_end + pd.Timedelta(days=1)
            fin_end = fin_start + pd.Timedelta(days=3)
            total_mean = float(rng.uniform(800, 2000))
            daily = _deposit_curve(rng, 21, total_mean)
            dates = pd.date_range(dep_start, dep_end, freq="D")
            if status == "open":
                keep = dates <= last
                dates, daily = dates[keep], daily[keep]
            cancels = rng.binomial(daily.astype(int), 0.03).astype(float)
            cid = f"PS-{item_id}-{n + 1}"
            total = float(daily.sum() - cancels.sum())
            deposit = round(price * 0.1, 2)
            campaigns.append({
                "campaign_id": cid, "item_id": item_id, "location_id": "W1",
                "deposit_start": dep_start, "deposit_end": dep_end, "final_start": fin_start,
                "final_end": fin_end, "deposit_amount": deposit, "deposit_value": round(deposit * 2, 2),
                "final_discount": round(price * 0.05, 2), "price": price, "status": status,
                "deposits_total": total if status == "closed" else np.nan,
                "final_payments": float(rng.binomial(int(total), rng.beta(16, 4))) if status == "closed" else np.nan,
            })
            deposits.extend({"campaign_id": cid, "date": d, "deposits": q, "cancellations": c}
                            for d, q, c in zip(dates, daily, cancels))
    return pd.DataFrame(campaigns), pd.DataFrame(deposits), pd.DataFrame(new_items)
