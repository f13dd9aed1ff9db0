"""Solver plumbing: the one place that chooses and configures a solver and reads its status.

Model modules build a PuLP problem (or an OR-Tools ``pywraplp`` / CP-SAT model) and hand it to
:func:`solve_pulp` or :func:`solve_ortools`; they never set time limits, gaps, threads or seeds
themselves, and never read a solution before this module has checked the status.

Backends
--------
``highs``          PuLP + HiGHS through highspy (in-process; the default)
``cbc``            PuLP + COIN-OR CBC (the binary bundled with PuLP)
``ortools-scip``   OR-Tools linear solver wrapper with SCIP
``ortools-cbc``    OR-Tools linear solver wrapper with CBC
``ortools-highs``  OR-Tools linear solver wrapper with HiGHS
``ortools-glop``   OR-Tools GLOP (pure LPs only)

Errors
------
Every failure raises a subclass of :class:`SolverError` carrying the solver's termination
(``status``); :class:`InfeasibleError` also carries ``conflicts``, the names of the constraints
that an elastic relaxation had to violate (see :func:`explain_infeasible_pulp`). Nothing here
returns ``None`` for "no solution".

The relative MIP gap defaults to 1e-6: with HiGHS' own default of 1e-4 a solve was seen to stop
1.2e-5 above the optimum of OR-Library's cap44 (shared/data/README.md).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import pulp

PULP_BACKENDS = ("highs", "cbc")
ORTOOLS_BACKENDS = ("ortools-scip", "ortools-cbc", "ortools-highs", "ortools-glop")
BACKENDS = PULP_BACKENDS + ORTOOLS_BACKENDS


class SolverError(RuntimeError):
    """A solve ended without a usable solution. ``status`` is the solver's termination."""

    def __init__(self, message: str, status: str = "error"):
        super().__init__(message)
        self.status = status


class InfeasibleError(SolverError):
    """The model has no feasible solution; ``conflicts`` names the constraints in conflict."""

    def __init__(self, message: str, conflicts: list[str] | None = None):
        self.conflicts = list(conflicts or [])
        if self.conflicts:
            message = f"{message}; conflicting constraints: " + "; ".join(self.conflicts[:20])
            if len(self.conflicts) > 20:
                message += f" (+{len(self.conflicts) - 20} more)"
        super().__init__(message, status="infeasible")


class UnboundedError(SolverError):
    def __init__(self, message: str):
        super().__init__(message, status="unbounded")


class NoSolutionError(SolverError):
    """The time limit (or another limit) was hit before any feasible solution was found."""

    def __init__(self, message: str):
        super().__init__(message, status="no_solution")


@dataclass(frozen=True)
class SolverOptions:
    """How to solve. ``time_limit_s=None`` means no limit; ``mip_gap`` is relative."""

    backend: str = "highs"
    time_limit_s: float | None = 60.0
    mip_gap: float = 1e-6
    threads: int = 1
    seed: int = 0
    verbose: bool = False

    def __post_init__(self):
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown solver backend {self.backend!r}; choose one of {BACKENDS}")
        if self.time_limit_s is not None and self.time_limit_s <= 0:
            raise ValueError("time_limit_s must be positive or None")
        if not 0 <= self.mip_gap < 1:
            raise ValueError("mip_gap must be in [0, 1)")
        if self.threads < 1:
            raise ValueError("threads must be at least 1")

    def with_(self, **changes) -> SolverOptions:
        return replace(self, **changes)


@dataclass(frozen=True)
class SolveInfo:
    """What a successful solve reports. ``status`` is ``optimal`` or ``feasible`` (limit hit
    with an incumbent); ``gap`` is the relative gap between objective and best bound when the
    solver reports a bound, 0 for a proven optimum, ``None`` when unknown."""

    status: str
    objective: float
    bound: float | None
    gap: float | None
    wall_s: float
    backend: str
    solver_version: str = ""
    extra: dict = field(default_factory=dict)


