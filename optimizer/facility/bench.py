"""Benchmarks of the facility location core: published instances and platform-scale ones.

``bench_orlib`` solves OR-Library / Holmberg files, compares each objective with the published
optimum (``capopt.txt`` / ``os`` next to the file) and, with ``reference=True``, runs the
textbook PuLP + CBC model (:mod:`optimizer.facility.reference`) on the same instances.
``bench_large`` generates seeded 100 x 1,000 instances at four capacity settings each.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

from optimizer.facility.cflp import DEFAULT_OPTIONS, evaluate, solve_facility_location
from optimizer.facility.instances import (
    FacilityProblem,
    generate_large,
    known_optimum,
    read_holmberg,
    read_orlib_cap,
)
from optimizer.facility.reference import REFERENCE_OPTIONS, solve_reference
from optimizer.solver import SolverError, SolverOptions

TOLERANCE = 1e-6


def load(path: str | Path, fmt: str, capacity: float | None) -> FacilityProblem:
    if fmt == "cap":
        return read_orlib_cap(path, capacity)
    if fmt == "sscflp":
        problem = read_holmberg(path)
        return problem.with_capacity(capacity) if capacity is not None else problem
    raise ValueError(f"unknown instance format {fmt!r}; use cap or sscflp")


def _run(solver, problem, optimum, single_source) -> dict:
    start = time.perf_counter()
    try:
        res = solver(problem, single_source=single_source)
    except SolverError as exc:
        return {
            "objective": None,
            "status": exc.status,
            "wall_s": round(time.perf_counter() - start, 4),
            "error": str(exc),
        }
    row = {
        "objective": res.objective,
        "bound": res.bound,
        "status": res.status,
        "wall_s": round(time.perf_counter() - start, 4),
    }
    recomputed = evaluate(problem, res.open, res.share)
    if not math.isclose(recomputed, res.objective, rel_tol=1e-7, abs_tol=1e-6):
        row["status"] = "inconsistent"
    if optimum is not None:
        rel = abs(res.objective - optimum) / abs(optimum)
        row["rel_error"] = rel
        row["at_optimum"] = rel <= TOLERANCE
    return row


def bench_orlib(
    paths: list[str | Path],
    fmt: str = "cap",
    capacity: float | None = None,
    single_source: bool = False,
    reference: bool = False,
    options: SolverOptions = DEFAULT_OPTIONS,
    reference_options: SolverOptions = REFERENCE_OPTIONS,
    progress=None,
) -> list[dict]:
    """One dict per instance: instance, objective, optimum, status, wall_s (+ reference_*)."""
    rows = []
    for path in paths:
        problem = load(path, fmt, capacity)
        optimum = known_optimum(path, capacity) if fmt == "cap" or capacity is None else None
        if fmt == "cap" and single_source:
            optimum = None  # capopt.txt lists split-demand optima
        row = {"instance": problem.name, "optimum": optimum}
        row.update(
            _run(
                lambda p, single_source: solve_facility_location(p, options, single_source),
                problem,
                optimum,
                single_source,
            )
        )
        if reference:
            ref = _run(
                lambda p, single_source: solve_reference(p, reference_options, single_source),
                problem,
                optimum,
                single_source,
            )
            row.update({f"reference_{k}": v for k, v in ref.items()})
        rows.append(row)
        if progress is not None:
            progress(row)
    return rows


def summarize(rows: list[dict]) -> dict:
    out = {
        "instances": len(rows),
        "at_optimum": sum(bool(r.get("at_optimum")) for r in rows),
        "with_known_optimum": sum(r.get("optimum") is not None for r in rows),
        "total_wall_s": round(sum(r["wall_s"] for r in rows), 3),
    }
    if rows and "reference_wall_s" in rows[0]:
        ref = sum(r["reference_wall_s"] for r in rows)
        out["reference_total_wall_s"] = round(ref, 3)
        out["reference_at_optimum"] = sum(bool(r.get("reference_at_optimum")) for r in rows)
        out["time_ratio"] = round(out["total_wall_s"] / ref, 4) if ref > 0 else None
    return out


LARGE_FAMILIES = {
    # name: (seed, tightest capacity, capacity ratio at that setting, fixed cost mean, settings)
    "A": (11, 8000.0, 1.4, 100_000.0, (8000.0, 10000.0, 12000.0, 14000.0)),
    "B": (12, 5000.0, 1.4, 60_000.0, (5000.0, 6000.0, 7000.0, 8000.0)),
    "C": (13, 5000.0, 1.4, 30_000.0, (5000.0, 5750.0, 6500.0, 7250.0)),
}


def large_instances(families=tuple(LARGE_FAMILIES)) -> list[FacilityProblem]:
    out = []
    for fam in families:
        seed, base, ratio, fixed, settings = LARGE_FAMILIES[fam]
        problem = generate_large(seed, capacity=base, capacity_ratio=ratio, fixed_cost_mean=fixed)
        out += [
            FacilityProblem(
                f"gen{fam}-{c:g}",
                problem.with_capacity(c).capacity,
                problem.fixed_cost,
                problem.demand,
                problem.cost,
            )
            for c in settings
        ]
    return out


def bench_large(
    families=tuple(LARGE_FAMILIES), time_limit_s: float = 60.0, progress=None
) -> list[dict]:
    rows = []
    for problem in large_instances(families):
        start, cpu = time.perf_counter(), time.process_time()
        res = solve_facility_location(problem, DEFAULT_OPTIONS.with_(time_limit_s=time_limit_s))
        row = {
            "instance": problem.name,
            "objective": res.objective,
            "bound": res.bound,
            "gap": res.gap,
            "status": res.status,
            "open": int(res.open.sum()),
            "wall_s": round(time.perf_counter() - start, 3),
            "cpu_s": round(time.process_time() - cpu, 3),
            "method": res.method,
            "stats": res.stats,
        }
        rows.append(row)
        if progress is not None:
            progress(row)
    return rows
