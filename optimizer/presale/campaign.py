"""Inputs of presale planning: the campaign, its history, supply sources, spot demand, economics.

All inputs are frozen dataclasses, validated in ``__post_init__`` (or by
:func:`validate_problem` for rules that involve several of them). Every error is a
:class:`PresaleInputError` (a ``ValueError``) naming the field, the entity and the rule.

Time runs in **weeks from the planning date** ``as_of``: week ``k`` covers the days
``as_of + 7k .. as_of + 7k + 6``. Quantities are units (one deposit = one unit pre-ordered);
money is in the campaign's currency.

Presale mechanics ("deposit expansion + final-payment discount", 定金膨胀 + 尾款立减): a buyer
pays ``deposit_amount`` during the deposit window; at checkout the deposit counts for
``deposit_value`` (>= ``deposit_amount``) and the final payment gets ``final_discount`` off.
The seller therefore nets, per converted pre-order, the **presale net price**

    r_P = price - final_discount - (deposit_value - deposit_amount)

Buyers who pay a deposit and never pay the balance forfeit the deposit (when
``deposits_forfeited``); cancellations during the window are refunded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

SOURCE_KINDS = ("MO", "PO")


class PresaleInputError(ValueError):
    """Bad presale input; the message names the field, the entity and the rule."""


def _need(ok: bool, entity: str, field_name: str, value, rule: str) -> None:
    if not ok:
        raise PresaleInputError(f"{field_name}={value!r} ({entity}): {rule}")


def _finite_nonneg(entity: str, name: str, value: float) -> None:
    _need(
        isinstance(value, (int, float)) and math.isfinite(value) and value >= 0,
        entity,
        name,
        value,
        "must be a finite number >= 0",
    )


@dataclass(frozen=True)
class PastCampaign:
    """A closed campaign: what it collected and how much of it converted.

    ``deposits_total`` is net of cancellations (orders at window close); ``final_payments`` the
    deposits that paid the balance. ``daily_deposits`` / ``daily_cancellations`` (gross, one per
    day of the deposit window) shape the deposit curve; they may be empty."""

    campaign_id: str
    category: str
    deposits_total: float
    final_payments: float
    daily_deposits: tuple[float, ...] = ()
    daily_cancellations: tuple[float, ...] = ()
    item_id: str = ""

    def __post_init__(self):
        ent = f"past campaign {self.campaign_id}"
        _finite_nonneg(ent, "deposits_total", self.deposits_total)
        _finite_nonneg(ent, "final_payments", self.final_payments)
        _need(
            self.final_payments <= self.deposits_total,
            ent,
            "final_payments",
            self.final_payments,
            "conversion must lie in [0, 1]: final_payments cannot exceed "
            f"deposits_total={self.deposits_total}",
        )
        for name in ("daily_deposits", "daily_cancellations"):
            for k, v in enumerate(getattr(self, name)):
                _finite_nonneg(f"{ent}, day {k + 1}", name, v)
        if self.daily_cancellations:
            _need(
                len(self.daily_cancellations) == len(self.daily_deposits),
                ent,
                "daily_cancellations",
                len(self.daily_cancellations),
                "needs one value per day of daily_deposits",
            )

    @property
    def gross_deposits(self) -> float:
        return (
            float(sum(self.daily_deposits)) if self.daily_deposits else float(self.deposits_total)
        )


@dataclass(frozen=True)
class SupplySource:
    """A factory (``kind='MO'``) or supplier (``kind='PO'``) that can make the item.

    ``capacity_per_week`` is one number (every week) or one value per plan week (units/week).
    A batch ordered in week t arrives at the start of week ``t + lead_time_weeks``. A batch is 0
    or at least ``moq_units``; with ``case_pack_units > 1`` it is a whole number of case packs.
    ``committed_units`` is a quantity already contracted with this source that must be ordered
    in the first stage. ``batch_cost`` is a fixed cost per batch (currency/batch)."""

    source_id: str
    unit_cost: float
    lead_time_weeks: int
    capacity_per_week: float | tuple[float, ...]
    kind: str = "PO"
    moq_units: float = 0.0
    case_pack_units: int = 1
    committed_units: float = 0.0
    batch_cost: float = 0.0
    location_id: str = ""

    def __post_init__(self):
        ent = f"source {self.source_id}"
        _need(self.kind in SOURCE_KINDS, ent, "kind", self.kind, f"must be one of {SOURCE_KINDS}")
        _finite_nonneg(ent, "unit_cost", self.unit_cost)
        _need(
            isinstance(self.lead_time_weeks, int) and self.lead_time_weeks >= 0,
            ent,
            "lead_time_weeks",
            self.lead_time_weeks,
            "must be a whole number of weeks >= 0",
        )
        caps = (
            self.capacity_per_week
            if isinstance(self.capacity_per_week, tuple)
            else (self.capacity_per_week,)
        )
        for k, c in enumerate(caps):
            _finite_nonneg(ent if len(caps) == 1 else f"{ent}, week {k}", "capacity_per_week", c)
        _finite_nonneg(ent, "moq_units", self.moq_units)
        _need(
            isinstance(self.case_pack_units, int) and self.case_pack_units >= 1,
            ent,
            "case_pack_units",
            self.case_pack_units,
            "must be a positive integer",
        )
        _finite_nonneg(ent, "committed_units", self.committed_units)
        _finite_nonneg(ent, "batch_cost", self.batch_cost)

    def capacity(self, week: int) -> float:
        if isinstance(self.capacity_per_week, tuple):
            caps = self.capacity_per_week
            return float(caps[week]) if week < len(caps) else float(caps[-1])
        return float(self.capacity_per_week)


@dataclass(frozen=True)
class SpotDemand:
    """Non-presale demand after launch, per week from the launch week on (units/week).

    Either a normal model per week (``mean_per_week``, ``std_per_week``; draws below 0 are cut
    at 0; weeks independent) or explicit ``values`` (one tuple of weekly values per outcome)
    with probability ``weights`` — the latter reproduces a discrete distribution exactly."""

    mean_per_week: tuple[float, ...] = ()
    std_per_week: tuple[float, ...] = ()
    values: tuple[tuple[float, ...], ...] = ()
    weights: tuple[float, ...] = ()

    def __post_init__(self):
        ent = "spot demand"
        if self.values:
            _need(
                not self.mean_per_week,
                ent,
                "mean_per_week",
                self.mean_per_week,
                "give either mean_per_week/std_per_week or values/weights, not both",
            )
            _need(
                len(self.weights) == len(self.values),
                ent,
                "weights",
                len(self.weights),
                f"needs one weight per outcome ({len(self.values)})",
            )
            n_weeks = len(self.values[0])
            for k, row in enumerate(self.values):
                _need(
                    len(row) == n_weeks,
                    f"{ent}, outcome {k}",
                    "values",
                    row,
                    f"every outcome needs {n_weeks} weekly values",
                )
                for v in row:
                    _finite_nonneg(f"{ent}, outcome {k}", "values", v)
            for w in self.weights:
                _finite_nonneg(ent, "weights", w)
            _need(
                abs(sum(self.weights) - 1.0) < 1e-6,
                ent,
                "weights",
                sum(self.weights),
                "must sum to 1",
            )
        else:
            _need(
                len(self.std_per_week) == len(self.mean_per_week),
                ent,
                "std_per_week",
                len(self.std_per_week),
                f"needs one value per week of mean_per_week ({len(self.mean_per_week)})",
            )
            for k, (m, s) in enumerate(zip(self.mean_per_week, self.std_per_week, strict=True)):
                _finite_nonneg(f"{ent}, week {k}", "mean_per_week", m)
                _finite_nonneg(f"{ent}, week {k}", "std_per_week", s)

    @property
    def n_weeks(self) -> int:
        return len(self.values[0]) if self.values else len(self.mean_per_week)

    @property
    def mean(self) -> tuple[float, ...]:
        if self.values:
            return tuple(
                sum(w * row[t] for w, row in zip(self.weights, self.values, strict=True))
                for t in range(self.n_weeks)
            )
        return tuple(self.mean_per_week)

    @property
    def is_random(self) -> bool:
        if self.values:
            return len(set(self.values)) > 1
        return any(s > 0 for s in self.std_per_week)


@dataclass(frozen=True)
class PresaleCampaign:
    """The campaign being planned, as seen on ``as_of``.

    ``deposits_to_date`` / ``cancellations_to_date``: gross deposits and cancellations per day
    from ``deposit_start`` up to the day before ``as_of`` (or the whole window once closed).
    ``final_payments_to_date`` is the number of balances paid, once the final-payment window has
    closed. ``firm_preorders``: units already paid in full (certain demand at the presale net
    price). ``conversion_rate``: a known probability that a deposit pays its balance (1.0 = all
    do); when ``None`` it is learned from past campaigns (Beta-Binomial). ``refund_rate``: share
    of paid orders refunded before shipping. Presale orders ship from ``promise_date``; spot
    (non-presale) sales start at ``launch_date``."""

    campaign_id: str
    item_id: str
    as_of: date
    deposit_start: date
    deposit_end: date
    final_start: date
    final_end: date
    promise_date: date
    launch_date: date
    price: float
    deposit_amount: float
    deposit_value: float
    final_discount: float
    deposits_to_date: tuple[float, ...] = ()
    cancellations_to_date: tuple[float, ...] = ()
    final_payments_to_date: float | None = None
    firm_preorders: float = 0.0
    conversion_rate: float | None = None
    refund_rate: float = 0.0
    deposits_forfeited: bool = True
    category: str = ""
    location_id: str = ""

    def __post_init__(self):
        ent = f"campaign {self.campaign_id}"
        _need(
            self.deposit_end >= self.deposit_start,
            ent,
            "deposit_end",
            str(self.deposit_end),
            f"deposit window must end on or after deposit_start={self.deposit_start}",
        )
        _need(
            self.final_start >= self.deposit_end,
            ent,
            "final_start",
            str(self.final_start),
            f"the deposit window (ends {self.deposit_end}) must not end after the final-payment "
            "window starts",
        )
        _need(
            self.final_end >= self.final_start,
            ent,
            "final_end",
            str(self.final_end),
            f"final-payment window must end on or after final_start={self.final_start}",
        )
        _need(
            self.promise_date >= self.final_start,
            ent,
            "promise_date",
            str(self.promise_date),
            f"presale orders ship after the final payment opens (final_start={self.final_start})",
        )
        _need(
            self.launch_date >= self.promise_date,
            ent,
            "launch_date",
            str(self.launch_date),
            "spot sales start on or after the presale delivery promise "
            f"(promise_date={self.promise_date})",
        )
        _need(
            self.as_of <= self.promise_date,
            ent,
            "as_of",
            str(self.as_of),
            f"planning date must be on or before the delivery promise ({self.promise_date})",
        )
        _need(math.isfinite(self.price) and self.price > 0, ent, "price", self.price, "must be > 0")
        for name in ("deposit_amount", "deposit_value", "final_discount", "firm_preorders"):
            _finite_nonneg(ent, name, getattr(self, name))
        _need(
            self.deposit_value >= self.deposit_amount,
            ent,
            "deposit_value",
            self.deposit_value,
            f"the deposit's expansion value cannot be below deposit_amount={self.deposit_amount}",
        )
        _need(
            self.presale_net_price > 0,
            ent,
            "final_discount",
            self.final_discount,
            "price - final_discount - (deposit_value - deposit_amount) = "
            f"{self.presale_net_price:.4g} must be > 0",
        )
        for name in ("deposits_to_date", "cancellations_to_date"):
            for k, v in enumerate(getattr(self, name)):
                _need(
                    isinstance(v, (int, float)) and math.isfinite(v) and v >= 0,
                    f"{ent}, day {k + 1}",
                    name,
                    v,
                    "daily counts must be >= 0",
                )
        _need(
            len(self.cancellations_to_date) in (0, len(self.deposits_to_date)),
            ent,
            "cancellations_to_date",
            len(self.cancellations_to_date),
            f"needs one value per day of deposits_to_date ({len(self.deposits_to_date)})",
        )
        _need(
            len(self.deposits_to_date) <= self.window_days,
            ent,
            "deposits_to_date",
            len(self.deposits_to_date),
            f"more days than the deposit window has ({self.window_days})",
        )
        _need(
            sum(self.cancellations_to_date) <= sum(self.deposits_to_date),
            ent,
            "cancellations_to_date",
            sum(self.cancellations_to_date),
            f"cannot exceed deposits_to_date total {sum(self.deposits_to_date)}",
        )
        if self.conversion_rate is not None:
            _need(
                isinstance(self.conversion_rate, (int, float)) and 0 <= self.conversion_rate <= 1,
                ent,
                "conversion_rate",
                self.conversion_rate,
                "a conversion rate must lie in [0, 1]",
            )
        _need(
            isinstance(self.refund_rate, (int, float)) and 0 <= self.refund_rate <= 1,
            ent,
            "refund_rate",
            self.refund_rate,
            "a rate must lie in [0, 1]",
        )
        if self.final_payments_to_date is not None:
            _finite_nonneg(ent, "final_payments_to_date", self.final_payments_to_date)
            _need(
                self.final_payments_to_date <= self.deposits_net_to_date,
                ent,
                "final_payments_to_date",
                self.final_payments_to_date,
                "conversion must lie in [0, 1]: cannot exceed net deposits "
                f"{self.deposits_net_to_date}",
            )

    @property
    def presale_net_price(self) -> float:
        return self.price - self.final_discount - (self.deposit_value - self.deposit_amount)

    @property
    def window_days(self) -> int:
        return (self.deposit_end - self.deposit_start).days + 1

    @property
    def deposits_net_to_date(self) -> float:
        return float(sum(self.deposits_to_date) - sum(self.cancellations_to_date))

    @property
    def window_closed(self) -> bool:
        return self.as_of > self.deposit_end

    @property
    def final_known(self) -> bool:
        return self.as_of > self.final_end and self.final_payments_to_date is not None

    def week_of(self, day: date) -> int:
        return max(0, (day - self.as_of).days // 7)


@dataclass(frozen=True)
class PresaleEconomics:
    """Money and stock parameters (currency/unit unless stated).

    ``unfilled_presale_penalty``: paid per presale order never shipped (refund handling,
    compensation), on top of the margin lost; default ``price - r_P + deposit_amount``. It must
    be at least ``price - r_P`` so that serving a presale buyer is always worth at least as much
    as selling the unit at full price (the priority rule every evaluation uses).
    ``late_penalty_per_unit_week``: per presale order per week shipped after ``promise_date``."""

    unit_salvage_value: float = 0.0
    holding_cost_per_unit_week: float = 0.0
    late_penalty_per_unit_week: float = 0.0
    unfilled_presale_penalty: float | None = None
    spot_shortage_penalty: float = 0.0
    initial_on_hand_units: float = 0.0

    def __post_init__(self):
        for name in (
            "unit_salvage_value",
            "holding_cost_per_unit_week",
            "late_penalty_per_unit_week",
            "spot_shortage_penalty",
            "initial_on_hand_units",
        ):
            _finite_nonneg("economics", name, getattr(self, name))
        if self.unfilled_presale_penalty is not None:
            _finite_nonneg("economics", "unfilled_presale_penalty", self.unfilled_presale_penalty)