def relative_gap(objective: float, bound: float | None) -> float | None:
    if bound is None or not math.isfinite(bound):
        return None
    return abs(objective - bound) / max(abs(objective), 1e-9)


def solver_versions() -> dict[str, str]:
    """Versions of every solver library, recorded by plan runs for reproducibility."""
    import highspy
    import ortools

    highs_version = ".".join(
        str(getattr(highspy, f"HIGHS_VERSION_{part}", "?")) for part in ("MAJOR", "MINOR", "PATCH")
    )
    return {"pulp": pulp.__version__, "ortools": ortools.__version__, "highs": str(highs_version)}


# --------------------------------------------------------------------------------------- PuLP
def _pulp_solver(options: SolverOptions):
    common = dict(msg=options.verbose, timeLimit=options.time_limit_s, gapRel=options.mip_gap)
    if options.backend == "highs":
        return pulp.HiGHS(threads=options.threads, random_seed=options.seed, **common)
    if options.backend == "cbc":
        return pulp.PULP_CBC_CMD(threads=options.threads, options=[f"randomSeed {options.seed + 1}"], **common)
    raise ValueError(f"backend {options.backend!r} is not a PuLP backend; use solve_ortools")


def solve_pulp(prob: pulp.LpProblem, options: SolverOptions = SolverOptions(),
               explain: bool = True) -> SolveInfo:
    """Solve ``prob`` in place and return its :class:`SolveInfo`, or raise.

    With ``explain=True`` an infeasible model is re-solved as an elastic model to name the
    constraints in conflict (:func:`explain_infeasible_pulp`).
    """
    solver = _pulp_solver(options)
    if options.backend == "highs":
        _new_highs()  # the one-time HiGHS banner goes to stderr, never into JSON on stdout
    start = time.perf_counter()
    prob.solve(solver)
    wall = time.perf_counter() - start
    status = pulp.LpStatus[prob.status]
    sol_status = prob.sol_status
    bound = None
    if options.backend == "highs" and getattr(prob, "solverModel", None) is not None:
        info = prob.solverModel.getInfo()
        if prob.isMIP() and info.mip_node_count >= 0:
            # HiGHS sees the model without its objective constant, and negated when it is a
            # maximisation (PuLP hands HiGHS "min -f"): map its dual bound back onto the model
            highs_obj = float(info.objective_function_value)
            bound = float(pulp.value(prob.objective) or 0.0) - prob.sense * (highs_obj - float(info.mip_dual_bound))
    if status == "Infeasible":
        conflicts = explain_infeasible_pulp(prob, options) if explain else []
        raise InfeasibleError(f"model {prob.name!r} is infeasible", conflicts)
    if status == "Unbounded":
        raise UnboundedError(f"model {prob.name!r} is unbounded")
    if sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        if status == "Not Solved" or sol_status == pulp.LpSolutionNoSolutionFound:
            raise NoSolutionError(
                f"model {prob.name!r}: no feasible solution within {options.time_limit_s} s"
            )
        raise SolverError(f"model {prob.name!r}: solver ended with status {status}", status)
    objective = float(pulp.value(prob.objective) or 0.0)
    optimal = sol_status == pulp.LpSolutionOptimal
    if optimal and bound is None:
        gap: float | None = 0.0
    else:
        gap = relative_gap(objective, bound)
    return SolveInfo(
        status="optimal" if optimal else "feasible",
        objective=objective,
        bound=bound if bound is not None else (objective if optimal else None),
        gap=gap,
        wall_s=wall,
        backend=options.backend,
        solver_version=solver_versions().get("highs" if options.backend == "highs" else "pulp", ""),
    )


