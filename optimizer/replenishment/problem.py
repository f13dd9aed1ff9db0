"""Inputs and results of the purchase-order optimizer, and their validation.

All quantities are in units, costs in the data's currency, time in *periods* (weeks by
default: ``period_days = 7``); period 0 starts at ``start_date``.

Input frames (required columns; extra columns are ignored)
-----------------------------------------------------------
``skus`` — one row per item × warehouse that is planned:
    ``item_id, location_id, on_hand`` [units ≥ 0], ``unit_volume_m3`` [m³/unit ≥ 0],
    ``holding_cost`` [currency/(unit·period) ≥ 0], ``shortage_cost`` [currency per unit of
    demand lost, ≥ 0], ``safety_stock_penalty`` [currency/(unit·period) below the safety stock,
    ≥ 0], optional ``service_level`` (0..1, only reported in the reasons).
``demand`` — ``item_id, location_id, period, qty`` [mean demand, units ≥ 0] and
    ``safety_stock`` [target end-of-period stock, units ≥ 0]; missing rows mean 0.
``receipts`` — open orders: ``item_id, location_id, period, qty`` [units ≥ 0] arriving then.
``sources`` — who can supply a SKU: ``item_id, location_id, supplier_id, unit_cost``
    [currency/unit ≥ 0], ``lead_time_periods`` [whole periods ≥ 0: an order placed in t arrives
    at the start of t + L], ``size_minimum`` (MOQ) [units ≥ 0], ``size_multiple`` (case pack)
    [whole units ≥ 1], ``size_maximum`` [units > 0 or NaN = none], ``capacity_per_period``
    [units ≥ 0 or NaN = none], ``capacity_key`` (rows with the same key share that capacity;
    NaN = the row alone), ``priority`` [1 = preferred], ``first_period``/``last_period`` (order
    periods in which the sourcing is effective; NaN = open).
``suppliers`` — ``supplier_id, order_cost`` [currency per purchase order ≥ 0]. A purchase order
    is one supplier → one warehouse in one period (items share it: joint replenishment).
``holidays`` — ``supplier_id, period``: the supplier takes no orders in that period.
``warehouses`` — ``location_id, capacity_volume_m3`` [m³ ≥ 0 or NaN = none], the volume of
    end-of-period stock allowed.
``budget_per_period`` — purchase value allowed per order period (tuple of T numbers, or None).
``safety_stock_mode`` — ``"soft"`` (shortfalls below the target cost ``safety_stock_penalty``
    per unit and period) or ``"hard"`` (the target must hold from the first period an order
    can arrive; an impossible target is an explained infeasibility).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimizer.solver import InfeasibleError, SolverOptions

SKU_COLUMNS = ("item_id", "location_id", "on_hand", "unit_volume_m3", "holding_cost",
               "shortage_cost", "safety_stock_penalty")
DEMAND_COLUMNS = ("item_id", "location_id", "period", "qty", "safety_stock")
RECEIPT_COLUMNS = ("item_id", "location_id", "period", "qty")
SOURCE_COLUMNS = ("item_id", "location_id", "supplier_id", "unit_cost", "lead_time_periods",
                  "size_minimum", "size_multiple", "size_maximum", "capacity_per_period",
                  "priority")

#: Columns of :attr:`ReplenishmentResult.lines` (reasons documented in ``reasons.py``).
LINE_COLUMNS = ("item_id", "location_id", "supplier_id", "order_period", "due_period", "qty",
                "case_packs", "unit_cost", "line_cost", "order_date", "due_date",
                "stockout_date_prevented", "safety_stock", "service_level", "shaped_by", "reason")


class ReplenishmentInputError(ValueError):
    """Bad input: names the field, the entity and the rule."""


class ReplenishmentInfeasible(InfeasibleError):
    """The rules cannot all hold; ``conflicts`` are plain sentences naming item and rule."""

    def __init__(self, conflicts: list[str]):
        self.conflicts = list(conflicts)
        shown = "\n  ".join(self.conflicts[:20])
        more = f"\n  ... and {len(self.conflicts) - 20} more" if len(self.conflicts) > 20 else ""
        Exception.__init__(self, f"the replenishment plan is infeasible:\n  {shown}{more}")
        self.status = "infeasible"


@dataclass(frozen=True)
class ReplenishmentProblem:
    """See the module docstring for every frame's columns and units."""

    skus: pd.DataFrame
    demand: pd.DataFrame
    sources: pd.DataFrame
    suppliers: pd.DataFrame
    n_periods: int
    receipts: pd.DataFrame | None = None
    holidays: pd.DataFrame | None = None
    warehouses: pd.DataFrame | None = None
    budget_per_period: tuple[float, ...] | None = None
    safety_stock_mode: str = "soft"
    start_date: pd.Timestamp | None = None
    period_days: int = 7


