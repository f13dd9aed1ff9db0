"""From a simulation trace to the KPIs of :mod:`scenarios.kpis` (the only place they are defined).

:func:`summarize` computes every KPI over the measured days (after the warm-up) for all series
together, or per Monte Carlo replication (``by_rep=True``). Slow-moving and aged stock are
averaged over weekly snapshots (every 7th measured day) rather than read on one day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scenarios import kpis
from scenarios.simulation.engine import SimulationResult


def _days_since_last_sale(shipped: np.ndarray) -> np.ndarray:
    """(series, days): days since the last day with shipments (a sale on day 0 is assumed)."""
    n, days = shipped.shape
    t = np.arange(days, dtype=float)
    last = np.where(shipped > 1e-9, t, -np.inf)
    last[:, 0] = 0.0
    last = np.maximum.accumulate(last, axis=1)
    return t - last


def _receipts_last(received: np.ndarray, initial: np.ndarray, n_days: int) -> np.ndarray:
    """(series, days): units received in the last ``n_days`` days (the initial stock counts as
    received on day 0)."""
    r = received.copy()
    r[:, 0] += initial
    c = np.cumsum(r, axis=1)
    shifted = np.zeros_like(c)
    shifted[:, n_days:] = c[:, :-n_days] if n_days < c.shape[1] else 0.0
    return c - shifted


def _ordering_cost(result: SimulationResult, rows: np.ndarray, start: int) -> float:
    setup = result.setup.iloc[rows]
    placed = result.ordered[rows, start:] > 0
    total = 0.0
    groups = setup.groupby(["rep", "supplier_id", "location_id"], sort=False).indices
    for idx in groups.values():
        orders = placed[idx].any(axis=0).sum()
        total += float(orders) * float(setup["order_cost"].iloc[idx].max())
    return total


def _summarize_rows(result: SimulationResult, rows: np.ndarray, slow_moving_days: int,
                    presale_units: float) -> dict[str, float]:
    s = result.setup.iloc[rows]
    w = result.config.warmup_days
    if w >= result.demand.shape[1]:
        raise ValueError("warmup_days leaves no measured day")
    sl = (rows, slice(w, None))
    demand, filled, shipped = result.demand[rows, w:], result.filled[rows, w:], result.shipped[rows, w:]
    on_hand, on_order = result.on_hand[rows, w:], result.on_order[rows, w:]
    cost = s["unit_cost"].to_numpy()
    days = demand.shape[1]
    avg_inv = kpis.average_inventory_value(on_hand, cost)
    cogs = float((shipped * cost[:, None]).sum())

    snap = np.arange(w, result.demand.shape[1], 7)
    since = _days_since_last_sale(result.shipped[rows])[:, snap]
    recent = _receipts_last(result.received[rows], result.initial_on_hand[rows], slow_moving_days)[:, snap]
    oh_snap = result.on_hand[rows][:, snap]

    lost = result.lost[sl]
    backlog = result.backlog[sl]
    costs = kpis.total_cost(
        purchase=float((result.received[sl] * cost[:, None]).sum()),
        ordering=_ordering_cost(result, rows, w),
        holding=kpis.holding_cost(on_hand, cost, s["holding_rate_per_year"].to_numpy()),
        transport=float((shipped * s["transport_cost_per_unit"].to_numpy()[:, None]).sum()),
        shortage=float((lost * s["shortage_cost_per_unit"].to_numpy()[:, None]).sum()
                       + (backlog * s["backorder_cost_per_unit_day"].to_numpy()[:, None]).sum()),
    )
    orders = float(result.orders_count[rows].sum())
    total_demand = float(demand.sum())
    frac = s["presale_fraction"].to_numpy(float) if "presale_fraction" in s.columns else np.zeros(len(rows))
    presale_from_setup = float((demand.sum(axis=1) * frac).sum())
    return {
        "fill_rate": kpis.fill_rate(demand, filled),
        "cycle_service_level": 1.0 - (float(result.cycles_stocked_out[rows].sum())
                                      / float(result.cycles[rows].sum()))
        if result.cycles[rows].sum() > 0 else float("nan"),
        "stockout_days": kpis.stockout_days(demand, filled) / max(len(rows), 1),
        "lost_sales_units": kpis.lost_sales(lost),
        "turnover_days": kpis.inventory_turnover_days(avg_inv, cogs, days),
        "slow_moving_rate": kpis.slow_moving_rate(oh_snap * cost[:, None], since, slow_moving_days),
        "aged_stock_rate": kpis.aged_stock_rate(oh_snap, recent, cost[:, None]),
        "avg_inventory_value": avg_inv,
        "avg_working_capital": kpis.average_working_capital(on_hand, on_order, cost),
        "cycle_time_days": float(result.lead_time_days_sum[rows].sum()) / orders if orders else float("nan"),
        "presale_share": kpis.presale_share(min(presale_units + presale_from_setup, total_demand), total_demand)
        if total_demand > 0 else float("nan"),
        "cost_purchase": costs.purchase, "cost_ordering": costs.ordering,
        "cost_holding": costs.holding, "cost_transport": costs.transport,
        "cost_shortage": costs.shortage, "total_cost": costs.total,
    }


def summarize(result: SimulationResult, slow_moving_days: int = kpis.SLOW_MOVING_DAYS,
              by_rep: bool = False, presale_units: float = 0.0) -> dict[str, float] | pd.DataFrame:
    """Every KPI of the trace: a dict (all series pooled), or with ``by_rep`` a DataFrame with
    one row per replication. The presale share counts ``presale_units`` (per replication) plus,
    where the set-up has a ``presale_fraction`` column, that share of each series' demand."""
    if slow_moving_days < 1:
        raise ValueError("slow_moving_days must be >= 1")
    reps = result.setup["rep"].to_numpy()
    if not by_rep:
        return _summarize_rows(result, np.arange(len(reps)), slow_moving_days, presale_units)
    out = [{"rep": int(r), **_summarize_rows(result, np.flatnonzero(reps == r), slow_moving_days,
                                             presale_units)}
           for r in np.unique(reps)]
    return pd.DataFrame(out)


def series_kpis(result: SimulationResult) -> pd.DataFrame:
    """Per item-location: fill rate, stock-out days, mean on hand and turnover days."""
    w = result.config.warmup_days
    d, f = result.demand[:, w:], result.filled[:, w:]
    oh, sh = result.on_hand[:, w:], result.shipped[:, w:]
    days = d.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        fr = np.where(d.sum(1) > 0, f.sum(1) / d.sum(1), np.nan)
        turn = np.where(sh.sum(1) > 0, oh.mean(1) / (sh.sum(1) / days), np.nan)
    return pd.DataFrame({
        "item_id": result.setup["item_id"], "location_id": result.setup["location_id"],
        "rep": result.setup["rep"], "fill_rate": fr, "stockout_days": (f < d - 1e-9).sum(1),
        "lost_units": result.lost[:, w:].sum(1), "mean_on_hand": oh.mean(1), "turnover_days": turn,
    })