def explain_infeasible_pulp(prob: pulp.LpProblem, options: SolverOptions = SolverOptions()) -> list[str]:
    """Name the constraints of an infeasible problem that must be violated.

    Builds the elastic model: every constraint ``a x (<=,=,>=) b`` gets non-negative slack
    variables so it always holds, and the total slack is minimised (integrality kept). The
    constraints whose slack is positive at the optimum form a minimal-cost violation set, the
    practical counterpart of an IIS. Constraint names are the model's own, so models should
    name them after the rule and the entity ("moq[item=A-113,week=3]").
    """
    elastic = pulp.LpProblem(f"{prob.name}_elastic", pulp.LpMinimize)
    slacks: list[tuple[str, pulp.LpVariable]] = []
    for idx, con in enumerate(prob.constraints()):
        name = con.name
        rhs = -con.constant
        lhs = pulp.lpSum(coef * var for var, coef in con.items())
        if con.sense in (pulp.LpConstraintLE, pulp.LpConstraintEQ):
            s_minus = elastic.add_variable(f"_el_m{idx}", lowBound=0)
            slacks.append((name, s_minus))
        else:
            s_minus = 0
        if con.sense in (pulp.LpConstraintGE, pulp.LpConstraintEQ):
            s_plus = elastic.add_variable(f"_el_p{idx}", lowBound=0)
            slacks.append((name, s_plus))
        else:
            s_plus = 0
        new = pulp.LpConstraint(lhs - s_minus + s_plus, sense=con.sense, rhs=rhs, name=name)
        elastic += new
    elastic += pulp.lpSum(s for _, s in slacks)
    try:
        elastic.solve(_pulp_solver(options.with_(mip_gap=max(options.mip_gap, 1e-6))))
    except pulp.PulpSolverError:  # pragma: no cover - solver binary failure
        return []
    if elastic.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return []
    violated: list[str] = []
    for name, var in slacks:
        if (var.value() or 0.0) > 1e-6 and name not in violated:
            violated.append(name)
    return violated


# ------------------------------------------------------------------------------------ OR-Tools
_ORTOOLS_IDS = {"ortools-scip": "SCIP", "ortools-cbc": "CBC", "ortools-highs": "HIGHS",
                "ortools-glop": "GLOP"}


def make_ortools_solver(options: SolverOptions):
    """A configured ``pywraplp.Solver`` for an ``ortools-*`` backend."""
    from ortools.linear_solver import pywraplp

    if options.backend not in _ORTOOLS_IDS:
        raise ValueError(f"backend {options.backend!r} is not an OR-Tools backend; use solve_pulp")
    solver = pywraplp.Solver.CreateSolver(_ORTOOLS_IDS[options.backend])
    if solver is None:  # pragma: no cover - build without that solver
        raise SolverError(f"OR-Tools was built without {options.backend}", "unavailable")
    if options.time_limit_s is not None:
        solver.SetTimeLimit(int(options.time_limit_s * 1000))
    solver.SetNumThreads(options.threads)
    if options.verbose:
        solver.EnableOutput()
    return solver


def solve_ortools(solver, options: SolverOptions, name: str = "model") -> SolveInfo:
    """Solve a model built on :func:`make_ortools_solver` and check its status."""
    from ortools.linear_solver import pywraplp

    params = pywraplp.MPSolverParameters()
    if options.backend != "ortools-glop":
        params.SetDoubleParam(pywraplp.MPSolverParameters.RELATIVE_MIP_GAP, options.mip_gap)
    start = time.perf_counter()
    code = solver.Solve(params)
    wall = time.perf_counter() - start
    if code == pywraplp.Solver.INFEASIBLE:
        raise InfeasibleError(f"model {name!r} is infeasible")
    if code == pywraplp.Solver.UNBOUNDED:
        raise UnboundedError(f"model {name!r} is unbounded")
    if code not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        if code == pywraplp.Solver.NOT_SOLVED:
            raise NoSolutionError(f"model {name!r}: no feasible solution within {options.time_limit_s} s")
        raise SolverError(f"model {name!r}: solver ended with code {code}", "error")
    objective = solver.Objective().Value()
    try:
        bound = solver.Objective().BestBound()
    except Exception:  # pragma: no cover
        bound = None
    optimal = code == pywraplp.Solver.OPTIMAL
    gap = 0.0 if optimal and bound is None else relative_gap(objective, bound)
    if optimal and gap is not None and gap > options.mip_gap * 1.01 and solver.NumVariables() and not any(
        v.integer() for v in solver.variables()
    ):
        gap = 0.0  # pure LP: the reported bound is meaningless
    return SolveInfo(
        status="optimal" if optimal else "feasible",
        objective=objective,
        bound=bound,
        gap=gap,
        wall_s=wall,
        backend=options.backend,
        solver_version=solver.SolverVersion(),
    )


