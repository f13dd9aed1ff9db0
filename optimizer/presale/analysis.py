"""Presale analysis around the SAA plan: value of presale information and the presale-share sweep.

Value of presale information (VPI). The same item planned with **no presale**: nobody pays a
deposit, so nothing is learned before launch and every buyer pays the list price. The buyers who
would have pre-ordered arrive as extra spot demand in the launch week, with the *prior*
distribution of presale units (deposit total from past campaigns' totals, before any deposit of
this campaign is seen, times the conversion model) approximated by a normal with the same mean
and standard deviation. VPI = E[profit | presale plan] - E[profit | no-presale plan], both
estimated by Monte Carlo on fresh samples (same seed). It nets the information gained (early,
firm demand and recourse) against the presale discount given away; it can be negative.

Presale-share sweep. Hold the expected total demand M = E[presale units] + sum of spot means
fixed and move a share ``sigma`` of it into the presale: the deposit total becomes
``sigma M / m`` (m = mean conversion; known at window close, so presale uncertainty is the
conversion uncertainty only), spot means and standard deviations are scaled by
``(1 - sigma) M / sum(spot means)`` (the spot forecast's coefficient of variation is kept). Each
variant is planned (SAA) and evaluated (Monte Carlo). The recommended presale share is the one
with the highest expected profit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from optimizer.presale.campaign import SpotDemand
from optimizer.presale.deposits import closest_campaigns, prior_forecast
from optimizer.presale.evaluate import PresaleMetrics, evaluate_plan, in_sample_metrics
from optimizer.presale.model import PresaleSolution, demand_models, solve_presale
from optimizer.presale.problem import PresaleProblem
from optimizer.presale.sampling import lhs_uniforms, presale_outcomes
from optimizer.solver import SolverOptions

DEFAULT_SHARES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)


@dataclass(frozen=True)
class SharePoint:
    presale_share_target: float
    deposits_total: float
    metrics: PresaleMetrics
    solve_seconds: float


@dataclass(frozen=True)
class PresaleReport:
    """Everything ``stockpilot presale plan`` prints: the SAA plan, its in-sample and Monte Carlo
    metrics, the no-presale comparison and the share sweep (``None`` when not run)."""

    solution: PresaleSolution
    in_sample: PresaleMetrics
    evaluation: PresaleMetrics
    no_presale: PresaleMetrics | None
    value_of_presale_information: float | None
    share_sweep: tuple[SharePoint, ...]
    recommended_presale_share: float | None
    notes: tuple[str, ...] = ()


def _prior_presale_units(
    problem: PresaleProblem, n: int = 20_000, seed: int = 7
) -> tuple[float, float]:
    """Mean and standard deviation of presale units before any deposit is seen."""
    conversion, current = demand_models(problem)
    c = problem.campaign
    prior_mean = problem.deposit_prior_mean
    if prior_mean is None and not any(
        h.gross_deposits > 0 for h in closest_campaigns(problem.history, c.item_id, c.category)
    ):
        prior_mean = max(current.mean_total, 1.0)  # no history: centre the prior on this campaign
    forecast = prior_forecast(
        problem.history,
        conversion.cancellation_rate,
        prior_mean,
        problem.deposit_prior_cv,
        item_id=c.item_id,
        category=c.category,
    )
    blank = replace(
        problem,
        campaign=replace(
            c, final_payments_to_date=None, deposits_to_date=(), cancellations_to_date=()
        ),
        known_deposits_total=None,
    )
    units, _, _ = presale_outcomes(
        blank, conversion, forecast, lhs_uniforms(np.random.default_rng(seed), n, 6)
    )
    return float(units.mean()), float(units.std())


def no_presale_problem(problem: PresaleProblem) -> PresaleProblem:
    """The same item with no presale (see the module docstring)."""
    c = problem.campaign
    mean_p, std_p = _prior_presale_units(problem)
    spot = problem.spot
    means, stds = list(spot.mean_per_week), list(spot.std_per_week)
    if not means:
        means, stds = [0.0], [0.0]
    means[0] += mean_p
    stds[0] = math.sqrt(stds[0] ** 2 + std_p**2)
    campaign = replace(
        c,
        deposits_to_date=(),
        cancellations_to_date=(),
        final_payments_to_date=None,
        firm_preorders=0.0,
        conversion_rate=0.0,
        deposit_amount=0.0,
        deposit_value=0.0,
        final_discount=0.0,
    )
    return replace(
        problem,
        campaign=campaign,
        spot=SpotDemand(tuple(means), tuple(stds)),
        known_deposits_total=0.0,
    )


def value_of_presale_information(
    problem: PresaleProblem,
    evaluation: PresaleMetrics,
    options: SolverOptions,
    n_samples: int,
    seed: int,
) -> tuple[float, PresaleMetrics]:
    base = no_presale_problem(problem)
    sol = solve_presale(base, options)
    metrics = evaluate_plan(base, sol, n_samples, seed)
    return evaluation.expected_profit - metrics.expected_profit, metrics


def presale_share_sweep(
    problem: PresaleProblem,
    options: SolverOptions,
    shares=DEFAULT_SHARES,
    n_scenarios: int = 300,
    n_samples: int = 2000,
    seed: int = 2024,
    progress=None,
) -> tuple[SharePoint, ...]:
    """Plan and evaluate the item at each presale share (see the module docstring)."""
    import time

    conversion, forecast = demand_models(problem)
    units, _, _ = presale_outcomes(
        problem, conversion, forecast, lhs_uniforms(np.random.default_rng(seed), 4000, 6)
    )
    spot_total = float(sum(problem.spot.mean_per_week))
    if problem.spot.values or spot_total <= 0:
        return ()
    total = float(units.mean()) + spot_total
    conv_mean = max(conversion.mean * (1 - problem.campaign.refund_rate), 1e-6)
    points = []
    for share in shares:
        scale = (1 - share) * total / spot_total
        spot = SpotDemand(
            tuple(m * scale for m in problem.spot.mean_per_week),
            tuple(s * scale for s in problem.spot.std_per_week),
        )
        deposits = round(share * total / conv_mean)
        campaign = replace(problem.campaign, firm_preorders=0.0, final_payments_to_date=None)
        variant = replace(
            problem,
            campaign=campaign,
            spot=spot,
            known_deposits_total=float(deposits),
            n_scenarios=n_scenarios,
        )
        start = time.perf_counter()
        sol = solve_presale(variant, options)
        wall = time.perf_counter() - start
        points.append(
            SharePoint(
                share, float(deposits), evaluate_plan(variant, sol, n_samples, seed + 1), wall
            )
        )
        if progress is not None:
            progress(1)
    return tuple(points)


def plan_presale(
    problem: PresaleProblem,
    options: SolverOptions | None = None,
    n_eval_samples: int = 10_000,
    eval_seed: int = 12_345,
    with_vpi: bool = True,
    shares=DEFAULT_SHARES,
    share_scenarios: int = 300,
) -> PresaleReport:
    """Solve, evaluate, compare with no presale, and sweep the presale share."""
    options = options or SolverOptions()
    notes = []
    earliest = min(s.lead_time_weeks for s in problem.sources)
    if earliest > problem.promise_week:
        notes.append(
            f"no source can deliver by the promise date (week {problem.promise_week}; "
            "shortest lead "
            f"time {earliest} weeks): every presale order ships late"
        )
    solution = solve_presale(problem, options)
    inside = in_sample_metrics(problem, solution)
    evaluation = evaluate_plan(problem, solution, n_eval_samples, eval_seed)
    vpi, no_presale = None, None
    if with_vpi and not problem.spot.values:
        vpi, no_presale = value_of_presale_information(
            problem, evaluation, options, n_eval_samples, eval_seed
        )
    elif with_vpi:
        notes.append("value of presale information needs a normal spot-demand model; not computed")
    sweep = presale_share_sweep(problem, options, shares, share_scenarios) if shares else ()
    recommended = (
        max(sweep, key=lambda p: p.metrics.expected_profit).presale_share_target if sweep else None
    )
    if shares and not sweep:
        notes.append(
            "presale-share sweep needs a normal spot-demand model with positive mean; not run"
        )
    return PresaleReport(
        solution, inside, evaluation, no_presale, vpi, sweep, recommended, tuple(notes)
    )
