"""The KPIs the business steers by — each defined once, here, with its formula.

Every function is pure: numbers or arrays in, a number (or a small frozen dataclass) out. The
simulation, the backtest, the planning run, the alerts and the API all call these functions;
nothing else in stockpilot re-derives a KPI.

Symbols (per item-location *i* and day *t*; arrays are shaped ``(series, days)`` where noted)

==================  ===========================================================  ==========
symbol              meaning                                                      unit
==================  ===========================================================  ==========
``D[i,t]``          demand                                                       units
``F[i,t]``          demand filled from stock on the day it occurs                units
``L[i,t]``          demand lost (lost-sales mode)                                units
``B[i,t]``          backlog at the end of the day (backorder mode)               units
``I[i,t]``          stock on hand at the end of the day                         units
``P[i,t]``          stock in transit / on order at the end of the day            units
``c[i]``            unit cost                                                    currency/unit
``T``               number of days in the measured period                        days
==================  ===========================================================  ==========

Conventions: an empty denominator gives ``nan`` (a KPI that is undefined — e.g. fill rate with
no demand — is not reported as 0 or 1).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

#: Default "no sale in N days" window of the slow-moving stock rate.
SLOW_MOVING_DAYS = 90


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den > 0 else float("nan")


# ------------------------------------------------------------------------------ stock and flow
def inventory_turnover_days(avg_inventory_value: float, cogs: float, days: float) -> float:
    """Inventory turnover days (days of supply held, DIO).

    ``turnover_days = avg_inventory_value / (cogs / days)``

    where ``avg_inventory_value`` = mean over the period of Σ_i c[i]·I[i,t] (currency),
    ``cogs`` = Σ_i,t c[i]·F'[i,t] the cost of the units shipped to customers in the period
    (currency; ``F'`` counts backlog fills too) and ``days`` = T. Lower is leaner.

    >>> inventory_turnover_days(avg_inventory_value=6000.0, cogs=36500.0, days=365)
    60.0
    """
    if days <= 0:
        raise ValueError(f"days must be positive, got {days}")
    return _ratio(avg_inventory_value, cogs / days)


def slow_moving_rate(stock_value, days_since_last_sale, n_days: int = SLOW_MOVING_DAYS) -> float:
    """Slow-moving (stale) stock rate: the share of stock value sitting at item-locations that
    have had no sale in the last ``n_days`` days.

    ``slow_moving_rate = Σ_i v[i]·1[s[i] >= N] / Σ_i v[i]``

    with ``v[i] = c[i]·I[i]`` the stock value and ``s[i]`` the days since the last sale of the
    item at that location (``inf`` if it never sold). Arrays may carry extra leading dimensions
    (e.g. weekly snapshots): all entries are pooled.

    >>> slow_moving_rate([100.0, 300.0, 600.0], [10, 90, 200])
    0.9
    """
    v = np.asarray(stock_value, dtype=float)
    s = np.asarray(days_since_last_sale, dtype=float)
    if n_days <= 0:
        raise ValueError(f"n_days must be positive, got {n_days}")
    return _ratio(float(v[s >= n_days].sum()), float(v.sum()))


def aged_stock_rate(on_hand, receipts_last_n_days, unit_cost) -> float:
    """Aged stock rate (FIFO): the share of stock value received more than N days ago.

    Under first-in-first-out consumption the units still on hand are the newest ones, so the
    units older than N days are ``a[i] = max(0, I[i] − R_N[i])`` where ``R_N[i]`` is the
    quantity received in the last N days. ``aged_stock_rate = Σ c[i]·a[i] / Σ c[i]·I[i]``.
    It complements :func:`slow_moving_rate` where every item sells every week and only the
    *amount* of stock, not the absence of sales, makes it stale.

    >>> aged_stock_rate([100.0, 50.0], [40.0, 80.0], [1.0, 2.0])
    0.3
    """
    i = np.asarray(on_hand, dtype=float)
    r = np.asarray(receipts_last_n_days, dtype=float)
    c = np.broadcast_to(np.asarray(unit_cost, dtype=float), i.shape)
    aged = np.maximum(i - r, 0.0)
    return _ratio(float((c * aged).sum()), float((c * i).sum()))


# ----------------------------------------------------------------------------------- service
def fill_rate(demand, filled) -> float:
    """Fill rate (type-2 service, β): the share of demanded units filled from stock on the day
    they are demanded. ``fill_rate = Σ F / Σ D``.

    >>> fill_rate([10, 10, 5], [10, 6, 5])
    0.84
    """
    return _ratio(float(np.sum(filled)), float(np.sum(demand)))


def cycle_service_level(cycle_stocked_out) -> float:
    """Cycle service level (type-1 service, α): the share of replenishment cycles — the time
    between two consecutive receipts of an item-location — with no stock-out.
    ``csl = 1 − (#cycles with unmet demand) / (#cycles)``.

    >>> cycle_service_level([False, False, True, False])
    0.75
    """
    flags = np.asarray(cycle_stocked_out, dtype=bool)
    return 1.0 - _ratio(float(flags.sum()), float(flags.size)) if flags.size else float("nan")


def stockout_days(demand, filled) -> float:
    """Stock-out days: item-location-days on which some demand was not filled from stock,
    ``Σ_i,t 1[F[i,t] < D[i,t]]``. Divide by the number of item-locations for the mean per
    series (what :func:`summarize` reports as ``stockout_days``).

    >>> stockout_days([[5, 5, 0], [3, 3, 3]], [[5, 2, 0], [0, 3, 3]])
    2.0
    """
    d = np.asarray(demand, dtype=float)
    f = np.asarray(filled, dtype=float)
    return float(np.sum(f < d - 1e-9))


def lost_sales(lost) -> float:
    """Lost sales in units: ``Σ L`` (demand turned away in lost-sales mode; in backorder mode
    use the backlog still open at the end).

    >>> lost_sales([0, 4, 1.5])
    5.5
    """
    return float(np.sum(lost))


# ---------------------------------------------------------------------------------- money
@dataclass(frozen=True)
class CostBreakdown:
    """Total cost and its parts, in currency over the measured period.

    * ``purchase``  = Σ (units received × unit cost)
    * ``ordering``  = Σ over purchase orders of the supplier's fixed order cost (lines of one
      supplier to one location on one day form one order)
    * ``holding``   = Σ_i,t c[i]·h[i]/365·I[i,t] with h the holding rate per year
    * ``transport`` = Σ units shipped × lane cost per unit
    * ``shortage``  = Σ lost units × unit margin (price − unit cost) + Σ_t B[i,t] × backorder
      penalty per unit-day
    * ``total``     = the sum of the five
    """

    purchase: float
    ordering: float
    holding: float
    transport: float
    shortage: float

    @property
    def total(self) -> float:
        return self.purchase + self.ordering + self.holding + self.transport + self.shortage

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "total": self.total}


def total_cost(purchase: float = 0.0, ordering: float = 0.0, holding: float = 0.0,
               transport: float = 0.0, shortage: float = 0.0) -> CostBreakdown:
    """Total cost = purchase + ordering + holding + transport + shortage (see
    :class:`CostBreakdown` for each term).

    >>> total_cost(purchase=1000, ordering=50, holding=20.5, transport=10, shortage=4).total
    1084.5
    """
    parts = dict(purchase=purchase, ordering=ordering, holding=holding, transport=transport,
                 shortage=shortage)
    for name, value in parts.items():
        if value < 0 or not np.isfinite(value):
            raise ValueError(f"cost {name} must be a finite non-negative number, got {value}")
    return CostBreakdown(**{k: float(v) for k, v in parts.items()})


def holding_cost(on_hand, unit_cost, holding_rate_per_year) -> float:
    """Holding cost ``Σ_i,t I[i,t]·c[i]·h[i]/365`` (arrays ``(series, days)`` and ``(series,)``).

    >>> holding_cost([[365.0, 365.0]], [2.0], [0.25])
    1.0
    """
    i = np.atleast_2d(np.asarray(on_hand, dtype=float))
    rate = np.asarray(unit_cost, dtype=float) * np.asarray(holding_rate_per_year, dtype=float) / 365.0
    return float((i * rate.reshape(-1, 1)).sum())


def average_working_capital(on_hand, in_transit, unit_cost) -> float:
    """Average working capital tied up in inventory: the mean over days of the value of stock
    on hand plus stock in transit (owned once shipped by the supplier),
    ``(1/T) Σ_t Σ_i c[i]·(I[i,t] + P[i,t])`` (arrays ``(series, days)``).

    >>> average_working_capital([[10, 20]], [[5, 5]], [2.0])
    40.0
    """
    i = np.atleast_2d(np.asarray(on_hand, dtype=float))
    p = np.atleast_2d(np.asarray(in_transit, dtype=float))
    c = np.asarray(unit_cost, dtype=float).reshape(-1, 1)
    days = i.shape[1]
    if days == 0:
        return float("nan")
    return float(((i + p) * c).sum() / days)


def average_inventory_value(on_hand, unit_cost) -> float:
    """Mean over days of Σ_i c[i]·I[i,t] (the numerator of turnover days).

    >>> average_inventory_value([[10, 30], [0, 4]], [1.0, 5.0])
    30.0
    """
    i = np.atleast_2d(np.asarray(on_hand, dtype=float))
    c = np.asarray(unit_cost, dtype=float).reshape(-1, 1)
    return float((i * c).sum() / i.shape[1]) if i.shape[1] else float("nan")


# ------------------------------------------------------------------------------ process KPIs
@dataclass(frozen=True)
class CycleTime:
    """Replenishment cycle time in days, mean over the lines that reached each stage.

    ``need_to_release`` = released − need date (how long a need waits for a purchase order),
    ``release_to_ack`` = acknowledged − released (supplier response time),
    ``ack_to_receipt`` = received − acknowledged, and ``total`` = received − need date
    (over lines with both dates)."""

    need_to_release: float
    release_to_ack: float
    ack_to_receipt: float
    total: float
    lines: int


def replenishment_cycle_time(lines) -> CycleTime:
    """Replenishment cycle time (need → PO released → acknowledged → received).

    ``lines`` is a DataFrame with datetime columns ``need_date, released_date,
    acknowledged_date, received_date`` (blank where a line has not reached that stage). Each
    stage is the mean of ``(later − earlier)`` in days over the lines having both dates.
    """
    import pandas as pd

    need = ("need_date", "released_date", "acknowledged_date", "received_date")
    missing = [c for c in need if c not in lines.columns]
    if missing:
        raise ValueError(f"replenishment_cycle_time: lines lack column(s) {missing}")
    frame = lines[list(need)].apply(pd.to_datetime)

    def mean_days(a: str, b: str) -> float:
        delta = (frame[b] - frame[a]).dropna().dt.total_seconds() / 86400.0
        if (delta < 0).any():
            raise ValueError(f"replenishment_cycle_time: {b} before {a} on some line")
        return float(delta.mean()) if len(delta) else float("nan")

    return CycleTime(mean_days("need_date", "released_date"),
                     mean_days("released_date", "acknowledged_date"),
                     mean_days("acknowledged_date", "received_date"),
                     mean_days("need_date", "received_date"), int(len(frame)))


def presale_share(presale_units: float, total_units: float) -> float:
    """Presale share: the share of demand (units) sold through presale campaigns (paid
    deposits converted to orders) rather than from stock, ``presale_units / total_units``.

    >>> presale_share(200, 1000)
    0.2
    """
    if presale_units < 0 or total_units < 0:
        raise ValueError("presale_share: units must be non-negative")
    if presale_units > total_units:
        raise ValueError("presale_share: presale units exceed total units")
    return _ratio(presale_units, total_units)


#: The KPIs of a simulated or planned period, in the order reports print them, with units.
KPI_UNITS = {
    "fill_rate": "share", "cycle_service_level": "share", "stockout_days": "days per item-location",
    "lost_sales_units": "units", "turnover_days": "days", "slow_moving_rate": "share",
    "aged_stock_rate": "share", "avg_inventory_value": "currency",
    "avg_working_capital": "currency", "cycle_time_days": "days", "presale_share": "share",
    "cost_purchase": "currency", "cost_ordering": "currency", "cost_holding": "currency",
    "cost_transport": "currency", "cost_shortage": "currency", "total_cost": "currency",
}
