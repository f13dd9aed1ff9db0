"""Day-by-day inventory simulation of many item-locations at once.

The state of every series (item-location) is advanced one day at a time, all series together
as numpy vectors. A *policy* (see :mod:`scenarios.simulation.policies`) decides order
quantities on review days from what is known at the end of that day; the engine applies the
supplier's terms, draws lead times and short-shipments, and books receipts.

Timeline of day *t* (all series)
--------------------------------
1. **Receipts**: orders due on day *t* arrive (at a closed location they wait for the next
   open day). In backorder mode receipts first clear the backlog.
2. **Demand** ``D[t]`` is served from stock on hand: ``F[t] = min(D[t], I)``; the rest is
   lost (``lost_sales`` mode) or joins the backlog (``backorder`` mode). A closed location
   serves nothing.
3. **Review** (days with ``(t − review_offset_days) % review_period_days == 0``): the policy
   sees stock on hand, backlog, stock on order, the inventory position
   ``IP = I + P − B`` and the demand of days ``0..t`` — never later — and returns a quantity
   per series. Positive quantities are raised to the MOQ (``size_minimum``) and rounded up to
   the case pack (``size_multiple``). Each order's lead time is
   ``max(1, round(N(lead_time_days, lead_time_std_days²)))`` days (when ``random_lead_times``)
   and it arrives at the start of day ``t + lead time``. With probability
   ``short_ship_probability`` the supplier ships only a share ``U(short_ship_fill)`` of it
   (rounded down to whole units); the planner learns it on receipt.

Conservation (checked in the tests), per series over any span of days:
``net_start + receipts − demand = net_end`` with ``net = on_hand − backlog`` in backorder
mode, and ``on_hand_start + receipts − (demand − lost) = on_hand_end`` in lost-sales mode.

Series set-up (``setup`` DataFrame, one row per series)
-------------------------------------------------------
required: ``item_id, location_id, unit_cost, lead_time_days, initial_on_hand``;
optional (default): ``supplier_id`` (""), ``price`` (unit_cost), ``lead_time_std_days`` (0),
``size_minimum`` (0), ``size_multiple`` (1), ``order_cost`` (0, currency per purchase order —
the lines of one supplier to one location on one day form one order),
``holding_rate_per_year`` (0.25), ``transport_cost_per_unit`` (0), ``shortage_cost_per_unit``
(price − unit_cost, the lost margin), ``backorder_cost_per_unit_day`` (0),
``rep`` (0; Monte Carlo replication the row belongs to), ``presale_fraction`` (0; share of the
series' demand sold by presale, for the presale-share KPI).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MODES = ("lost_sales", "backorder")

SETUP_DEFAULTS = {
    "supplier_id": "", "lead_time_std_days": 0.0, "size_minimum": 0.0, "size_multiple": 1.0,
    "order_cost": 0.0, "holding_rate_per_year": 0.25, "transport_cost_per_unit": 0.0,
    "backorder_cost_per_unit_day": 0.0, "rep": 0,
}
SETUP_REQUIRED = ("item_id", "location_id", "unit_cost", "lead_time_days", "initial_on_hand")


@dataclass(frozen=True)
class SimulationConfig:
    """How to simulate. ``warmup_days`` are simulated but left out of the KPIs."""

    mode: str = "lost_sales"
    review_period_days: int = 7
    review_offset_days: int = 0
    random_lead_times: bool = True
    short_ship_probability: float = 0.0
    short_ship_fill: tuple[float, float] = (0.5, 0.9)
    warmup_days: int = 0
    seed: int = 0

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"simulation mode must be one of {MODES}, not {self.mode!r}")
        if self.review_period_days < 1:
            raise ValueError("review_period_days must be at least 1")
        if not 0 <= self.review_offset_days < self.review_period_days:
            raise ValueError("review_offset_days must be in [0, review_period_days)")
        if not 0 <= self.short_ship_probability <= 1:
            raise ValueError("short_ship_probability must be in [0, 1]")
        lo, hi = self.short_ship_fill
        if not 0 <= lo <= hi <= 1:
            raise ValueError("short_ship_fill must be (low, high) with 0 <= low <= high <= 1")
        if self.warmup_days < 0:
            raise ValueError("warmup_days must be >= 0")


@dataclass(frozen=True)
class ReviewContext:
    """What a policy sees on a review day (arrays over series, at the end of day ``day``)."""

    day: int
    date: pd.Timestamp
    on_hand: np.ndarray
    backlog: np.ndarray
    on_order: np.ndarray
    demand_to_date: np.ndarray  # (series, day + 1): days 0..day only

    @property
    def inventory_position(self) -> np.ndarray:
        return self.on_hand + self.on_order - self.backlog


@dataclass(frozen=True)
class SimulationResult:
    """Daily trace, arrays ``(series, days)``; ``setup`` is the validated set-up frame."""

    setup: pd.DataFrame
    dates: pd.DatetimeIndex
    config: SimulationConfig
    demand: np.ndarray
    filled: np.ndarray       # served from stock on the day of demand
    shipped: np.ndarray      # filled + backlog cleared that day
    lost: np.ndarray
    backlog: np.ndarray      # end of day
    on_hand: np.ndarray      # end of day
    on_order: np.ndarray     # end of day: ordered, not yet received
    received: np.ndarray
    ordered: np.ndarray      # quantity ordered that day (after MOQ / case-pack rounding)
    cycles: np.ndarray       # (series,) replenishment cycles closed after the warm-up
    cycles_stocked_out: np.ndarray
    lead_time_days_sum: np.ndarray  # (series,) realised lead times of orders after warm-up
    orders_count: np.ndarray
    short_shipped_units: np.ndarray
    initial_on_hand: np.ndarray
    extra: dict = field(default_factory=dict)


def prepare_setup(setup: pd.DataFrame) -> pd.DataFrame:
    """Check the set-up frame and fill optional columns with their defaults."""
    missing = [c for c in SETUP_REQUIRED if c not in setup.columns]
    if missing:
        raise ValueError(f"simulation setup lacks required column(s) {missing}")
    out = setup.reset_index(drop=True).copy()
    for col, default in SETUP_DEFAULTS.items():
        if col not in out.columns:
            out[col] = default
        out[col] = out[col].fillna(default) if col != "supplier_id" else out[col].fillna("")
    if "price" not in out.columns:
        out["price"] = out["unit_cost"]
    out["price"] = out["price"].fillna(out["unit_cost"])
    if "shortage_cost_per_unit" not in out.columns:
        out["shortage_cost_per_unit"] = np.nan
    out["shortage_cost_per_unit"] = out["shortage_cost_per_unit"].fillna(
        (out["price"] - out["unit_cost"]).clip(lower=0.0))
    for col in ("unit_cost", "lead_time_days", "initial_on_hand", "lead_time_std_days",
                "size_minimum", "order_cost", "holding_rate_per_year",
                "transport_cost_per_unit", "shortage_cost_per_unit",
                "backorder_cost_per_unit_day"):
        values = pd.to_numeric(out[col], errors="coerce")
        bad = values.isna() | (values < 0)
        if bad.any():
            row = out[bad].iloc[0]
            raise ValueError(f"simulation setup: {col} must be a number >= 0 "
                             f"(item {row['item_id']} at {row['location_id']}: {row[col]!r})")
        out[col] = values.astype(float)
    mult = pd.to_numeric(out["size_multiple"], errors="coerce")
    if (mult.isna() | (mult < 1)).any():
        row = out[mult.isna() | (mult < 1)].iloc[0]
        raise ValueError(f"simulation setup: size_multiple must be >= 1 (item {row['item_id']} "
                         f"at {row['location_id']}: {row['size_multiple']!r})")
    out["size_multiple"] = mult.astype(float)
    return out


def apply_terms(qty: np.ndarray, moq: np.ndarray, multiple: np.ndarray) -> np.ndarray:
    """Supplier terms: nothing, or at least the MOQ, in whole case packs."""
    q = np.where(qty > 1e-9, np.maximum(qty, moq), 0.0)
    return np.ceil(np.round(q / multiple, 9)) * multiple


def simulate(setup: pd.DataFrame, demand: np.ndarray, policy, config: SimulationConfig = SimulationConfig(),
             dates: pd.DatetimeIndex | None = None, closed: np.ndarray | None = None) -> SimulationResult:
    """Run the simulation; ``demand`` is ``(series, days)`` in units, ``closed`` an optional
    boolean mask of the same shape (location closed that day)."""
    setup = prepare_setup(setup)
    demand = np.asarray(demand, dtype=float)
    n, days = demand.shape if demand.ndim == 2 else (0, 0)
    if demand.ndim != 2 or n != len(setup):
        raise ValueError(f"demand must be (series, days) with {len(setup)} series, got {demand.shape}")
    if days == 0:
        raise ValueError("demand covers no days")
    if (demand < 0).any() or not np.isfinite(demand).all():
        raise ValueError("demand must be finite and >= 0")
    if dates is None:
        dates = pd.date_range("2000-01-01", periods=days, freq="D")
    if len(dates) != days:
        raise ValueError("dates must have one entry per demand day")
    closed = np.zeros((n, days), bool) if closed is None else np.asarray(closed, bool)
    rng = np.random.default_rng(config.seed)

    lt_mean = setup["lead_time_days"].to_numpy()
    lt_std = setup["lead_time_std_days"].to_numpy() if config.random_lead_times else np.zeros(n)
    moq = setup["size_minimum"].to_numpy()
    mult = setup["size_multiple"].to_numpy()
    max_lt = int(np.ceil(lt_mean.max() + 6 * lt_std.max())) + 2 if n else 2
    horizon = days + max_lt + 2
    due_expected = np.zeros((n, horizon))
    due_actual = np.zeros((n, horizon))

    on_hand = setup["initial_on_hand"].to_numpy().copy()
    backlog = np.zeros(n)
    on_order = np.zeros(n)
    trace = {k: np.zeros((n, days)) for k in ("filled", "shipped", "lost", "backlog", "on_hand",
                                                 "on_order", "received", "ordered")}
    cycles = np.zeros(n)
    cycles_out = np.zeros(n)
    in_cycle_out = np.zeros(n, bool)
    lt_sum = np.zeros(n)
    n_orders = np.zeros(n)
    short_units = np.zeros(n)
    rows = np.arange(n)
    backorder = config.mode == "backorder"

    for t in range(days):
        exp_t, act_t = due_expected[:, t].copy(), due_actual[:, t].copy()
        shut = closed[:, t]
        if shut.any():  # receipts wait for the next open day
            due_expected[shut, t + 1] += exp_t[shut]
            due_actual[shut, t + 1] += act_t[shut]
            exp_t[shut] = 0.0
            act_t[shut] = 0.0
        on_order -= exp_t
        on_hand += act_t
        got = act_t > 0
        if t >= config.warmup_days:
            cycles += got
            cycles_out += got & in_cycle_out
        in_cycle_out &= ~got
        shipped = np.zeros(n)
        if backorder:
            clear = np.where(shut, 0.0, np.minimum(on_hand, backlog))
            on_hand -= clear
            backlog -= clear
            shipped += clear
        d = demand[:, t]
        filled = np.where(shut, 0.0, np.minimum(d, on_hand))
        on_hand -= filled
        unmet = d - filled
        if backorder:
            backlog += unmet
            lost = np.zeros(n)
        else:
            lost = unmet
        shipped += filled
        in_cycle_out |= unmet > 1e-9

        if (t - config.review_offset_days) % config.review_period_days == 0 or getattr(policy, "every_day", False):
            ctx = ReviewContext(t, dates[t], on_hand.copy(), backlog.copy(), on_order.copy(),
                                demand[:, : t + 1])
            want = np.asarray(policy.order_quantities(ctx), dtype=float)
            if want.shape != (n,):
                raise ValueError(f"policy returned shape {want.shape}, expected ({n},)")
            q = apply_terms(np.nan_to_num(want, nan=0.0), moq, mult)
            lt = np.maximum(1, np.rint(lt_mean + lt_std * rng.standard_normal(n))).astype(int)
            short = rng.random(n) < config.short_ship_probability
            share = rng.uniform(*config.short_ship_fill, size=n) if config.short_ship_fill[1] > 0 else np.zeros(n)
            sent = np.where(short, np.floor(q * share), q)
            place = q > 0
            if place.any():
                due_expected[rows[place], t + lt[place]] += q[place]
                due_actual[rows[place], t + lt[place]] += sent[place]
                on_order += q
                if t >= config.warmup_days:
                    lt_sum += np.where(place, lt, 0)
                    n_orders += place
                    short_units += q - sent
            trace["ordered"][:, t] = q
        trace["filled"][:, t] = filled
        trace["shipped"][:, t] = shipped
        trace["lost"][:, t] = lost
        trace["backlog"][:, t] = backlog
        trace["on_hand"][:, t] = on_hand
        trace["on_order"][:, t] = on_order
        trace["received"][:, t] = act_t

    return SimulationResult(setup=setup, dates=pd.DatetimeIndex(dates), config=config, demand=demand,
                            cycles=cycles, cycles_stocked_out=cycles_out, lead_time_days_sum=lt_sum,
                            orders_count=n_orders, short_shipped_units=short_units,
                            initial_on_hand=setup["initial_on_hand"].to_numpy().copy(), **trace)