@dataclass(frozen=True)
class ReplenishOptions:
    """How to solve: ``solver`` per subproblem (time limit and gap apply to each solve);
    ``decompose`` splits the model into independent supplier × warehouse components, priced
    together for the budget and warehouse volume (see ``decompose.py``); ``workers`` processes
    solve components in parallel; ``max_rounds`` bounds the price-adjustment rounds;
    ``time_budget_s`` stops further rounds once spent; ``priority_penalty`` is added per unit
    and priority step above 1 (a tie-breaker that prefers priority-1 sources)."""

    solver: SolverOptions = SolverOptions(time_limit_s=30.0, mip_gap=1e-4)
    decompose: bool = True
    workers: int = 2
    max_rounds: int = 4
    time_budget_s: float | None = 120.0
    priority_penalty: float = 1e-3
    explain_infeasible: bool = True


@dataclass(frozen=True)
class ReplenishmentResult:
    """``lines`` — proposed purchase-order lines (columns :data:`LINE_COLUMNS`);
    ``projection`` — per SKU and period: ``demand, receipts, arrivals, inventory, lost,
    safety_stock, below_safety_stock``; ``objective`` total cost; ``bound`` a proven lower
    bound; ``gap`` relative; ``costs`` the breakdown (purchase, holding, shortage,
    safety_stock_penalty, ordering); ``solves`` one dict per solve (component, status,
    objective, bound, gap, wall_s); ``warnings`` plain sentences."""

    lines: pd.DataFrame
    projection: pd.DataFrame
    objective: float
    bound: float | None
    gap: float | None
    status: str
    wall_s: float
    costs: dict = field(default_factory=dict)
    solves: tuple = ()
    warnings: tuple[str, ...] = ()
    rounds: int = 0


# ---------------------------------------------------------------------------- validation
def _need(frame: pd.DataFrame | None, name: str, cols) -> pd.DataFrame:
    if frame is None:
        raise ReplenishmentInputError(f"{name}: frame is required")
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ReplenishmentInputError(f"{name}: missing column(s) {', '.join(missing)}")
    return frame


def _entity(row) -> str:
    parts = [f"item {row['item_id']}"] if "item_id" in row else []
    if "location_id" in row:
        parts.append(f"at {row['location_id']}")
    if "supplier_id" in row:
        parts.append(f"from supplier {row['supplier_id']}")
    return " ".join(parts)


def _check_numbers(frame: pd.DataFrame, name: str, rules: dict[str, tuple[str, float]]) -> None:
    for col, (op, limit) in rules.items():
        if col not in frame.columns:
            continue
        vals = pd.to_numeric(frame[col], errors="coerce")
        present = frame[col].notna()
        bad_type = present & vals.isna()
        if op == ">=":
            bad = present & (vals < limit)
        elif op == ">":
            bad = present & (vals <= limit)
        else:  # "int>=": whole number >= limit
            bad = present & ((vals < limit) | (vals != np.floor(vals)))
        bad = bad | bad_type | (present & ~np.isfinite(vals.fillna(0)))
        if bad.any():
            row = frame[bad].iloc[0]
            rule = {"int>=": f"a whole number >= {limit:g}", ">=": f">= {limit:g}", ">": f"> {limit:g}"}[op]
            raise ReplenishmentInputError(
                f"{name}: {col} must be {rule} ({_entity(row)}, period {row.get('period', '-')}: "
                f"got {row[col]!r}; {int(bad.sum())} row(s) break this rule)")