# ------------------------------------------------------------------------ HiGHS, matrix form
@dataclass(frozen=True)
class ArraySolution:
    """What :func:`solve_highs_arrays` returns: the :class:`SolveInfo`, the column values and,
    for pure LPs, the row duals (``None`` for MIPs)."""

    info: SolveInfo
    x: "object"  # numpy array of column values
    row_dual: "object | None" = None


def _new_highs():
    """A ``highspy.Highs`` whose one-time copyright banner goes to stderr, not stdout (the
    benchmarks print JSON on stdout)."""
    import os
    import sys

    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def solve_highs_arrays(cost, matrix, row_lower, row_upper, col_lower, col_upper,
                       integrality=None, options: SolverOptions = SolverOptions(),
                       name: str = "model", cutoff: float | None = None,
                       lp_method: str | None = None, presolve: bool = True) -> ArraySolution:
    """Minimise ``cost @ x`` s.t. ``row_lower <= matrix @ x <= row_upper``, bounds on ``x``,
    ``x[k]`` integer where ``integrality[k]`` is true — handed to HiGHS in matrix form.

    For models with 10^5..10^6 columns (facility location at platform scale, stock deployment
    of thousands of items) building them column by column through PuLP costs more than the
    solve; here the model arrives as a ``scipy.sparse`` matrix. ``cutoff`` is an upper bound on
    the optimum known from a heuristic (HiGHS ``objective_bound``): branches that cannot beat
    it are pruned. ``lp_method`` picks HiGHS' LP algorithm (``simplex``, ``primal-simplex``, ``ipm``, ``pdlp``;
    default: HiGHS' choice) and ``presolve=False`` turns HiGHS presolve off — both measured
    per model by its caller. Uses ``options`` for time limit, relative gap, threads and seed; raises like
    :func:`solve_pulp`.
    """
    import highspy
    import numpy as np
    import scipy.sparse as sp

    a = sp.csc_matrix(matrix)
    a.sort_indices()
    n_col, n_row = a.shape[1], a.shape[0]
    h = _new_highs()
    h.setOptionValue("output_flag", bool(options.verbose))
    if options.time_limit_s is not None:
        h.setOptionValue("time_limit", float(options.time_limit_s))
    h.setOptionValue("mip_rel_gap", float(options.mip_gap))
    h.setOptionValue("random_seed", int(options.seed))
    h.setOptionValue("threads", int(options.threads))
    if cutoff is not None:
        h.setOptionValue("objective_bound", float(cutoff))
    if not presolve:
        h.setOptionValue("presolve", "off")
    if lp_method is not None:
        if lp_method == "primal-simplex":
            h.setOptionValue("solver", "simplex")
            h.setOptionValue("simplex_strategy", 4)
        else:
            h.setOptionValue("solver", lp_method)
    lp = highspy.HighsLp()
    lp.num_col_ = n_col
    lp.num_row_ = n_row
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.asarray(col_lower, dtype=float)
    lp.col_upper_ = np.asarray(col_upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lower, dtype=float)
    lp.row_upper_ = np.asarray(row_upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    is_mip = integrality is not None and bool(np.any(integrality))
    if is_mip:
        lp.integrality_ = [highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
                           for flag in np.asarray(integrality, dtype=bool)]
    h.passModel(lp)
    start = time.perf_counter()
    h.run()
    wall = time.perf_counter() - start
    status = h.getModelStatus()
    ms = highspy.HighsModelStatus
    info = h.getInfo()
    if status == ms.kInfeasible:
        raise InfeasibleError(f"model {name!r} is infeasible")
    if status in (ms.kUnbounded, ms.kUnboundedOrInfeasible):
        raise UnboundedError(f"model {name!r} is unbounded or infeasible")
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if status != ms.kOptimal and not has_solution:
        if status == ms.kObjectiveBound and cutoff is not None:
            # the search proved that nothing beats the cutoff: infeasible *given* the cutoff
            raise InfeasibleError(f"model {name!r}: no solution better than the cutoff {cutoff:g}")
        if status in (ms.kTimeLimit, ms.kIterationLimit, ms.kSolutionLimit, ms.kInterrupt,
                      ms.kObjectiveBound):
            raise NoSolutionError(f"model {name!r}: no feasible solution within {options.time_limit_s} s")
        raise SolverError(f"model {name!r}: HiGHS ended with {h.modelStatusToString(status)}",
                          "error")
    sol = h.getSolution()
    x = np.asarray(sol.col_value, dtype=float)
    objective = float(info.objective_function_value)
    optimal = status == ms.kOptimal
    bound = float(info.mip_dual_bound) if is_mip else (objective if optimal else None)
    gap = relative_gap(objective, bound) if is_mip else (0.0 if optimal else None)
    row_dual = None if is_mip else np.asarray(sol.row_dual, dtype=float)
    return ArraySolution(
        info=SolveInfo(status="optimal" if optimal else "feasible", objective=objective,
                       bound=bound, gap=gap, wall_s=wall, backend="highs",
                       solver_version=h.version(),
                       extra={"nodes": int(getattr(info, "mip_node_count", 0) or 0)}),
        x=x, row_dual=row_dual)


# ------------------------------------------------------------------------------ matrix models
@dataclass(frozen=True)
class MatrixModel:
    """A MILP in matrix form, ``min c·x  s.t.  row_lower ≤ A x ≤ row_upper,
    col_lower ≤ x ≤ col_upper, x_j integer where integrality[j]``.

    For models too large to build through PuLP's Python objects (hundreds of thousands of
    columns): the model module assembles numpy arrays and a ``scipy.sparse`` matrix ``A``; this
    module hands them to the backend. ``row_names`` (optional) name the rows after the rule and
    entity, as for PuLP constraints."""

    name: str
    c: object            # np.ndarray (n,)
    A: object            # scipy.sparse matrix (m, n)
    row_lower: object    # np.ndarray (m,), -inf allowed
    row_upper: object    # np.ndarray (m,), +inf allowed
    col_lower: object    # np.ndarray (n,)
    col_upper: object    # np.ndarray (n,), +inf allowed
    integrality: object  # np.ndarray (n,) of bool
    row_names: tuple[str, ...] = ()


def _highs_from_matrix(model: MatrixModel, options: SolverOptions):
    import highspy
    import numpy as np

    A = model.A.tocsc()
    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(options.verbose))
    if options.time_limit_s is not None:
        h.setOptionValue("time_limit", float(options.time_limit_s))
    h.setOptionValue("mip_rel_gap", float(options.mip_gap))
    h.setOptionValue("threads", int(options.threads))
    h.setOptionValue("random_seed", int(options.seed))
    n, m = A.shape[1], A.shape[0]
    status = h.passModel(
        n, m, int(A.nnz), int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize), 0.0,
        np.asarray(model.c, dtype=float), np.asarray(model.col_lower, dtype=float),
        np.asarray(model.col_upper, dtype=float), np.asarray(model.row_lower, dtype=float),
        np.asarray(model.row_upper, dtype=float), A.indptr.astype(np.int32),
        A.indices.astype(np.int32), A.data.astype(float),
        np.asarray(model.integrality, dtype=np.int32))
    if status != highspy.HighsStatus.kOk:
        raise SolverError(f"model {model.name!r}: HiGHS rejected the model ({status})")
    return h


