"""Replenishment stage: planning data + quantile forecasts → proposed purchase-order lines.

``plan_replenishment(data, forecasts, as_of, horizon_weeks, service_level=0.95, options=None)``
builds a :class:`optimizer.replenishment.ReplenishmentProblem`, solves it with
:func:`optimizer.replenishment.solve_replenishment` and returns one row per proposed PO line.

Periods
-------
Weeks counted from the day after ``as_of`` (as the pipeline's forecasts are labelled): period t
covers ``[as_of + 1 + 7t, as_of + 8 + 7t)`` and an order of period t is placed on its first day.
Forecast buckets of any width (daily, weekly, monthly) are spread evenly over their days and
summed into weeks; a bucket's variance, read from its quantiles as
``σ = (p90 − p10) / (2·z₀.₉)``, is spread the same way (independent days).

Demand at sales locations → warehouses
--------------------------------------
Forecasts are at stores / regions. Each sales location is served by the warehouse of the
**cheapest lane** in ``itemdistributions`` (origin warehouse → destination), an item-specific
lane before an all-items lane (blank ``item_id``), ties broken by fewer transit days, then by
warehouse id. A store with no lane of its own uses its parent region's (``locations.parent_id``,
walked up the hierarchy). A forecast at a warehouse stays there. A sales location no lane
reaches is an error naming it.

What the optimizer gets
-----------------------
* safety stock per warehouse and week: ``z(service_level)·sqrt(Σ_{L+R} σ_t² + D̄²σ_L²)`` over the
  protection interval lead time + one review week (Chopra & Meindl's random-lead-time formula,
  as in :func:`optimizer.policies.order_up_to_from_quantiles`), L and σ_L from the preferred
  (priority, then cost) source;
* holding cost per unit and week ``unit_cost·holding_rate_per_year/52``; a lost sale costs the
  item's price (at least its unit cost); a unit-week below safety stock costs
  ``h·SL/(1 − SL)`` — the newsvendor underage cost whose critical ratio is the service level;
* sourcing from ``itemsuppliers``: a blank destination applies to every warehouse (its weekly
  capacity shared between them), a row for a specific warehouse replaces the blank one for that
  warehouse; lead time rounded up to whole weeks; effective dates → first/last order week;
* stock ``buffers.on_hand``; ``buffers.on_order`` is assumed to arrive half-way through the
  preferred source's lead time (the expected remaining lead time of an order placed uniformly
  in the past);
* warehouse volume ``locations.capacity_volume_m3``; supplier PO cost ``suppliers.order_cost``;
  an optional budget per week and supplier holidays from the options.

Output columns
--------------
``item_id, location_id`` (warehouse), ``supplier_id``, ``order_date``, ``due_date`` (Timestamps),
``qty`` [units], ``unit_cost``, ``line_cost``, ``case_packs`` and the reason columns of
``optimizer/replenishment/reasons.py``: ``stockout_date_prevented``, ``safety_stock``,
``service_level``, ``shaped_by``, ``reason``. ``frame.attrs`` holds ``objective``, ``gap``,
``status``, ``warnings`` and ``costs`` of the solve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from optimizer.replenishment import ReplenishmentProblem, ReplenishOptions, solve_replenishment
from scenarios.datasets.planning_data import PlanningData

Z_90 = float(stats.norm.ppf(0.9))
FORECAST_COLUMNS = ("item_id", "location_id", "date", "mean", "p10", "p90")


@dataclass(frozen=True)
class ReplenishPlanOptions:
    """``budget_per_week`` purchase value allowed per week (None = no budget);
    ``review_period_weeks`` R of the protection interval; ``safety_stock_mode`` soft|hard;
    ``holidays`` frame ``supplier_id, date`` (weeks containing the date take no orders);
    ``solve`` the optimizer's options."""

    budget_per_week: float | None = None
    review_period_weeks: float = 1.0
    safety_stock_mode: str = "soft"
    holidays: pd.DataFrame | None = None
    solve: ReplenishOptions = field(default_factory=ReplenishOptions)