def validate_problem(problem: ReplenishmentProblem) -> list[str]:
    """Raise :class:`ReplenishmentInputError` on bad input and
    :class:`ReplenishmentInfeasible` on conflicts visible before solving; return warnings."""
    T = problem.n_periods
    if not isinstance(T, (int, np.integer)) or T < 1:
        raise ReplenishmentInputError(f"n_periods must be a whole number >= 1 (got {T!r})")
    if problem.safety_stock_mode not in ("soft", "hard"):
        raise ReplenishmentInputError("safety_stock_mode must be 'soft' or 'hard'")
    skus = _need(problem.skus, "skus", SKU_COLUMNS)
    demand = _need(problem.demand, "demand", DEMAND_COLUMNS)
    sources = _need(problem.sources, "sources", SOURCE_COLUMNS)
    suppliers = _need(problem.suppliers, "suppliers", ("supplier_id", "order_cost"))
    if skus.duplicated(["item_id", "location_id"]).any():
        row = skus[skus.duplicated(["item_id", "location_id"])].iloc[0]
        raise ReplenishmentInputError(f"skus: duplicate row for {_entity(row)}")
    _check_numbers(skus, "skus", {"on_hand": (">=", 0), "unit_volume_m3": (">=", 0),
                                  "holding_cost": (">=", 0), "shortage_cost": (">=", 0),
                                  "safety_stock_penalty": (">=", 0)})
    _check_numbers(demand, "demand", {"qty": (">=", 0), "safety_stock": (">=", 0),
                                      "period": ("int>=", 0)})
    _check_numbers(sources, "sources", {
        "unit_cost": (">=", 0), "lead_time_periods": ("int>=", 0), "size_minimum": (">=", 0),
        "size_multiple": ("int>=", 1), "size_maximum": (">", 0), "capacity_per_period": (">=", 0),
        "priority": ("int>=", 1)})
    _check_numbers(suppliers, "suppliers", {"order_cost": (">=", 0)})
    if problem.receipts is not None:
        _need(problem.receipts, "receipts", RECEIPT_COLUMNS)
        _check_numbers(problem.receipts, "receipts", {"qty": (">=", 0), "period": ("int>=", 0)})
    if problem.warehouses is not None:
        _need(problem.warehouses, "warehouses", ("location_id", "capacity_volume_m3"))
        _check_numbers(problem.warehouses, "warehouses", {"capacity_volume_m3": (">=", 0)})
    if problem.budget_per_period is not None:
        if len(problem.budget_per_period) != T:
            raise ReplenishmentInputError(f"budget_per_period must have {T} values, one per period")
        for t, b in enumerate(problem.budget_per_period):
            if not (isinstance(b, (int, float, np.floating)) and math.isfinite(b) and b >= 0):
                raise ReplenishmentInputError(f"budget_per_period[{t}] must be a number >= 0 (got {b!r})")
    unknown = set(sources["supplier_id"]) - set(suppliers["supplier_id"])
    if unknown:
        raise ReplenishmentInputError(f"sources: supplier(s) {sorted(unknown)[:5]} not in suppliers")
    keyed = set(zip(skus["item_id"], skus["location_id"]))
    stray = [k for k in zip(demand["item_id"], demand["location_id"]) if k not in keyed]
    if stray:
        raise ReplenishmentInputError(f"demand: item {stray[0][0]} at {stray[0][1]} is not in skus")
    return check_conflicts(problem)


