"""The textbook capacitated facility location model, as a reference for the benchmarks.

    min  sum_i f_i y_i + sum_ij c_ij x_ij
    s.t. sum_i x_ij = 1                  for all j
         sum_j d_j x_ij <= s_i y_i       for all i
         y_i in {0,1}, x_ij in [0,1] (single-source: {0,1})

written in PuLP term by term as a course or tutorial writes it (no linking rows x_ij <= y_i,
no aggregate cut) and solved by CBC through :func:`optimizer.solver.solve_pulp` with the same
relative gap as stockpilot's model, so both must reach the optimum and only the time differs.
"""

from __future__ import annotations

import time

import numpy as np
import pulp

from optimizer.facility.cflp import FacilityResult
from optimizer.facility.instances import FacilityProblem
from optimizer.solver import SolverOptions, solve_pulp

REFERENCE_OPTIONS = SolverOptions(backend="cbc", time_limit_s=600.0, mip_gap=1e-9)


def solve_reference(
    problem: FacilityProblem,
    options: SolverOptions = REFERENCE_OPTIONS,
    single_source: bool = False,
) -> FacilityResult:
    start = time.perf_counter()
    m, n = problem.m, problem.n
    prob = pulp.LpProblem(f"cflp_{problem.name}", pulp.LpMinimize)
    y = [prob.add_variable(f"y_{i}", 0, 1, cat="Binary") for i in range(m)]
    cat = "Binary" if single_source else "Continuous"
    x = [[prob.add_variable(f"x_{i}_{j}", 0, 1, cat=cat) for j in range(n)] for i in range(m)]
    prob += pulp.lpSum(float(problem.fixed_cost[i]) * y[i] for i in range(m)) + pulp.lpSum(
        float(problem.cost[i, j]) * x[i][j] for i in range(m) for j in range(n)
    )
    for j in range(n):
        prob += pulp.lpSum(x[i][j] for i in range(m)) == 1, f"demand_{j}"
    for i in range(m):
        prob += (
            (
                pulp.lpSum(float(problem.demand[j]) * x[i][j] for j in range(n))
                <= float(problem.capacity[i]) * y[i]
            ),
            f"capacity_{i}",
        )
    info = solve_pulp(prob, options, explain=False)
    open_ = np.array([(v.value() or 0.0) > 0.5 for v in y])
    share = np.array([[x[i][j].value() or 0.0 for j in range(n)] for i in range(m)])
    bound = info.bound if info.bound is not None else info.objective
    return FacilityResult(
        problem.name,
        info.objective,
        bound,
        info.status,
        open_,
        share,
        time.perf_counter() - start,
        f"textbook-pulp-{options.backend}",
    )