def _solve_matrix_highs(model: MatrixModel, options: SolverOptions, start=None):
    import highspy
    import numpy as np

    h = _highs_from_matrix(model, options)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = np.asarray(start, dtype=float).tolist()
        sol.value_valid = True
        h.setSolution(sol)
    start = time.perf_counter()
    h.run()
    wall = time.perf_counter() - start
    ms = h.getModelStatus()
    info = h.getInfo()
    if ms == highspy.HighsModelStatus.kInfeasible:
        raise InfeasibleError(f"model {model.name!r} is infeasible")
    if ms in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        raise UnboundedError(f"model {model.name!r} is unbounded or infeasible")
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if not has_solution:
        if ms == highspy.HighsModelStatus.kTimeLimit:
            raise NoSolutionError(f"model {model.name!r}: no feasible solution within {options.time_limit_s} s")
        raise SolverError(f"model {model.name!r}: HiGHS ended with {h.modelStatusToString(ms)}", "error")
    optimal = ms == highspy.HighsModelStatus.kOptimal
    objective = float(info.objective_function_value)
    is_mip = bool(np.any(model.integrality))
    bound = float(info.mip_dual_bound) if is_mip else (objective if optimal else None)
    gap = relative_gap(objective, bound) if bound is not None else None
    if optimal and gap is not None and gap > options.mip_gap:
        gap = relative_gap(objective, bound)  # within HiGHS' own tolerance; report as measured
    x = np.asarray(h.getSolution().col_value, dtype=float)
    return SolveInfo(status="optimal" if optimal else "feasible", objective=objective, bound=bound,
                     gap=gap, wall_s=wall, backend="highs",
                     solver_version=solver_versions()["highs"]), x


