"""``stockpilot bench presale``: SAA solve time, references, and the presale-share sweep.

For every problem (one per open campaign):
  1. the SAA model at ``n_scenarios`` (1,000 by default) solved by the default backend (CBC),
     then the *same* model (same scenario tree) handed to the reference backend (HiGHS); wall
     seconds, expected profit, relative gap and the speed ratio;
  2. the plan's in-sample SAA profit against an independent Monte Carlo evaluation on fresh
     scenarios (fresh seed) with both confidence intervals;
  3. the single-stage version (one week, one uncapacitated source, no lead time, total demand
     ~ normal with the campaign's mean and variance) solved as SAA and compared with the
     newsvendor closed form x* = mu + sigma z_alpha, alpha = (r - c) / (r - v);
  4. the presale-share sweep 0% .. 60% (expected profit and turnover days per share) and a
     PNG with both curves.
Goal: SAA with 1,000 scenarios in under 30 s. Reference for direction and size of the sweep:
operator figures — presale share 20% -> 50%, turnover 60 -> 35 days (-42%).
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from datetime import timedelta

import numpy as np
from scipy import stats

from optimizer.presale.analysis import DEFAULT_SHARES, presale_share_sweep
from optimizer.presale.campaign import PresaleEconomics, SpotDemand, SupplySource
from optimizer.presale.evaluate import evaluate_plan, in_sample_metrics
from optimizer.presale.model import demand_models, solve_presale
from optimizer.presale.problem import PresaleProblem
from optimizer.presale.sampling import build_scenarios, lhs_uniforms, presale_outcomes
from optimizer.solver import SolverError, SolverOptions

GOAL_SECONDS = 30.0
OPERATOR_REFERENCE = {"presale_share": [0.2, 0.5], "turnover_days": [60, 35]}


def single_stage(problem: PresaleProblem) -> tuple[PresaleProblem, float, float]:
    """The single-period, uncapacitated version with total demand ~ N(mu, sigma^2)."""
    conversion, forecast = demand_models(problem)
    units, _, _ = presale_outcomes(
        problem, conversion, forecast, lhs_uniforms(np.random.default_rng(1), 20_000, 6)
    )
    mu = float(units.mean()) + sum(problem.spot.mean_per_week)
    sigma = math.sqrt(float(units.var()) + sum(s * s for s in problem.spot.std_per_week))
    c = problem.campaign
    day = c.as_of
    campaign = replace(
        c,
        as_of=day,
        deposit_start=day - timedelta(days=30),
        deposit_end=day - timedelta(days=20),
        final_start=day - timedelta(days=19),
        final_end=day - timedelta(days=15),
        promise_date=day,
        launch_date=day,
        deposits_to_date=(),
        cancellations_to_date=(),
        final_payments_to_date=0.0,
        firm_preorders=0.0,
    )
    unit_cost = min(s.unit_cost for s in problem.sources)
    src = SupplySource("NV", unit_cost, 0, 1e9)
    eco = PresaleEconomics(unit_salvage_value=min(problem.economics.unit_salvage_value, unit_cost))
    return (
        replace(
            problem,
            campaign=campaign,
            sources=(src,),
            spot=SpotDemand((mu,), (sigma,)),
            economics=eco,
            horizon_weeks=1,
            known_deposits_total=None,
        ),
        mu,
        sigma,
    )


def _solve_timed(problem, options, scenarios):
    start = time.perf_counter()
    try:
        sol = solve_presale(problem, options, scenarios)
    except SolverError as exc:
        return None, {
            "backend": options.backend,
            "status": exc.status,
            "error": str(exc),
            "wall_s": round(time.perf_counter() - start, 3),
        }
    wall = time.perf_counter() - start
    return sol, {
        "backend": options.backend,
        "status": sol.info.status,
        "wall_s": round(wall, 3),
        "solver_s": round(sol.info.wall_s, 3),
        "expected_profit": round(sol.expected_profit, 2),
        "gap_rel": None if sol.gap_rel is None else round(sol.gap_rel, 6),
        "committed_units": round(float(sol.commitment()["qty_units"].sum()), 2),
    }


def bench_one(
    problem: PresaleProblem, options: SolverOptions, reference: SolverOptions, eval_samples: int
) -> dict:
    conversion, forecast = demand_models(problem)
    start = time.perf_counter()
    tree = build_scenarios(problem, conversion, forecast, problem.n_scenarios, problem.seed)
    sample_s = time.perf_counter() - start
    sol, main = _solve_timed(problem, options, tree)
    _, ref = _solve_timed(problem, reference, tree)
    out = {
        "campaign_id": problem.campaign.campaign_id,
        "item_id": problem.campaign.item_id,
        "scenarios": tree.n_leaves,
        "presale_nodes": tree.n_nodes,
        "weeks": problem.n_weeks,
        "sampling_s": round(sample_s, 3),
        "saa": main,
        "reference": ref,
        "goal_seconds": GOAL_SECONDS,
        "goal_met": bool(sol is not None and main["wall_s"] < GOAL_SECONDS),
    }
    if sol is not None and "wall_s" in ref and ref.get("expected_profit") is not None:
        out["speedup_vs_reference"] = round(ref["wall_s"] / max(main["wall_s"], 1e-9), 2)
        out["profit_diff_vs_reference"] = round(main["expected_profit"] - ref["expected_profit"], 2)
    if sol is None:
        return out
    inside = in_sample_metrics(problem, sol)
    fresh = evaluate_plan(problem, sol, eval_samples, seed=problem.seed + 9_999)
    half = 1.96 * math.sqrt(
        (inside.profit_std**2) / inside.n_samples + (fresh.profit_std**2) / fresh.n_samples
    )
    out["monte_carlo"] = {
        "saa_profit": round(inside.expected_profit, 2),
        "mc_profit": round(fresh.expected_profit, 2),
        "mc_ci95": round(fresh.profit_ci95, 2),
        "combined_ci95": round(half, 2),
        "agree": abs(inside.expected_profit - fresh.expected_profit) <= half,
        "mc_ci95_rel": round(fresh.profit_ci95 / max(abs(fresh.expected_profit), 1e-9), 5),
        "mc_samples": fresh.n_samples,
        "stockout_probability": round(fresh.stockout_probability, 4),
        "turnover_days": round(fresh.expected_turnover_days, 2),
        "expected_leftover_units": round(fresh.expected_leftover_units, 2),
    }
    nv, mu, sigma = single_stage(problem)
    start = time.perf_counter()
    nv_sol = solve_presale(nv, options)
    nv_wall = time.perf_counter() - start
    c, v = nv.sources[0].unit_cost, nv.economics.unit_salvage_value
    r = nv.campaign.price
    alpha = (r - c) / (r - v)
    q_closed = mu + sigma * float(stats.norm.ppf(alpha))
    q_saa = float(nv_sol.orders["qty_units"].sum())
    out["newsvendor_single_stage"] = {
        "mu": round(mu, 2),
        "sigma": round(sigma, 2),
        "critical_ratio": round(alpha, 4),
        "closed_form_qty": round(q_closed, 2),
        "saa_qty": round(q_saa, 2),
        "rel_diff": round(abs(q_saa - q_closed) / q_closed, 5),
        "saa_wall_s": round(nv_wall, 3),
    }
    return out


def _plot(sweeps: dict[str, list[dict]], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for cid, rows in sweeps.items():
        x = [100 * p["presale_share_target"] for p in rows]
        ax1.plot(x, [p["expected_profit"] for p in rows], marker="o", label=cid)
        ax2.plot(x, [p["turnover_days"] for p in rows], marker="o", label=cid)
    ax1.set(xlabel="presale share of demand (%)", ylabel="expected profit", title="Expected profit")
    ax2.set(xlabel="presale share of demand (%)", ylabel="days", title="Inventory turnover days")
    ax1.legend(fontsize=8)
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run_presale_bench(
    problems: list[PresaleProblem],
    sweep_scenarios: int = 500,
    reference_time_limit_s: float = 120.0,
    reference_backend: str = "highs",
    plot_path: str | None = None,
    shares=DEFAULT_SHARES,
    eval_samples: int = 10_000,
    options: SolverOptions | None = None,
) -> dict:
    """Run the benchmark on ``problems`` and return the JSON-ready result."""
    from tqdm import tqdm

    options = options or SolverOptions(backend="cbc", mip_gap=5e-3, time_limit_s=120.0)
    reference = options.with_(backend=reference_backend, time_limit_s=reference_time_limit_s)
    results, sweeps = [], {}
    with tqdm(
        total=len(problems) * (1 + len(shares)), desc="bench presale", file=__import__("sys").stderr
    ) as bar:
        for problem in problems:
            res = bench_one(problem, options, reference, eval_samples)
            bar.update(1)
            points = presale_share_sweep(
                problem, options, shares, n_scenarios=sweep_scenarios, progress=bar.update
            )
            rows = [
                {
                    "presale_share_target": p.presale_share_target,
                    "presale_share": round(p.metrics.presale_share, 4),
                    "deposits_total": p.deposits_total,
                    "expected_profit": round(p.metrics.expected_profit, 2),
                    "profit_ci95": round(p.metrics.profit_ci95, 2),
                    "turnover_days": round(p.metrics.expected_turnover_days, 3),
                    "stockout_probability": round(p.metrics.stockout_probability, 4),
                    "expected_leftover_units": round(p.metrics.expected_leftover_units, 2),
                    "solve_s": round(p.solve_seconds, 3),
                }
                for p in points
            ]
            res["share_sweep"] = rows
            by = {round(p["presale_share_target"], 3): p for p in rows}
            if 0.2 in by and 0.5 in by:
                res["turnover_change_20_to_50"] = round(
                    by[0.5]["turnover_days"] / by[0.2]["turnover_days"] - 1, 4
                )
                res["profit_change_20_to_50"] = round(
                    by[0.5]["expected_profit"] / by[0.2]["expected_profit"] - 1, 4
                )
            sweeps[problem.campaign.campaign_id] = rows
            results.append(res)
    if plot_path and sweeps:
        _plot(sweeps, plot_path)
    return {
        "benchmark": "presale",
        "solver": options.backend,
        "reference": f"{reference_backend} (same SAA model and scenarios)",
        "mip_gap": options.mip_gap,
        "goal_seconds": GOAL_SECONDS,
        "all_goals_met": all(r["goal_met"] for r in results),
        "operator_reference": {**OPERATOR_REFERENCE, "turnover_change": round(35 / 60 - 1, 4)},
        "campaigns": results,
        "plot": plot_path,
    }