def check_conflicts(problem: ReplenishmentProblem) -> list[str]:
    """Obvious conflicts found before solving.

    Errors (raised together as :class:`ReplenishmentInfeasible`): a SKU with demand or a safety
    stock and no source at all; a source whose MOQ (rounded up to the case pack) exceeds its
    maximum order size or its capacity per period; in ``hard`` safety-stock mode, a budget too
    small to buy the safety stock. Returns warnings for softer problems (a source never
    effective inside the horizon, a budget that cannot cover the safety stock in soft mode).
    """
    T = problem.n_periods
    demand, sources = problem.demand, problem.sources
    errors: list[str] = []
    warnings: list[str] = []
    need = demand.groupby(["item_id", "location_id"])[["qty", "safety_stock"]].sum()
    has_source = set(zip(sources["item_id"], sources["location_id"]))
    for (item, loc), row in need.iterrows():
        if (item, loc) not in has_source and (row["qty"] > 0 or row["safety_stock"] > 0):
            errors.append(f"item {item} at {loc} has demand {row['qty']:g} over the horizon but no "
                          f"supplier (no sourcing row for this item and warehouse)")
    for r in sources.itertuples(index=False):
        m = int(r.size_multiple)
        moq = math.ceil(float(r.size_minimum) / m) * m if r.size_minimum > 0 else 0
        for label, limit in (("maximum order size", r.size_maximum),
                             ("supplier capacity", r.capacity_per_period)):
            if pd.notna(limit) and moq > float(limit):
                errors.append(f"MOQ {moq:g} (size_minimum {r.size_minimum:g} rounded to case pack {m}) > "
                              f"{label} {float(limit):g} per period for item {r.item_id} at "
                              f"{r.location_id} from supplier {r.supplier_id}: this source can never order")
        first = getattr(r, "first_period", np.nan)
        last = getattr(r, "last_period", np.nan)
        lo = 0 if pd.isna(first) else int(first)
        hi = T - 1 if pd.isna(last) else int(last)
        if hi < lo or lo > T - 1 or hi < 0 or lo + int(r.lead_time_periods) > T - 1:
            warnings.append(f"source {r.supplier_id} for item {r.item_id} at {r.location_id} is not "
                            f"effective in time to deliver inside the {T}-period horizon")
    if problem.budget_per_period is not None:
        errors_b, warnings_b = _budget_conflicts(problem)
        errors += errors_b
        warnings += warnings_b
    if errors:
        raise ReplenishmentInfeasible(errors)
    return warnings


def _budget_conflicts(problem: ReplenishmentProblem) -> tuple[list[str], list[str]]:
    """Compare the whole-horizon budget with the cheapest purchase value that (a) the safety
    stock alone needs — a necessary condition of ``hard`` mode — and (b) demand plus safety stock
    need (a warning in ``soft`` mode)."""
    skus, demand, sources = problem.skus, problem.demand, problem.sources
    key = ["item_id", "location_id"]
    cheapest = sources.groupby(key)["unit_cost"].min()
    have = skus.set_index(key)["on_hand"].astype(float)
    if problem.receipts is not None and len(problem.receipts):
        have = have.add(problem.receipts.groupby(key)["qty"].sum(), fill_value=0.0)
    d = demand.sort_values("period")
    ss_peak = d.groupby(key)["safety_stock"].max()
    need_peak = (d.groupby(key)["qty"].sum() + d.groupby(key)["safety_stock"].last())
    total = float(np.sum(problem.budget_per_period))
    errors, warnings = [], []
    for label, peak, sink in (("the safety stock", ss_peak, errors if problem.safety_stock_mode == "hard" else None),
                              ("demand plus safety stock", need_peak, warnings)):
        short = (peak - have.reindex(peak.index).fillna(0.0)).clip(lower=0.0)
        value = (short * cheapest.reindex(short.index)).dropna()
        if sink is None or value.sum() <= total + 1e-9:
            continue
        worst = value.sort_values(ascending=False).head(3)
        names = ", ".join(f"item {i} at {w} needs {v:,.2f}" for (i, w), v in worst.items())
        sink.append(f"budget {total:,.2f} over the horizon cannot cover {label}: buying it costs at "
                    f"least {value.sum():,.2f} ({names})")
        if sink is errors:
            break
    return errors, warnings