def write_mps(model: MatrixModel, path: str) -> None:
    """Write the model as a free-format MPS file (through HiGHS' writer)."""
    h = _highs_from_matrix(model, SolverOptions(time_limit_s=None))
    h.writeModel(str(path))


def _solve_matrix_cbc(model: MatrixModel, options: SolverOptions):
    """Hand the model straight to the CBC binary bundled with PuLP (MPS in, solution file out)."""
    import re
    import subprocess
    import tempfile
    from pathlib import Path

    import numpy as np

    from pulp.apis import coin_api

    cbc = coin_api.PULP_CBC_CMD.pulp_cbc_path  # the bundled binary, without the deprecated class
    with tempfile.TemporaryDirectory(prefix="sp_cbc_") as tmp:
        mps, sol = Path(tmp) / "model.mps", Path(tmp) / "model.sol"
        start = time.perf_counter()
        write_mps(model, mps)
        args = [cbc, str(mps), "-threads", str(options.threads), "-randomSeed", str(options.seed + 1),
                "-ratioGap", repr(options.mip_gap)]
        if options.time_limit_s is not None:
            args += ["-sec", repr(float(options.time_limit_s))]
        args += ["-solve", "-printingOptions", "all", "-solution", str(sol)]
        hard_stop = None if options.time_limit_s is None else 3 * options.time_limit_s + 60
        try:  # CBC checks its limit only in branch and bound; a root LP can run past it
            proc = subprocess.run(args, capture_output=True, text=True, check=False, timeout=hard_stop)
        except subprocess.TimeoutExpired:
            raise NoSolutionError(f"model {model.name!r}: CBC still running {hard_stop:.0f} s after the "
                                  f"start (limit {options.time_limit_s} s); stopped") from None
        wall = time.perf_counter() - start
        log = proc.stdout
        if options.verbose:  # pragma: no cover
            print(log)
        if not sol.exists():
            raise SolverError(f"model {model.name!r}: CBC wrote no solution (exit {proc.returncode})")
        lines = sol.read_text().splitlines()
    head = lines[0].lower() if lines else ""
    if "infeasible" in head and "objective" not in head:
        raise InfeasibleError(f"model {model.name!r} is infeasible")
    if head.startswith("infeasible"):
        raise InfeasibleError(f"model {model.name!r} is infeasible")
    if "unbounded" in head:
        raise UnboundedError(f"model {model.name!r} is unbounded")
    if "no feasible" in log.lower() or "no solution" in head:
        raise NoSolutionError(f"model {model.name!r}: no feasible solution within {options.time_limit_s} s")
    x = np.zeros(model.A.shape[1])
    for line in lines[1:]:  # "index name value reduced_cost"; rows (r*) and columns (c*) by name
        parts = line.replace("**", " ").split()
        if len(parts) >= 3 and parts[1].startswith("c") and parts[1][1:].isdigit():
            x[int(parts[1][1:])] = float(parts[2])
    act = model.A @ x
    tol = 1e-6 * (1 + np.abs(act))
    if np.any(act < np.asarray(model.row_lower) - tol) or np.any(act > np.asarray(model.row_upper) + tol):
        # at a time limit without an incumbent CBC writes its last LP point (rows marked "**")
        raise NoSolutionError(f"model {model.name!r}: CBC found no feasible solution within "
                              f"{options.time_limit_s} s ({lines[0].strip() if lines else 'no status'})")
    objective = float(np.dot(np.asarray(model.c, dtype=float), x))
    optimal = head.startswith("optimal")
    bound = objective if optimal else None
    m = re.search(r"Lower bound:\s*([-0-9.eE+]+)", log)
    if m and not optimal:
        bound = float(m.group(1))
    return SolveInfo(status="optimal" if optimal else "feasible", objective=objective, bound=bound,
                     gap=0.0 if optimal else relative_gap(objective, bound), wall_s=wall, backend="cbc",
                     solver_version=pulp.__version__, extra={"cbc_status": lines[0] if lines else ""}), x


