"""Monte Carlo evaluation of a presale plan, and the plan's metrics.

A plan is the first-stage commitment plus a recourse rule: for a presale outcome ``P`` (known
at the recourse week) use the recourse batches of the SAA node whose ``P_o`` is nearest to
``P`` (ties: the larger ``P_o``). Each scenario is then simulated week by week with the
priority rule the model's economics make optimal (validated in
:func:`optimizer.presale.campaign.validate_problem`): from the promise week on, stock goes first
to presale buyers still waiting, then to spot demand of the week; what is left is held (cost h
per unit-week) and salvaged at the end of the horizon. Because spot sales start no earlier than
the promise week and an unfilled presale order costs at least the price difference, this rule
is an optimal allocation, so the simulation reproduces the SAA objective exactly on the SAA's
own scenarios (tested) and is an unbiased estimate of the plan's profit on fresh ones.

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

from optimizer.presale.campaign import PresaleProblem
from optimizer.presale.model import PresaleSolution, demand_models
from optimizer.presale.sampling import ScenarioSet, build_scenarios

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


def _arrivals(problem: PresaleProblem, solution: PresaleSolution, node_for: np.ndarray) -> np.ndarray:
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


def simulate(problem: PresaleProblem, solution: PresaleSolution, scenarios: ScenarioSet,
             plan_node_of_node: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per-leaf outcome arrays of ``solution`` on ``scenarios`` (see the module docstring)."""
    c, eco = problem.campaign, problem.economics
    T, wp, launch = problem.n_weeks, problem.promise_week, problem.launch_week
    if plan_node_of_node is None:
        plan_node_of_node = nearest_node(solution.scenarios.presale_units, scenarios.presale_units)
    arr, cost = _arrivals(problem, solution, plan_node_of_node)
    leaf_plan = plan_node_of_node[scenarios.node_of_leaf]
    leaf_arr = arr[leaf_plan]
    n = scenarios.n_leaves
    backlog = scenarios.presale_units[scenarios.node_of_leaf].astype(float).copy()
    inv = np.full(n, eco.initial_on_hand_units, dtype=float)
    profit = -cost[leaf_plan] + scenarios.forfeit_revenue[scenarios.node_of_leaf]
    inv_sum = np.zeros(n)
    shipped_p = np.zeros(n)
    sold_s = np.zeros(n)
    lost_s = np.zeros(n)
    late = np.zeros(n)
    for t in range(T):
        inv += leaf_arr[:, t]
        start_inv = inv.copy()
        if t >= wp:
            ship = np.minimum(inv, backlog)
            inv -= ship
            backlog -= ship
            shipped_p += ship
            profit += c.presale_net_price * ship
            profit -= eco.late_penalty_per_unit_week * backlog
            if t == wp:
                late += backlog
        k = t - launch
        if 0 <= k < scenarios.spot.shape[1]:
            d = scenarios.spot[:, k]
            sale = np.minimum(inv, d)
            inv -= sale
            sold_s += sale
            lost_s += d - sale
            profit += c.price * sale - eco.spot_shortage_penalty * (d - sale)
        profit -= eco.holding_cost_per_unit_week * inv
        inv_sum += 0.5 * (start_inv + inv)
    profit += eco.unit_salvage_value * inv - problem.unfilled_penalty * backlog
    produced = leaf_arr.sum(axis=1)
    return {"profit": profit, "leftover": inv, "inv_sum": inv_sum, "presale_shipped": shipped_p,
            "spot_sold": sold_s, "spot_lost": lost_s, "presale_late": late, "produced": produced}


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
    stockout = (outcome["spot_lost"] > STOCKOUT_TOL_UNITS) | (outcome["presale_late"] > STOCKOUT_TOL_UNITS)
    sold = float(w @ (outcome["presale_shipped"] + outcome["spot_sold"]))
    turnover = 7.0 * float(w @ outcome["inv_sum"]) / sold if sold > 0 else float("inf")
    return PresaleMetrics(
        expected_profit=mean, profit_std=std, profit_ci95=1.96 * std / math.sqrt(n_eff),
        profit_p05=p05, profit_p95=p95, stockout_probability=float(w @ stockout),
        expected_leftover_units=float(w @ outcome["leftover"]), expected_turnover_days=turnover,
        presale_share=float(w @ outcome["presale_shipped"]) / sold if sold > 0 else 0.0,
        expected_presale_units=float(w @ outcome["presale_shipped"]),
        expected_spot_units_sold=float(w @ outcome["spot_sold"]),
        expected_spot_units_lost=float(w @ outcome["spot_lost"]),
        expected_presale_late_units=float(w @ outcome["presale_late"]),
        expected_produced_units=float(w @ outcome["produced"]), n_samples=int(len(profit)))


def in_sample_metrics(problem: PresaleProblem, solution: PresaleSolution) -> PresaleMetrics:
    """Metrics of the plan on the scenarios it was solved on (its SAA objective)."""
    sc = solution.scenarios
    out = simulate(problem, solution, sc, np.arange(sc.n_nodes))
    return summarize(out, sc.leaf_weight)


def evaluate_plan(problem: PresaleProblem, solution: PresaleSolution, n_samples: int = 10_000,
                  seed: int = 12_345) -> PresaleMetrics:
    """Independent Monte Carlo estimate of the plan's metrics on ``n_samples`` fresh scenarios
    (fresh seed; every scenario draws its own presale outcome)."""
    conversion, forecast = demand_models(problem)
    fresh = build_scenarios(problem, conversion, forecast, n_samples, seed, tree=False)
    return summarize(simulate(problem, solution, fresh), fresh.leaf_weight)