def serving_warehouse(data: PlanningData, locations: list[str], item_id: str | None = None) -> dict[str, str]:
    """Sales location → warehouse of its cheapest lane (see the module docstring)."""
    lanes = data.itemdistributions
    kinds = data.locations.set_index("location_id")["type"].to_dict()
    parent = data.locations.set_index("location_id")["parent_id"].to_dict()
    wh = set(data.warehouses()["location_id"])
    lanes = lanes[lanes["origin_id"].isin(wh)]
    if item_id is not None:
        lanes = lanes[lanes["item_id"].isna() | (lanes["item_id"] == item_id)]
    lanes = lanes.assign(_generic=lanes["item_id"].isna()).sort_values(
        ["_generic", "cost_per_unit", "transit_days", "origin_id"])
    best = lanes.drop_duplicates("destination_id").set_index("destination_id")["origin_id"].to_dict()
    out = {}
    for loc in locations:
        if kinds.get(loc) == "warehouse":
            out[loc] = loc
            continue
        node, seen = loc, set()
        while node is not None and node not in best and node not in seen:
            seen.add(node)
            p = parent.get(node)
            node = p if isinstance(p, str) else None
        if node is None or node not in best:
            what = f" for item {item_id}" if item_id else ""
            raise ValueError(f"no lane in itemdistributions from any warehouse reaches sales location {loc}{what} "
                             f"(nor its parent regions); add a warehouse -> {loc} lane")
        out[loc] = best[node]
    return out


