"""Alerts a planner acts on, computed from the planning data as of a date.

Every alert is a row ``type, severity, item_id, location_id, message`` (plus ``value`` and
``threshold``, the numbers behind it). Severities: ``high`` (act today), ``medium``, ``low``.

====================  ========================================================================
type                  rule (defaults in :class:`AlertConfig`)
====================  ========================================================================
projected_stockout    item × warehouse: stock on hand + on order runs out within
                      ``stockout_horizon_days`` at the forecast (else trailing) daily demand;
                      ``high`` when that is sooner than the item's lead time (a new order
                      cannot arrive in time)
excess_stock          cover = (on hand + on order) / daily demand > ``excess_cover_days``
slow_moving           stock on hand at an item × warehouse none of whose sales locations sold
                      the item in the last ``slow_moving_days`` days
turnover_above        turnover days (stock value / daily cost of sales over the last 90 days)
                      above ``turnover_threshold_days``
new_item_stall        an item launched ``stall_check_day``..``new_item_window_days`` days ago
                      whose cumulative sales are below ``stall_ratio`` × what its category's
                      launch curve expects, given its first-week sales (see
                      :func:`category_launch_curve`)
supplier_late_ack     a released purchase order not acknowledged after ``late_ack_days``
supplier_rejected     a purchase order rejected by the supplier (``high``), or confirmed below
                      ``short_confirm_ratio`` of the quantity asked (``medium``)
supplier_late_receipt an accepted order past its due date and not received
demand_drop           item × sales location: last week's sales below ``(1 − drop_ratio)`` ×
                      the mean of the ``drop_baseline_weeks`` weeks before (baseline at least
                      ``drop_min_weekly_units``); ``low`` when a promotion in the
                      baseline weeks has ended (the drop is expected)
====================  ========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scenarios.datasets.planning_data import PlanningData

ALERT_COLUMNS = ["type", "severity", "item_id", "location_id", "message", "value", "threshold"]
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class AlertConfig:
    stockout_horizon_days: int = 28
    excess_cover_days: float = 120.0
    slow_moving_days: int = 90
    turnover_threshold_days: float = 60.0
    new_item_window_days: int = 30
    stall_check_day: int = 15
    stall_ratio: float = 0.7
    late_ack_days: float = 2.0
    short_confirm_ratio: float = 0.9
    drop_ratio: float = 0.5
    drop_baseline_weeks: int = 8
    drop_min_weekly_units: float = 20.0
    trailing_days: int = 56

    def __post_init__(self):
        for name in ("stockout_horizon_days", "excess_cover_days", "slow_moving_days",
                     "turnover_threshold_days", "new_item_window_days", "stall_check_day",
                     "drop_baseline_weeks", "trailing_days"):
            if getattr(self, name) <= 0:
                raise ValueError(f"alert config: {name} must be positive")
        for name in ("stall_ratio", "short_confirm_ratio", "drop_ratio"):
            if not 0 < getattr(self, name) < 1:
                raise ValueError(f"alert config: {name} must be in (0, 1)")
        if self.stall_check_day >= self.new_item_window_days:
            raise ValueError("alert config: stall_check_day must be before new_item_window_days")


def _alert(type_, severity, item, loc, message, value=np.nan, threshold=np.nan) -> dict:
    return {"type": type_, "severity": severity, "item_id": item, "location_id": loc,
            "message": message, "value": float(value), "threshold": float(threshold)}


def _daily_sales(data: PlanningData, as_of: pd.Timestamp) -> pd.DataFrame:
    """Sales up to ``as_of`` spread over the days of their bucket: item_id, location_id, date, qty."""
    from scenarios.simulation.network import bucket_days

    s = data.sales[data.sales["date"] <= as_of]
    if s.empty:
        return s[["item_id", "location_id", "date", "qty"]]
    width = bucket_days(data.sales)
    if width == 1:
        return s[["item_id", "location_id", "date", "qty"]]
    rep = s.loc[s.index.repeat(width), ["item_id", "location_id", "date", "qty"]].copy()
    rep["date"] = rep["date"] + pd.to_timedelta(np.tile(np.arange(width), len(s)), unit="D")
    rep["qty"] = rep["qty"] / width
    return rep[rep["date"] <= as_of]


def _warehouse_view(data: PlanningData, as_of: pd.Timestamp, cfg: AlertConfig,
                    forecasts: pd.DataFrame | None) -> pd.DataFrame:
    """Per item × warehouse: on hand, on order, daily demand, last sale, cost, lead time."""
    from scenarios.simulation.network import serving_ranks

    ranks = serving_ranks(data)
    home = ranks[ranks["rank"] == 0].set_index("location_id")["warehouse_id"]
    daily = _daily_sales(data, as_of)
    daily = daily.assign(warehouse=daily["location_id"].map(home))
    recent = daily[daily["date"] > as_of - pd.Timedelta(days=cfg.trailing_days)]
    rate = recent.groupby(["item_id", "warehouse"])["qty"].sum() / cfg.trailing_days
    last = daily[daily["qty"] > 0].groupby(["item_id", "warehouse"])["date"].max()
    cogs_window = daily[daily["date"] > as_of - pd.Timedelta(days=90)]
    sold90 = cogs_window.groupby(["item_id", "warehouse"])["qty"].sum()
    if forecasts is not None and not forecasts.empty:
        fc = forecasts.assign(warehouse=forecasts["location_id"].map(home).fillna(forecasts["location_id"]))
        fc = fc[pd.to_datetime(fc["date"]) > as_of - pd.Timedelta(days=7)]
        span = max((pd.to_datetime(fc["date"]).max() - pd.to_datetime(fc["date"]).min()).days + 7, 7)
        rate = fc.groupby(["item_id", "warehouse"])["mean"].sum() / span
    buf = data.buffers.copy()
    buf["on_order"] = buf["on_order"].fillna(0.0)
    items = data.items.set_index("item_id")
    lead = data.itemsuppliers.sort_values("priority").groupby("item_id")["lead_time_days"].first()
    rows = []
    for b in buf.itertuples(index=False):
        key = (b.item_id, b.location_id)
        rows.append({"item_id": b.item_id, "location_id": b.location_id, "on_hand": b.on_hand,
                     "on_order": b.on_order, "daily_demand": float(rate.get(key, 0.0)),
                     "last_sale": last.get(key, pd.NaT), "sold_90d": float(sold90.get(key, 0.0)),
                     "unit_cost": float(items["unit_cost"].get(b.item_id, np.nan)),
                     "lead_time_days": float(lead.get(b.item_id, np.nan))})
    return pd.DataFrame(rows)


def stock_alerts(data: PlanningData, as_of, cfg: AlertConfig = AlertConfig(),
                 forecasts: pd.DataFrame | None = None) -> list[dict]:
    """Projected stock-out, excess, slow-moving and turnover alerts per item × warehouse."""
    as_of = pd.Timestamp(as_of)
    view = _warehouse_view(data, as_of, cfg, forecasts)
    out = []
    for r in view.itertuples(index=False):
        stock = r.on_hand + r.on_order
        if r.daily_demand > 0:
            days_left = stock / r.daily_demand
            if days_left < cfg.stockout_horizon_days:
                when = (as_of + pd.Timedelta(days=int(days_left))).date()
                late = np.isfinite(r.lead_time_days) and days_left < r.lead_time_days
                out.append(_alert("projected_stockout", "high" if late else "medium", r.item_id, r.location_id,
                                  f"{r.item_id} at {r.location_id} runs out around {when} "
                                  f"({days_left:.0f} days of cover at {r.daily_demand:.0f} units/day"
                                  + (f"; lead time is {r.lead_time_days:.0f} days, order now or transfer)" if late else ")"),
                                  days_left, cfg.stockout_horizon_days))
            elif days_left > cfg.excess_cover_days:
                out.append(_alert("excess_stock", "medium" if days_left < 2 * cfg.excess_cover_days else "high",
                                  r.item_id, r.location_id,
                                  f"{r.item_id} at {r.location_id} holds {days_left:.0f} days of cover "
                                  f"(limit {cfg.excess_cover_days:.0f}); consider cancelling orders or transferring",
                                  days_left, cfg.excess_cover_days))
        if r.on_hand > 0:
            since = (as_of - r.last_sale).days if pd.notna(r.last_sale) else np.inf
            if since >= cfg.slow_moving_days:
                txt = f"no sale in {since:.0f} days" if np.isfinite(since) else "never sold"
                out.append(_alert("slow_moving", "medium", r.item_id, r.location_id,
                                  f"{r.item_id} at {r.location_id}: {r.on_hand:.0f} units on hand, {txt}",
                                  since, cfg.slow_moving_days))
            if r.sold_90d > 0:
                turnover = r.on_hand / (r.sold_90d / 90.0)
                if turnover > cfg.turnover_threshold_days:
                    out.append(_alert("turnover_above", "low", r.item_id, r.location_id,
                                      f"{r.item_id} at {r.location_id} turns in {turnover:.0f} days "
                                      f"(threshold {cfg.turnover_threshold_days:.0f})",
                                      turnover, cfg.turnover_threshold_days))
    return out


def category_launch_curve(data: PlanningData, category: str, as_of, window_days: int) -> np.ndarray | None:
    """Mean cumulative-sales curve of the first ``window_days`` days after launch of the
    category's items that have a full window of history before ``as_of``, each normalised to
    1 at the end of the window; ``None`` when no item qualifies."""
    as_of = pd.Timestamp(as_of)
    daily = _daily_sales(data, as_of)
    items = data.items[(data.items["category"] == category) & data.items["launch_date"].notna()]
    curves = []
    for item, launch in zip(items["item_id"], items["launch_date"]):
        if launch + pd.Timedelta(days=window_days) > as_of:
            continue
        s = daily[(daily["item_id"] == item) & (daily["date"] >= launch)
                  & (daily["date"] < launch + pd.Timedelta(days=window_days))]
        per_day = s.groupby((s["date"] - launch).dt.days)["qty"].sum().reindex(range(window_days), fill_value=0.0)
        cum = per_day.cumsum().to_numpy()
        if cum[-1] > 0:
            curves.append(cum / cum[-1])
    return np.mean(curves, axis=0) if curves else None


def new_item_alerts(data: PlanningData, as_of, cfg: AlertConfig = AlertConfig()) -> list[dict]:
    """Sell-through stalls of items launched ``stall_check_day``..``new_item_window_days`` ago.

    Expected cumulative sales at age ``a`` = (sales of the first 7 days) × curve(a) / curve(6)
    with the category's launch curve (a straight line when the category has no history)."""
    as_of = pd.Timestamp(as_of)
    out = []
    daily = _daily_sales(data, as_of)
    w = cfg.new_item_window_days
    for item, launch, cat in zip(data.items["item_id"], data.items["launch_date"], data.items["category"]):
        if pd.isna(launch):
            continue
        age = (as_of - launch).days
        if not cfg.stall_check_day <= age < w:
            continue
        s = daily[(daily["item_id"] == item) & (daily["date"] >= launch)]
        first_week = float(s[s["date"] < launch + pd.Timedelta(days=7)]["qty"].sum())
        actual = float(s["qty"].sum())
        curve = category_launch_curve(data, cat, as_of, w)
        if curve is None:
            curve = np.arange(1, w + 1) / w
        if curve[6] <= 0:
            continue
        expected = first_week * curve[age] / curve[6]
        if first_week <= 0:
            out.append(_alert("new_item_stall", "high", item, None,
                               f"new item {item} ({cat}) has sold nothing in its first week, day {age} after launch",
                               0.0, cfg.stall_ratio))
        elif actual < cfg.stall_ratio * expected:
            out.append(_alert("new_item_stall", "medium", item, None,
                              f"new item {item} ({cat}) sold {actual:.0f} units by day {age}; its category's "
                              f"launch curve expects {expected:.0f} from its first week",
                              actual / expected, cfg.stall_ratio))
    return out


