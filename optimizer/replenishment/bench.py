"""Benchmark of the purchase-order optimizer against the monolithic model handed to CBC.

``run_benchmark(items, warehouses, suppliers, periods, seed, time_limit_s)`` generates the
seeded instance of :mod:`optimizer.replenishment.generator` (every item at every warehouse, so
``items × warehouses`` item-locations), then

* **stockpilot**: :func:`solve_replenishment` with decomposition, 2 worker processes, HiGHS,
  a relative gap target of 0.4% per solve and a time budget of 65% of ``time_limit_s`` for the
  solves (the relaxed pass gets half of it, the repair and pricing passes shares of the rest);
  the other 35% is left for building, the process pool and the reasons of every line;
* **reference**: the same MILP built as one model (every component, the budget and volume
  rows) and handed straight to the CBC binary with ``time_limit_s`` and the same gap target —
  no decomposition, no start.

Both objectives are the model's objective (purchase + holding + lost sales + safety-stock
shortfall + purchase orders + priority tie-break − valued end stock), so they compare directly.
"""

from __future__ import annotations

import platform
import time

import numpy as np

from optimizer.replenishment.generator import generate_instance
from optimizer.replenishment.model import build
from optimizer.replenishment.prepare import (
    component_groups,
    make_component,
    prepare,
    projected_volume_without_orders,
)
from optimizer.replenishment.problem import ReplenishOptions
from optimizer.replenishment.solve import solve_replenishment
from optimizer.solver import NoSolutionError, SolverError, SolverOptions, solve_matrix

GAP_TARGET = 0.004


def _reference(problem, time_limit_s: float) -> dict:
    start = time.perf_counter()
    data = prepare(problem)
    floor = projected_volume_without_orders(data)
    vcap = np.maximum(data.volume_cap, np.where(np.isfinite(data.volume_cap), floor, -np.inf))
    comp = make_component(data, 0, np.arange(len(data.sku_keys)), np.arange(len(data.src_sku)))
    model, _ = build(comp, budget=data.budget, volume_cap=vcap, name="replenishment_monolithic")
    build_s = time.perf_counter() - start
    out = {"name": "monolithic MILP handed to CBC (no decomposition, no start)",
           "columns": int(model.A.shape[1]), "rows": int(model.A.shape[0]),
           "integer_columns": int(np.sum(model.integrality)), "build_s": round(build_s, 2)}
    try:
        info, _x = solve_matrix(model, SolverOptions(backend="cbc", time_limit_s=time_limit_s, mip_gap=GAP_TARGET))
        out.update(status=info.status, objective=info.objective, bound=info.bound, gap=info.gap,
                   cbc_status=info.extra.get("cbc_status", ""))
    except NoSolutionError as exc:
        out.update(status="no_solution", objective=None, bound=None, gap=None, note=str(exc))
    except SolverError as exc:
        out.update(status=exc.status, objective=None, bound=None, gap=None, note=str(exc))
    out["wall_s"] = round(time.perf_counter() - start, 2)
    return out


def run_benchmark(items: int, warehouses: int, suppliers: int, periods: int = 13, *, seed: int = 0,
                  time_limit_s: float = 60.0, reference: bool = True, progress: bool = False) -> dict:
    from tqdm import tqdm

    bar = tqdm(total=3 if reference else 2, disable=not progress, file=None, desc="bench replenishment")
    problem = generate_instance(items, warehouses, suppliers, periods, seed=seed)
    data = prepare(problem)
    n_comp = len(component_groups(data))
    bar.update(1)
    workers = 2
    per_solve = float(np.clip(0.45 * time_limit_s * workers / max(n_comp, 1), 0.2, time_limit_s))
    opts = ReplenishOptions(solver=SolverOptions(time_limit_s=per_solve, mip_gap=GAP_TARGET), workers=workers,
                            max_rounds=2, time_budget_s=0.65 * time_limit_s)
    start = time.perf_counter()
    res = solve_replenishment(problem, opts)
    ours_wall = time.perf_counter() - start
    bar.update(1)
    ours = {"objective": res.objective, "bound": res.bound, "gap": res.gap, "status": res.status,
            "wall_s": round(ours_wall, 2), "components": n_comp, "solves": len(res.solves),
            "per_solve_time_limit_s": round(per_solve, 3), "rounds": res.rounds, "lines": len(res.lines),
            "costs": {k: round(v, 2) for k, v in res.costs.items()},
            "max_solve_gap": max((s["gap"] for s in res.solves if s["gap"] is not None), default=None)}
    out = {"benchmark": "replenishment", "seed": seed, "time_limit_s": time_limit_s,
           "instance": {"items": items, "warehouses": warehouses, "suppliers": suppliers, "periods": periods,
                        "item_locations": len(problem.skus), "sources": len(problem.sources)},
           "machine": {"python": platform.python_version(), "cpus": 2},
           "stockpilot": ours}
    if reference:
        ref = _reference(problem, time_limit_s)
        bar.update(1)
        out["reference"] = ref
        out["speedup"] = round(ref["wall_s"] / ours_wall, 2) if ours_wall > 0 else None
        if ref.get("objective") is not None:
            out["objective_ratio"] = res.objective / ref["objective"] if ref["objective"] else None
    bar.close()
    goal = {"wall_s<60": ours_wall < 60, "gap<=0.5%": res.gap is not None and res.gap <= 0.005}
    if reference:
        r = out["reference"]
        goal["speedup>=5"] = bool(out.get("speedup") and out["speedup"] >= 5)
        goal["objective<=reference"] = r.get("objective") is None or res.objective <= r["objective"] + 1e-6
    out["goal"] = goal
    return out
