"""Decomposition: independent components solved in parallel, coupled by prices.

Components (``prepare.component_groups``) share nothing but the budget per period and the
volume of each warehouse. The coordination is Lagrangian (Fisher, "The Lagrangian relaxation
method for solving integer programming problems", *Management Science* 27, 1981; Polyak step):

1. Solve every component with no coupling rows. The sum of their proven lower bounds is a lower
   bound of the whole problem (a relaxation). If the budget and volumes hold, that is the plan.
2. Otherwise, per round: *repair* — share the budget of each period and the volume of each
   warehouse among the components in proportion to what they used (never below the volume
   their stock occupies without new orders, so each share is feasible), solve every component
   with its share as hard rows at the true prices: a feasible plan, an upper bound. Then *price*
   — raise the budget price ``λ_t`` and volume price ``μ_wt`` by a Polyak subgradient step,
   re-solve every component with priced purchases and stock; ``Σ bounds − λ·B − μ·V`` is again a
   lower bound. Stop at ``max_rounds``, at the time budget, or when the gap closes.

Each solve has the solver options' time limit and relative gap — cut, when a time budget is
given, so that the relaxed pass uses at most half of it and each later pass a share of what is
left (a repair pass always runs when the budget or a volume is violated); the reported gap is
``(best plan − best lower bound) / best plan``.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from optimizer.replenishment.model import (
    Component,
    build,
    extract,
    spend,
    true_cost,
    volume_use,
)
from optimizer.replenishment.starts import heuristic_start, trimmed_start
from optimizer.solver import SolverOptions, solve_matrix

PARALLEL_MIN_SKUS = 400


def solve_one(comp: Component, kwargs: dict, options: SolverOptions, start_qty=None):
    """Build, solve and extract one component (runs in a worker process). HiGHS starts from
    ``start_qty`` (an earlier plan of the component, trimmed to its budget share) when given,
    else from the greedy plan of ``model.heuristic_start`` (without a start HiGHS was seen to
    end its time limit with no plan at all)."""
    model, lay = build(comp, name=f"replenishment_c{comp.cid}", **kwargs)
    start = None
    if start_qty is not None:
        start = trimmed_start(comp, lay, model, start_qty, kwargs.get("budget"))
    if start is None:
        start = heuristic_start(comp, lay, model)
    info, x = solve_matrix(model, options, start=start)
    if info.bound is None or not np.isfinite(info.bound):
        info = _with_lp_bound(model, info, options)
    return comp.cid, info, extract(comp, lay, x)


def _with_lp_bound(model, info, options: SolverOptions):
    """A MIP stopped before its root LP finished reports no bound: the LP relaxation's optimum
    is a valid one (solved with the same time limit; none if that is too short as well)."""
    from dataclasses import replace

    from optimizer.solver import SolverError, relative_gap

    try:
        lp, _ = solve_matrix(replace(model, integrality=np.zeros_like(model.integrality)),
                             options)
    except SolverError:
        return info
    if lp.status != "optimal":
        return info
    return replace(info, bound=lp.objective, gap=relative_gap(info.objective, lp.objective),
                   extra={**info.extra, "bound_from": "lp_relaxation"})


class Runner:
    """Solves batches of components, in a process pool when it pays."""

    def __init__(self, comps: list[Component], workers: int, deadline: float | None = None):
        self.comps = comps
        self.workers = max(1, workers)
        self.deadline = deadline
        big = sum(len(c.sku_index) for c in comps) >= PARALLEL_MIN_SKUS
        self.pool = None
        if workers > 1 and len(comps) > 1 and big:
            ctx = multiprocessing.get_context("fork")  # workers start before any solve here
            self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)

    def run(self, kwargs_of, options: SolverOptions, only=None, share: float = 1.0, starts=None):
        """Solve the components; with a deadline, each solve's time limit is cut so that this
        pass uses at most ``share`` of the time left (never below 0.2 s)."""
        todo = [c for c in self.comps if only is None or c.cid in only]
        todo.sort(key=lambda c: -len(c.sku_index))
        if self.deadline is not None and todo:
            left = max(self.deadline - time.perf_counter(), 0.0)
            per = max(0.2, share * left * min(self.workers, len(todo)) / len(todo))
            if options.time_limit_s is None or per < options.time_limit_s:
                options = options.with_(time_limit_s=per)
        starts = starts or {}
        if self.pool is None:
            return [solve_one(c, kwargs_of(c), options, starts.get(c.cid)) for c in todo]
        futures = [self.pool.submit(solve_one, c, kwargs_of(c), options, starts.get(c.cid)) for c in todo]
        return [f.result() for f in futures]

    def close(self):
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def _share(total: np.ndarray, used: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """Split ``total`` (...,) among components (C, ...) in proportion to ``used − floor``, each
    getting at least ``floor``. Where everyone fits, each keeps its use plus a proportional
    part of the rest."""
    extra_total = np.maximum(total - floor.sum(axis=0), 0.0)
    want = np.maximum(used - floor, 0.0)
    want_total = want.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(want_total > 0, want / want_total, 1.0 / used.shape[0])
    return floor + share * extra_total


def coordinate(comps: list[Component], n_wh: int, budget, volume_cap, vol_floor_by_comp,
               options: SolverOptions, *, workers: int, max_rounds: int, time_budget_s,
               target_gap: float, log: list) -> tuple[dict, float, float | None, int]:
    """Return ({cid: ComponentSolution}, best plan cost, best lower bound, rounds)."""
    start = time.perf_counter()
    T = comps[0].shape[1]
    B = np.full(T, np.inf) if budget is None else np.asarray(budget, dtype=float)
    V = volume_cap
    deadline = None if time_budget_s is None else start + time_budget_s
    runner = Runner(comps, workers, deadline)
    try:
        def record(results, phase):
            for cid, info, _ in results:
                log.append({"component": int(cid), "phase": phase, "status": info.status,
                            "objective": info.objective, "bound": info.bound, "gap": info.gap,
                            "wall_s": round(info.wall_s, 3)})

        def usage(sols):
            s = np.array([spend(c, sols[c.cid]) for c in comps])
            v = np.array([volume_use(c, sols[c.cid], n_wh) for c in comps])
            return s, v

        def plan_cost(sols):
            return sum(sum(true_cost(c, sols[c.cid]).values()) for c in comps)

        res = runner.run(lambda c: {}, options, share=0.5)
        record(res, "relaxed")
        sols = {cid: sol for cid, _, sol in res}
        bound = sum(info.bound if info.bound is not None else -np.inf for _, info, _ in res)
        s_use, v_use = usage(sols)
        fits = bool(np.all(s_use.sum(axis=0) <= B + 1e-6) and np.all(v_use.sum(axis=0) <= V + 1e-6))
        if fits:
            return sols, plan_cost(sols), bound, 0
        best_cost, best = np.inf, None
        best_lb = bound
        lam = np.zeros(T)
        mu = np.zeros((n_wh, T))
        rounds = 0
        for rounds in range(1, max_rounds + 1):
            # ---- repair: hard shares of budget and volume at true prices
            b_share = _share(np.where(np.isfinite(B), B, 0.0), s_use, np.zeros_like(s_use))
            v_share = _share(np.where(np.isfinite(V), V, 0.0), v_use, vol_floor_by_comp)
            idx = {c.cid: i for i, c in enumerate(comps)}

            def repair_kwargs(c):
                i = idx[c.cid]
                return {"budget": np.where(np.isfinite(B), b_share[i], np.inf),
                        "volume_cap": np.where(np.isfinite(V), v_share[i], np.inf)}

            res = runner.run(repair_kwargs, options, share=0.6,
                             starts={cid: sol.qty for cid, sol in sols.items()})
            record(res, f"repair{rounds}")
            rep = {cid: sol for cid, _, sol in res}
            cost = plan_cost(rep)
            if cost < best_cost:
                best_cost, best = cost, rep
            if best_lb > -np.inf and (best_cost - best_lb) <= target_gap * abs(best_cost):
                break
            if time_budget_s is not None and time.perf_counter() - start > time_budget_s:
                break
            # ---- price: Polyak subgradient step on the violated coupling rows
            g_b = np.where(np.isfinite(B), s_use.sum(axis=0) - B, 0.0)
            g_v = np.where(np.isfinite(V), v_use.sum(axis=0) - V, 0.0)
            norm2 = float(np.sum(g_b ** 2) + np.sum(g_v ** 2))
            if norm2 <= 0:
                break
            step = (best_cost - best_lb) / norm2 if np.isfinite(best_lb) else 1e-6
            lam = np.maximum(0.0, lam + step * g_b)
            mu = np.maximum(0.0, mu + step * g_v)
            res = runner.run(lambda c: {"budget_price": lam, "volume_price": mu}, options, share=0.5,
                             starts={cid: sol.qty for cid, sol in sols.items()})
            record(res, f"priced{rounds}")
            sols = {cid: sol for cid, _, sol in res}
            lb = sum(info.bound if info.bound is not None else -np.inf for _, info, _ in res)
            lb -= float(np.sum(lam[np.isfinite(B)] * B[np.isfinite(B)]))
            lb -= float(np.sum(mu[np.isfinite(V)] * V[np.isfinite(V)]))
            best_lb = max(best_lb, lb)
            s_use, v_use = usage(sols)
            if np.all(s_use.sum(axis=0) <= B + 1e-6) and np.all(v_use.sum(axis=0) <= V + 1e-6):
                cost = plan_cost(sols)  # the priced plan respects the budget and volumes
                if cost < best_cost:
                    best_cost, best = cost, sols
            if time_budget_s is not None and time.perf_counter() - start > time_budget_s:
                break
        return best, best_cost, (best_lb if np.isfinite(best_lb) else None), rounds
    finally:
        runner.close()