def supplier_alerts(purchase_orders: pd.DataFrame | None, as_of, cfg: AlertConfig = AlertConfig()) -> list[dict]:
    """Late or rejected confirmations and late receipts.

    ``purchase_orders``: ``reference, item_id, location_id, supplier_id, status, order_date,
    due_date, quantity_proposed, quantity_confirmed`` (the operationplan columns); statuses as
    in the design (released → accepted | changed | rejected → shipped → received)."""
    if purchase_orders is None or purchase_orders.empty:
        return []
    as_of = pd.Timestamp(as_of)
    need = {"reference", "item_id", "location_id", "supplier_id", "status", "order_date", "due_date"}
    missing = need - set(purchase_orders.columns)
    if missing:
        raise ValueError(f"purchase_orders lacks column(s) {sorted(missing)}")
    out = []
    for r in purchase_orders.itertuples(index=False):
        ref = f"PO {r.reference} ({r.item_id}, supplier {r.supplier_id})"
        age = (as_of - pd.Timestamp(r.order_date)).days
        if r.status == "released" and age > cfg.late_ack_days:
            out.append(_alert("supplier_late_ack", "high" if age > 3 * cfg.late_ack_days else "medium",
                              r.item_id, r.location_id,
                              f"{ref} released {age} days ago and not acknowledged", age, cfg.late_ack_days))
        elif r.status == "rejected":
            out.append(_alert("supplier_rejected", "high", r.item_id, r.location_id,
                              f"{ref} rejected by the supplier; re-source or re-plan", 0.0, np.nan))
        elif r.status == "changed":
            asked = float(getattr(r, "quantity_proposed", np.nan))
            got = float(getattr(r, "quantity_confirmed", np.nan))
            if asked > 0 and np.isfinite(got) and got < cfg.short_confirm_ratio * asked:
                out.append(_alert("supplier_rejected", "medium", r.item_id, r.location_id,
                                  f"{ref} confirmed {got:.0f} of {asked:.0f} units", got / asked,
                                  cfg.short_confirm_ratio))
        if r.status in ("accepted", "changed", "shipped") and pd.Timestamp(r.due_date) < as_of:
            late = (as_of - pd.Timestamp(r.due_date)).days
            out.append(_alert("supplier_late_receipt", "high" if late > 7 else "medium", r.item_id,
                              r.location_id, f"{ref} due {pd.Timestamp(r.due_date).date()} and not received "
                              f"({late} days late)", late, 0.0))
    return out