def _solve_matrix_ortools(model: MatrixModel, options: SolverOptions):
    """Build the model in OR-Tools' linear solver wrapper (row by row) and solve it."""
    import numpy as np

    solver = make_ortools_solver(options)
    inf = solver.infinity()
    lower = np.asarray(model.col_lower, dtype=float)
    upper = np.asarray(model.col_upper, dtype=float)
    integ = np.asarray(model.integrality, dtype=bool)
    glop = options.backend == "ortools-glop"
    cols = [(solver.IntVar if integ[j] and not glop else solver.NumVar)(
        float(lower[j]), float(upper[j]) if np.isfinite(upper[j]) else inf, f"x{j}")
        for j in range(len(lower))]
    A = model.A.tocsr()
    rl, ru = np.asarray(model.row_lower, dtype=float), np.asarray(model.row_upper, dtype=float)
    for i in range(A.shape[0]):
        row = solver.RowConstraint(float(rl[i]) if np.isfinite(rl[i]) else -inf,
                                   float(ru[i]) if np.isfinite(ru[i]) else inf, f"r{i}")
        for k in range(A.indptr[i], A.indptr[i + 1]):
            row.SetCoefficient(cols[A.indices[k]], float(A.data[k]))
    obj = solver.Objective()
    for j, cj in enumerate(np.asarray(model.c, dtype=float)):
        if cj:
            obj.SetCoefficient(cols[j], float(cj))
    obj.SetMinimization()
    info = solve_ortools(solver, options, name=model.name)
    return info, np.array([v.solution_value() for v in cols])


def solve_matrix(model: MatrixModel, options: SolverOptions = SolverOptions(), start=None):
    """Solve a :class:`MatrixModel`; returns ``(SolveInfo, x)`` with ``x`` the column values,
    or raises like :func:`solve_pulp` (InfeasibleError carries no conflicts: matrix models
    explain infeasibility with their own elastic formulation, which knows the rules).
    ``start`` is an optional feasible column vector handed to HiGHS as a MIP start (ignored by
    the other backends)."""
    if options.backend == "highs":
        return _solve_matrix_highs(model, options, start)
    if options.backend == "cbc":
        return _solve_matrix_cbc(model, options)
    return _solve_matrix_ortools(model, options)
