"""Monte Carlo evaluation of a presale plan, and the plan's metrics.

A plan is the first-stage commitment plus a recourse rule: for a presale outcome ``P`` (known
at the recourse week) use the recourse batches of the SAA node whose ``P_o`` is nearest to
``P`` (ties: the larger ``P_o``). With every order so fixed, each scenario's stock is allocated
to presale buyers (on time or late) and spot demand by the model's own second-stage LP
(balance, presale limit, holding, salvage, penalties), solved for all scenarios at once as one
block-diagonal LP. On the SAA's own scenarios this reproduces the SAA objective exactly
(tested); on fresh scenarios it is an unbiased estimate of the plan's profit under the model's
definition of profit. Like the SAA model, the allocation inside one scenario uses that
scenario's weekly spot demand with hindsight (orders never do).

Metrics (per scenario, then averaged with the scenario weights)
  profit                 revenue - production cost - holding - penalties + salvage + forfeits
  stock-out              some spot demand lost, or some presale order shipped after the promise
                         week or never (more than 1e-6 units)
  leftover               stock at the end of the horizon (units, salvaged)
  inventory turnover     7 * E[sum_t Ibar_t] / E[units sold]  (days of stock: average inventory
  days                   over average daily sales over the plan horizon; Ibar_t is the mean of
                         the stock after week t's arrivals and at its end, i.e. stock that
                         arrives and sells within a week counts half a week)
  presale share          E[presale units shipped] / E[all units shipped]
The 95% confidence half-width of the mean profit is 1.96 * std / sqrt(n) (weighted std,
effective n = 1 / sum w^2).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from optimizer.presale.model import PresaleSolution, demand_models
from optimizer.presale.problem import PresaleProblem
from optimizer.presale.sampling import ScenarioSet, build_scenarios
from optimizer.solver import SolverOptions, solve_highs_arrays

STOCKOUT_TOL_UNITS = 1e-6


@dataclass(frozen=True)
class PresaleMetrics:
    """Expected outcomes of a plan (money in currency, quantities in units)."""

    expected_profit: float
    profit_std: float
    profit_ci95: float
    profit_p05: float
    profit_p95: float
    stockout_probability: float
    expected_leftover_units: float
    expected_turnover_days: float
    presale_share: float
    expected_presale_units: float
    expected_spot_units_sold: float
    expected_spot_units_lost: float
    expected_presale_late_units: float
    expected_produced_units: float
    n_samples: int

    def as_dict(self) -> dict:
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def _arrivals(
    problem: PresaleProblem, solution: PresaleSolution, node_for: np.ndarray
) -> np.ndarray:
    """Arrivals per (plan node, week) and production cost per plan node."""
    T = problem.n_weeks
    n_plan_nodes = max(solution.scenarios.n_nodes, 1)
    arr = np.zeros((n_plan_nodes, T))
    cost = np.zeros(n_plan_nodes)
    batch_cost = {s.source_id: s.batch_cost for s in problem.sources}
    for row in solution.orders.itertuples(index=False):
        nodes = range(n_plan_nodes) if row.stage == "commit" else [row.node]
        for o in nodes:
            arr[o, row.arrival_week] += row.qty_units
            cost[o] += row.qty_units * row.unit_cost + batch_cost[row.source_id]
    return arr, cost


def nearest_node(plan_units: np.ndarray, units: np.ndarray) -> np.ndarray:
    """Index of the plan node whose presale units are nearest (ties: larger)."""
    order = np.argsort(plan_units, kind="stable")
    sorted_units = plan_units[order]
    pos = np.clip(np.searchsorted(sorted_units, units), 0, len(sorted_units) - 1)
    left = np.clip(pos - 1, 0, len(sorted_units) - 1)
    take_left = np.abs(units - sorted_units[left]) < np.abs(sorted_units[pos] - units)
    return order[np.where(take_left, left, pos)]


def _allocate(
    problem: PresaleProblem, arrivals: np.ndarray, presale: np.ndarray, spot: np.ndarray
) -> dict:
    """Optimal allocation of given arrivals (leaves x weeks) to each leaf's presale and spot
    demand: the second-stage LP of the SAA model with every order fixed, one block per leaf."""
    import scipy.sparse as sp

    c, eco = problem.campaign, problem.economics
    T, wp, launch = problem.n_weeks, problem.promise_week, problem.launch_week
    n = arrivals.shape[0]
    n_e = T - wp
    spot_weeks = [k for k in range(spot.shape[1]) if 0 <= launch + k < T]
    n_a = len(spot_weeks)
    nv = T + n_e + n_a
    # column costs (minimise -profit)
    cost = np.zeros(nv)
    cost[:T] = eco.holding_cost_per_unit_week
    cost[T - 1] -= eco.unit_salvage_value
    cost[T : T + n_e] = -(
        c.presale_net_price
        + problem.unfilled_penalty
        + eco.late_penalty_per_unit_week * (T - np.arange(wp, T))
    )
    cost[T + n_e :] = -(c.price + eco.spot_shortage_penalty)
    rows, cols, vals = [], [], []
    for t in range(T):  # balance: I_t - I_t-1 + e_t + a_t = A_t
        rows += [t]
        cols += [t]
        vals += [1.0]
        if t > 0:
            rows += [t]
            cols += [t - 1]
            vals += [-1.0]
        if t >= wp:
            rows += [t]
            cols += [T + t - wp]
            vals += [1.0]
    for j, k in enumerate(spot_weeks):
        rows += [launch + k]
        cols += [T + n_e + j]
        vals += [1.0]
    for j in range(n_e):  # presale: sum_t e_t <= P
        rows += [T]
        cols += [T + j]
        vals += [1.0]
    block = sp.csr_matrix((vals, (rows, cols)), shape=(T + 1, nv))
    matrix = sp.block_diag([block] * n, format="csc")
    rhs = arrivals.copy()
    rhs[:, 0] += eco.initial_on_hand_units
    row_lower = np.column_stack([rhs, np.full(n, -np.inf)]).ravel()
    row_upper = np.column_stack([rhs, presale]).ravel()
    col_upper = np.tile(np.concatenate([np.full(T + n_e, np.inf), np.zeros(n_a)]), (n, 1))
    if n_a:
        col_upper[:, T + n_e :] = spot[:, spot_weeks]
    sol = solve_highs_arrays(
        np.tile(cost, n),
        matrix,
        row_lower,
        row_upper,
        np.zeros(n * nv),
        col_upper.ravel(),
        options=SolverOptions(time_limit_s=None),
        name="presale_allocation",
    )
    x = sol.x.reshape(n, nv)
    inv = x[:, :T]
    ships = x[:, T : T + n_e]
    sales = x[:, T + n_e :]
    start = (
        np.concatenate([np.full((n, 1), eco.initial_on_hand_units), inv[:, :-1]], axis=1) + arrivals
    )
    backlog_weeks = (T - wp) * presale - ships @ (T - np.arange(wp, T)) if n_e else np.zeros(n)
    spot_total = spot.sum(axis=1)
    profit = (
        -(x @ cost)
        - (problem.unfilled_penalty + eco.late_penalty_per_unit_week * (T - wp)) * presale
        - eco.spot_shortage_penalty * spot[:, spot_weeks].sum(axis=1)
    )
    return {
        "profit": profit,
        "leftover": inv[:, T - 1],
        "inv_sum": (0.5 * (start + inv)).sum(axis=1),
        "presale_shipped": ships.sum(axis=1),
        "spot_sold": sales.sum(axis=1),
        "spot_lost": spot_total - sales.sum(axis=1),
        "presale_late": presale - (ships[:, 0] if n_e else 0.0),
        "backlog_weeks": backlog_weeks,
    }


def simulate(
    problem: PresaleProblem,
    solution: PresaleSolution,
    scenarios: ScenarioSet,
    plan_node_of_node: np.ndarray | None = None,
    chunk: int = 250,
) -> dict[str, np.ndarray]:
    """Per-leaf outcome arrays of ``solution`` on ``scenarios`` (see the module docstring)."""
    if plan_node_of_node is None:
        plan_node_of_node = nearest_node(solution.scenarios.presale_units, scenarios.presale_units)
    arr, cost = _arrivals(problem, solution, plan_node_of_node)
    leaf_plan = plan_node_of_node[scenarios.node_of_leaf]
    presale = scenarios.presale_units[scenarios.node_of_leaf].astype(float)
    parts = []
    for lo in range(0, scenarios.n_leaves, chunk):
        hi = min(lo + chunk, scenarios.n_leaves)
        parts.append(
            _allocate(problem, arr[leaf_plan[lo:hi]], presale[lo:hi], scenarios.spot[lo:hi])
        )
    out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    out["profit"] = (
        out["profit"] - cost[leaf_plan] + scenarios.forfeit_revenue[scenarios.node_of_leaf]
    )
    out["produced"] = arr[leaf_plan].sum(axis=1)
    return out


def summarize(outcome: dict[str, np.ndarray], weights: np.ndarray) -> PresaleMetrics:
    w = weights / weights.sum()
    profit = outcome["profit"]
    mean = float(w @ profit)
    std = float(math.sqrt(max(w @ (profit - mean) ** 2, 0.0)))
    n_eff = 1.0 / float(w @ w)
    order = np.argsort(profit)
    cum = np.cumsum(w[order])
    p05 = float(profit[order][min(np.searchsorted(cum, 0.05), len(cum) - 1)])
    p95 = float(profit[order][min(np.searchsorted(cum, 0.95), len(cum) - 1)])
    stockout = (outcome["spot_lost"] > STOCKOUT_TOL_UNITS) | (
        outcome["presale_late"] > STOCKOUT_TOL_UNITS
    )
    sold = float(w @ (outcome["presale_shipped"] + outcome["spot_sold"]))
    turnover = 7.0 * float(w @ outcome["inv_sum"]) / sold if sold > 0 else float("inf")
    return PresaleMetrics(
        expected_profit=mean,
        profit_std=std,
        profit_ci95=1.96 * std / math.sqrt(n_eff),
        profit_p05=p05,
        profit_p95=p95,
        stockout_probability=float(w @ stockout),
        expected_leftover_units=float(w @ outcome["leftover"]),
        expected_turnover_days=turnover,
        presale_share=float(w @ outcome["presale_shipped"]) / sold if sold > 0 else 0.0,
        expected_presale_units=float(w @ outcome["presale_shipped"]),
        expected_spot_units_sold=float(w @ outcome["spot_sold"]),
        expected_spot_units_lost=float(w @ outcome["spot_lost"]),
        expected_presale_late_units=float(w @ outcome["presale_late"]),
        expected_produced_units=float(w @ outcome["produced"]),
        n_samples=int(len(profit)),
    )


def in_sample_metrics(problem: PresaleProblem, solution: PresaleSolution) -> PresaleMetrics:
    """Metrics of the plan on the scenarios it was solved on (its SAA objective)."""
    sc = solution.scenarios
    out = simulate(problem, solution, sc, np.arange(sc.n_nodes))
    return summarize(out, sc.leaf_weight)


def evaluate_plan(
    problem: PresaleProblem, solution: PresaleSolution, n_samples: int = 10_000, seed: int = 12_345
) -> PresaleMetrics:
    """Independent Monte Carlo estimate of the plan's metrics on ``n_samples`` fresh scenarios
    (fresh seed; every scenario draws its own presale outcome)."""
    conversion, forecast = demand_models(problem)
    fresh = build_scenarios(problem, conversion, forecast, n_samples, seed, tree=False)
    return summarize(simulate(problem, solution, fresh), fresh.leaf_weight)
