"""The presale planning problem: campaign, sources, spot demand, economics, history and settings,
with the rules that involve several of them (:func:`validate_problem`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from optimizer.presale.campaign import (
    PastCampaign,
    PresaleCampaign,
    PresaleEconomics,
    SpotDemand,
    SupplySource,
    _finite_nonneg,
    _need,
)


@dataclass(frozen=True)
class PresaleProblem:
    """Everything :func:`optimizer.presale.solve_presale` needs.

    ``n_scenarios`` leaves are sampled with ``seed``. ``horizon_weeks`` defaults to the end of
    the spot season. ``conversion_prior`` = (alpha, beta) is used when history is too thin;
    ``deposit_prior_mean`` / ``deposit_prior_cv`` set the prior of the deposit total instead of
    past campaigns. ``known_deposits_total`` fixes the final net deposit count (what-if runs).
    ``recourse_order_weeks``: recourse batches may be ordered in this many weeks from the
    recourse week on (``None``: every week). The default 2 keeps 1,000-scenario models with
    MOQs solvable in seconds; each extra week multiplies the MOQ binaries per presale node."""

    campaign: PresaleCampaign
    sources: tuple[SupplySource, ...]
    spot: SpotDemand = field(default_factory=SpotDemand)
    economics: PresaleEconomics = field(default_factory=PresaleEconomics)
    history: tuple[PastCampaign, ...] = ()
    n_scenarios: int = 1000
    seed: int = 0
    horizon_weeks: int | None = None
    conversion_prior: tuple[float, float] = (8.0, 2.0)
    deposit_prior_mean: float | None = None
    deposit_prior_cv: float = 0.5
    known_deposits_total: float | None = None
    recourse_order_weeks: int | None = 2

    def __post_init__(self):
        validate_problem(self)

    @property
    def unfilled_penalty(self) -> float:
        c = self.campaign
        if self.economics.unfilled_presale_penalty is not None:
            return self.economics.unfilled_presale_penalty
        return c.price - c.presale_net_price + c.deposit_amount

    @property
    def promise_week(self) -> int:
        return self.campaign.week_of(self.campaign.promise_date)

    @property
    def launch_week(self) -> int:
        return self.campaign.week_of(self.campaign.launch_date)

    @property
    def recourse_week(self) -> int:
        """First week whose orders may depend on the presale outcome (final payments known)."""
        c = self.campaign
        if c.final_known:
            return 0
        return c.week_of(c.final_end) + 1

    @property
    def n_weeks(self) -> int:
        if self.horizon_weeks is not None:
            return self.horizon_weeks
        return max(self.promise_week + 1, self.launch_week + self.spot.n_weeks)


def validate_problem(p: PresaleProblem) -> None:
    """Cross-field rules (single-object rules live in each dataclass)."""
    c = p.campaign
    _need(
        len(p.sources) > 0,
        f"campaign {c.campaign_id}",
        "sources",
        (),
        "at least one factory or supplier is needed",
    )
    ids = [s.source_id for s in p.sources]
    _need(
        len(set(ids)) == len(ids),
        f"campaign {c.campaign_id}",
        "sources",
        ids,
        "source ids must be unique",
    )
    _need(
        isinstance(p.n_scenarios, int) and p.n_scenarios >= 1,
        "problem",
        "n_scenarios",
        p.n_scenarios,
        "must be a positive integer",
    )
    if p.horizon_weeks is not None:
        _need(
            isinstance(p.horizon_weeks, int) and p.horizon_weeks >= p.promise_week + 1,
            "problem",
            "horizon_weeks",
            p.horizon_weeks,
            f"must reach the promise week ({p.promise_week}) at least",
        )
    a, b = p.conversion_prior
    _need(
        a > 0 and b > 0,
        "problem",
        "conversion_prior",
        p.conversion_prior,
        "Beta parameters must be > 0",
    )
    _need(p.deposit_prior_cv > 0, "problem", "deposit_prior_cv", p.deposit_prior_cv, "must be > 0")
    if p.recourse_order_weeks is not None:
        _need(
            isinstance(p.recourse_order_weeks, int) and p.recourse_order_weeks >= 1,
            "problem",
            "recourse_order_weeks",
            p.recourse_order_weeks,
            "must be a positive whole number of weeks or None",
        )
    if p.known_deposits_total is not None:
        _finite_nonneg("problem", "known_deposits_total", p.known_deposits_total)
    if p.deposit_prior_mean is not None:
        _finite_nonneg("problem", "deposit_prior_mean", p.deposit_prior_mean)
    min_cost = min(s.unit_cost for s in p.sources)
    _need(
        p.economics.unit_salvage_value <= min_cost,
        "economics",
        "unit_salvage_value",
        p.economics.unit_salvage_value,
        f"must not exceed the lowest unit_cost ({min_cost}); otherwise making units only to "
        "salvage them pays",
    )
    gap = c.price - c.presale_net_price
    _need(
        p.unfilled_penalty >= gap - 1e-9,
        "economics",
        "unfilled_presale_penalty",
        p.unfilled_penalty,
        f"must be at least price - presale net price = {gap:.4g} (presale buyers are served first)",
    )
    weeks = p.n_weeks
    for s in p.sources:
        usable = [t for t in range(weeks) if t + s.lead_time_weeks <= weeks - 1]
        cap_total = sum(s.capacity(t) for t in usable)
        if s.committed_units > 0:
            first = [t for t in usable if t < p.recourse_week] or usable
            cap_first = sum(s.capacity(t) for t in first)
            _need(
                cap_first > 0,
                f"source {s.source_id}",
                "capacity_per_week",
                s.capacity_per_week,
                "capacity is zero in every week the commitment can be ordered but "
                f"committed_units={s.committed_units}",
            )
            _need(
                cap_first >= s.committed_units,
                f"source {s.source_id}",
                "committed_units",
                s.committed_units,
                f"exceeds the capacity of the commitment weeks ({cap_first})",
            )
        if s.moq_units > 0 and cap_total > 0:
            _need(
                any(s.capacity(t) >= s.moq_units for t in usable),
                f"source {s.source_id}",
                "moq_units",
                s.moq_units,
                "is larger than the capacity of every week, so no batch is possible",
            )
    demand_now = c.firm_preorders + c.deposits_net_to_date
    if demand_now > 0:
        total = sum(
            s.capacity(t)
            for s in p.sources
            for t in range(weeks)
            if t + s.lead_time_weeks <= weeks - 1
        )
        _need(
            total > 0,
            f"campaign {c.campaign_id}",
            "capacity_per_week",
            0,
            f"every source has zero capacity within the horizon but {demand_now:g} units are "
            "already "
            "committed to buyers (firm pre-orders + deposits)",
        )