def _weekly(forecasts: pd.DataFrame, start: pd.Timestamp, T: int) -> pd.DataFrame:
    """Forecast rows spread over their days and summed into weeks: item, location, period,
    mean, var."""
    fc = forecasts.copy()
    fc["date"] = pd.to_datetime(fc["date"])
    for col in ("mean", "p10", "p90"):
        vals = pd.to_numeric(fc[col], errors="coerce")
        bad = vals.isna() | (vals < 0)
        if bad.any():
            r = fc[bad].iloc[0]
            raise ValueError(f"forecasts: {col} must be a number >= 0 (item {r['item_id']} at "
                             f"{r['location_id']}, {r['date'].date()}: got {r[col]!r})")
        fc[col] = vals
    if (fc["p90"] < fc["p10"]).any():
        r = fc[fc["p90"] < fc["p10"]].iloc[0]
        raise ValueError(f"forecasts: p90 < p10 for item {r['item_id']} at {r['location_id']}, {r['date'].date()}")
    dates = np.sort(fc["date"].unique())
    width = int(max(1, np.median(np.diff(dates)).astype("timedelta64[D]").astype(int))) if len(dates) > 1 else 7
    sigma = (fc["p90"] - fc["p10"]) / (2 * Z_90)
    rep = np.repeat(np.arange(len(fc)), width)
    offs = np.tile(np.arange(width), len(fc))
    day = fc["date"].to_numpy()[rep] + offs.astype("timedelta64[D]")
    period = ((day - np.datetime64(start)) // np.timedelta64(7, "D")).astype(int)
    keep = (period >= 0) & (period < T)
    out = pd.DataFrame({"item_id": fc["item_id"].to_numpy()[rep][keep],
                        "location_id": fc["location_id"].to_numpy()[rep][keep],
                        "period": period[keep],
                        "mean": (fc["mean"].to_numpy() / width)[rep][keep],
                        "var": ((sigma.to_numpy() ** 2) / width)[rep][keep]})
    return out.groupby(["item_id", "location_id", "period"], as_index=False)[["mean", "var"]].sum()


def _sources(data: PlanningData, skus: pd.DataFrame, start: pd.Timestamp, T: int) -> pd.DataFrame:
    isup = data.itemsuppliers
    pairs = skus[["item_id", "location_id"]]
    specific = isup[isup["location_id"].notna()].merge(pairs, on=["item_id", "location_id"])
    generic = isup[isup["location_id"].isna()].drop(columns=["location_id"]).merge(pairs, on="item_id")
    generic = generic.merge(specific[["item_id", "supplier_id", "location_id"]], how="left", indicator=True,
                            on=["item_id", "supplier_id", "location_id"])
    generic = generic[generic["_merge"] == "left_only"].drop(columns="_merge")
    generic["capacity_key"] = generic["item_id"] + "|" + generic["supplier_id"]
    specific = specific.assign(capacity_key=np.nan)
    src = pd.concat([specific, generic], ignore_index=True)

    def week_of(d, how):
        if pd.isna(d):
            return np.nan
        days = (pd.Timestamp(d) - start).days / 7.0
        return float(math.ceil(days) if how == "first" else math.floor(days))

    return pd.DataFrame({
        "item_id": src["item_id"], "location_id": src["location_id"], "supplier_id": src["supplier_id"],
        "unit_cost": src["unit_cost"].astype(float),
        "lead_time_periods": np.ceil(src["lead_time_days"].astype(float) / 7.0 - 1e-9).astype(int),
        "lead_time_days": src["lead_time_days"].astype(float),
        "lead_time_std_days": src["lead_time_std_days"].astype(float).fillna(0.0),
        "size_minimum": src["size_minimum"].astype(float), "size_multiple": src["size_multiple"].astype(float),
        "size_maximum": src["size_maximum"].astype(float), "capacity_per_period": src["capacity_per_week"].astype(float),
        "capacity_key": src["capacity_key"], "priority": src["priority"].astype(float),
        "first_period": [week_of(d, "first") for d in src["effective_start"]],
        "last_period": [week_of(d, "last") for d in src["effective_end"]],
    })


def build_problem(data: PlanningData, forecasts: pd.DataFrame, as_of, horizon_weeks: int,
                  service_level: float = 0.95,
                  options: ReplenishPlanOptions | None = None) -> ReplenishmentProblem:
    """The optimizer's input for this data set (see the module docstring)."""
    options = options or ReplenishPlanOptions()
    if not (isinstance(horizon_weeks, (int, np.integer)) and horizon_weeks >= 1):
        raise ValueError(f"horizon_weeks must be a whole number >= 1 (got {horizon_weeks!r})")
    if not 0 < service_level < 1:
        raise ValueError(f"service_level must be strictly between 0 and 1 (got {service_level!r})")
    missing = [c for c in FORECAST_COLUMNS if c not in forecasts.columns]
    if missing:
        raise ValueError(f"forecasts: missing column(s) {', '.join(missing)}")
    T = int(horizon_weeks)
    start = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
    weekly = _weekly(forecasts, start, T)
    wh_of = {}
    for item, locs in weekly.groupby("item_id")["location_id"].unique().items():
        for loc, w in serving_warehouse(data, list(locs), item).items():
            wh_of[(item, loc)] = w
    weekly["location_id"] = [wh_of[(i, loc)] for i, loc in zip(weekly["item_id"], weekly["location_id"])]
    weekly = weekly.groupby(["item_id", "location_id", "period"], as_index=False)[["mean", "var"]].sum()

    items = data.items.set_index("item_id")
    unknown = sorted(set(weekly["item_id"]) - set(items.index))
    if unknown:
        raise ValueError(f"forecasts: item(s) {unknown[:5]} are not in items")
    skus = weekly[["item_id", "location_id"]].drop_duplicates().reset_index(drop=True)
    sources = _sources(data, skus, start, T)
    # the preferred source's lead time drives the protection interval
    pref = sources.sort_values(["priority", "unit_cost"]).drop_duplicates(["item_id", "location_id"])
    pref = skus.merge(pref, on=["item_id", "location_id"], how="left")
    full = (pd.MultiIndex.from_product([range(len(skus)), range(T)], names=["sku", "period"]).to_frame(index=False))
    full["item_id"] = skus["item_id"].to_numpy()[full["sku"]]
    full["location_id"] = skus["location_id"].to_numpy()[full["sku"]]
    full = full.merge(weekly, on=["item_id", "location_id", "period"], how="left").fillna({"mean": 0.0, "var": 0.0})
    mean = full["mean"].to_numpy().reshape(len(skus), T)
    var = full["var"].to_numpy().reshape(len(skus), T)
    lead_w = (pref["lead_time_days"].fillna(0.0) / 7.0).to_numpy()
    slt_w = (pref["lead_time_std_days"].fillna(0.0) / 7.0).to_numpy()
    horizon = lead_w + options.review_period_weeks
    z = float(stats.norm.ppf(service_level))
    ss = np.zeros_like(mean)
    for t in range(T):
        m_sum = np.zeros(len(skus))
        v_sum = np.zeros(len(skus))
        for j in range(int(np.ceil(horizon.max())) if len(skus) else 0):
            w = np.clip(horizon - j, 0.0, 1.0)
            col = min(t + j, T - 1)  # past the horizon: the last week's forecast
            m_sum += w * mean[:, col]
            v_sum += w * var[:, col]
        d_bar = np.where(horizon > 0, m_sum / np.maximum(horizon, 1e-9), 0.0)
        ss[:, t] = z * np.sqrt(v_sum + (d_bar * slt_w) ** 2)
    demand = full[["item_id", "location_id", "period"]].assign(qty=mean.ravel(), safety_stock=np.round(ss.ravel(), 3))

    it = items.reindex(skus["item_id"])
    unit_cost = it["unit_cost"].to_numpy(dtype=float)
    holding = unit_cost * it["holding_rate_per_year"].to_numpy(dtype=float) / 52.0
    buffers = data.buffers.set_index(["item_id", "location_id"])
    idx = pd.MultiIndex.from_frame(skus)
    on_hand = buffers["on_hand"].reindex(idx).fillna(0.0).to_numpy(dtype=float)
    on_order = buffers["on_order"].reindex(idx).fillna(0.0).to_numpy(dtype=float)
    skus_frame = skus.assign(
        on_hand=on_hand, unit_volume_m3=it["unit_volume_m3"].to_numpy(dtype=float), holding_cost=holding,
        shortage_cost=np.maximum(it["price"].to_numpy(dtype=float), unit_cost),
        safety_stock_penalty=holding * service_level / (1 - service_level), service_level=service_level)
    arrive = np.minimum(np.ceil(lead_w / 2.0), T - 1).astype(int)
    receipts = skus.assign(period=arrive, qty=on_order)
    receipts = receipts[receipts["qty"] > 0]
    whs = data.warehouses()[["location_id", "capacity_volume_m3"]]
    holidays = None
    if options.holidays is not None and len(options.holidays):
        h = options.holidays
        holidays = pd.DataFrame({"supplier_id": h["supplier_id"],
                                 "period": ((pd.to_datetime(h["date"]) - start).dt.days // 7).astype(int)})
    budget = None if options.budget_per_week is None else tuple([float(options.budget_per_week)] * T)
    return ReplenishmentProblem(
        skus=skus_frame, demand=demand, sources=sources, suppliers=data.suppliers[["supplier_id", "order_cost"]],
        n_periods=T, receipts=receipts, holidays=holidays, warehouses=whs, budget_per_period=budget,
        safety_stock_mode=options.safety_stock_mode, start_date=start, period_days=7)


def plan_replenishment(data: PlanningData, forecasts: pd.DataFrame, as_of, horizon_weeks: int,
                       service_level: float = 0.95, options: ReplenishPlanOptions | None = None, *,
                       budget_per_week: float | None = None, **_ignored) -> pd.DataFrame:
    """Proposed purchase-order lines (columns in the module docstring). ``budget_per_week``
    overrides ``options.budget_per_week`` (the pipeline passes the scenario's budget)."""
    options = options or ReplenishPlanOptions()
    if budget_per_week is not None:
        options = ReplenishPlanOptions(budget_per_week=budget_per_week,
                                       review_period_weeks=options.review_period_weeks,
                                       safety_stock_mode=options.safety_stock_mode,
                                       holidays=options.holidays, solve=options.solve)
    problem = build_problem(data, forecasts, as_of, horizon_weeks, service_level, options)
    result = solve_replenishment(problem, options.solve)
    lines = result.lines.copy()
    lines["order_date"] = pd.to_datetime(lines["order_date"])
    lines["due_date"] = pd.to_datetime(lines["due_date"])
    lines["stockout_date_prevented"] = pd.to_datetime(lines["stockout_date_prevented"])
    cols = ["item_id", "location_id", "supplier_id", "order_date", "due_date", "qty", "unit_cost", "line_cost",
            "case_packs", "stockout_date_prevented", "safety_stock", "service_level", "shaped_by", "reason"]
    out = lines[cols].reset_index(drop=True)
    out.attrs.update({"objective": result.objective, "gap": result.gap, "status": result.status,
                      "warnings": list(result.warnings), "costs": dict(result.costs)})
    return out