def demand_drop_alerts(data: PlanningData, as_of, cfg: AlertConfig = AlertConfig()) -> list[dict]:
    """Sudden drops: the last week's sales against the mean of the weeks before."""
    as_of = pd.Timestamp(as_of)
    daily = _daily_sales(data, as_of)
    last_start = as_of - pd.Timedelta(days=6)
    base_start = last_start - pd.Timedelta(days=7 * cfg.drop_baseline_weeks)
    last = daily[daily["date"] >= last_start].groupby(["item_id", "location_id"])["qty"].sum()
    base = daily[(daily["date"] >= base_start) & (daily["date"] < last_start)]
    base = base.groupby(["item_id", "location_id"])["qty"].sum() / cfg.drop_baseline_weeks
    promo_ended = set()
    if "promo" in data.sales.columns and data.sales["promo"].notna().any():
        s = data.sales[data.sales["date"] <= as_of]
        had = s[(s["date"] >= base_start) & (s["date"] < last_start)].groupby(["item_id", "location_id"])["promo"].max()
        now_p = s[s["date"] >= last_start - pd.Timedelta(days=6)].groupby(["item_id", "location_id"])["promo"].max()
        promo_ended = {k for k, v in had.items() if v > 0 and not now_p.get(k, 0) > 0}
    out = []
    for key, b in base.items():
        if b < cfg.drop_min_weekly_units:
            continue
        now = float(last.get(key, 0.0))
        if now < (1 - cfg.drop_ratio) * b:
            ended = key in promo_ended
            severity = "low" if ended else ("high" if now == 0 else "medium")
            out.append(_alert("demand_drop", severity, key[0], key[1],
                              f"{key[0]} at {key[1]} sold {now:.0f} units in the week to {as_of.date()}, "
                              f"{(1 - now / b):.0%} below its {cfg.drop_baseline_weeks}-week average of {b:.0f}"
                              + ("; a promotion ended" if ended else ""),
                              now / b, 1 - cfg.drop_ratio))
    return out


def compute_alerts(data: PlanningData, as_of=None, cfg: AlertConfig = AlertConfig(),
                   forecasts: pd.DataFrame | None = None,
                   purchase_orders: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every alert as of ``as_of`` (default: the last day the sales history covers), most
    severe first."""
    from scenarios.simulation.network import history_end

    as_of = pd.Timestamp(as_of) if as_of is not None else history_end(data)
    rows = (stock_alerts(data, as_of, cfg, forecasts) + new_item_alerts(data, as_of, cfg)
            + supplier_alerts(purchase_orders, as_of, cfg) + demand_drop_alerts(data, as_of, cfg))
    frame = pd.DataFrame(rows, columns=ALERT_COLUMNS)
    if frame.empty:
        return frame
    frame["_s"] = frame["severity"].map(SEVERITY_ORDER)
    return (frame.sort_values(["_s", "type", "item_id", "location_id"], kind="stable", na_position="last")
            .drop(columns="_s").reset_index(drop=True))
