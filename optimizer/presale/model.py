"""Presale production plan: a scenario-based two-stage stochastic MILP (sample average
approximation).

Sets
  J       sources (factories ``MO`` / suppliers ``PO``), index j
  T       plan weeks 0..T-1 from the planning date, index t
  O       presale nodes (presale outcomes known at the recourse week r), index o
  S       scenarios (leaves), index s; o(s) is the node of leaf s; weight w_s, node weight w_o
  W_j     order weeks of source j: t with t + L_j <= T-1

Parameters (units)
  c_j     unit cost (currency/unit);  K_j batch cost (currency/batch)
  L_j     production / purchase lead time (weeks)
  U_jt    capacity (units/week);  M_j MOQ (units/batch);  q_j case pack (units)
  G_j     units already committed to source j (units, first stage)
  r       recourse week: week after the final-payment window closes
  w_P     promise week (presale buyers' delivery promise);  [l, l+n) spot weeks
  P_o     presale units of node o;  D_st spot demand of leaf s in week t (units)
  r_P     presale net price = price - final_discount - (deposit_value - deposit_amount)
  r_S     spot price (list price);  v salvage value;  h holding cost (currency/unit/week)
  pi_L    late-delivery penalty (currency/unit/week late);  pi_U unfilled-presale penalty
  pi_S    spot shortage penalty (goodwill, on top of the lost margin)
  F_o     deposits forfeited by non-converting buyers (currency; a constant)

Decision variables
  x_jt >= 0, t in W_j, t < r       first-stage batch (commitment now, same in every scenario)
  y_ojt >= 0, t in W_j, r <= t < r + R   recourse batch of node o (depends on P_o only);
                                   R = recourse_order_weeks (all weeks when None)
  z binary per batch when M_j > 0 or K_j > 0;  k integer with x = q_j k when q_j > 1
  I_st >= 0                        stock at the end of week t in leaf s
  e_st >= 0, t >= w_P              presale units shipped in week t
  a_st in [0, D_st]                spot units sold in week t

Objective (maximise expected profit)
  sum_s w_s [ sum_t (r_P + pi_U + pi_L (T - t)) e_st + sum_t (r_S + pi_S) a_st - h sum_t I_st
              + v I_s,T-1 - (pi_U + pi_L (T - w_P)) P_o(s) - pi_S sum_t D_st + F_o(s) ]
  - sum_jt (c_j x_jt + K_j z_jt) - sum_o w_o sum_jt (c_j y_ojt + K_j z_ojt)
  (pi_L (T - t) e_st is the late penalty avoided: sum over weeks t >= w_P of the presale backlog
  equals (T - w_P) P - sum_t (T - t) e_st; pi_U + r_P is what a shipped unit earns vs never.)

Constraints
  balance   I_st = I_s,t-1 + arrivals_o(s),t - e_st - a_st        (I_s,-1 = initial stock)
            arrivals_ot = sum_j x_j,t-L_j (t - L_j < r) or y_o,j,t-L_j (t - L_j >= r)
  presale   sum_t e_st <= P_o(s)
  capacity  x_jt <= U_jt z_jt  (z = 1 without MOQ/batch cost);  MOQ  x_jt >= M_j z_jt
  commit    sum_{t<r} x_jt >= G_j

Special case: one week, one source with L = 0, no capacity or MOQ, no presale: maximise
E[r_S min(x, D) + v (x - D)^+ - c x], whose optimum is the newsvendor critical fractile
x* = F^-1((r_S - c + pi_S) / (r_S - v + pi_S)) (Snyder & Shen, *Fundamentals of Supply Chain
Theory*, 2nd ed., sec. 4.3, eq. (4.27) with h = c - v, p = r_S - c + pi_S); with explicit
discrete outcomes the SAA is that problem exactly.

Limitations: within one scenario the allocation of stock between presale buyers and spot
customers is optimised knowing that scenario's weekly spot demand (orders never see it);
presale and spot demand are independent; the presale outcome is learned all at once when the
final-payment window closes.

Reference: Birge & Louveaux, *Introduction to Stochastic Programming*, 2nd ed., ch. 2-3
(two-stage recourse, non-anticipativity); Kleywegt, Shapiro & Homem-de-Mello (2002), "The sample
average approximation method for stochastic discrete optimization", SIAM J. Optim. 12(2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pulp

from optimizer.presale.conversion import ConversionModel, fit_conversion, fixed_conversion
from optimizer.presale.deposits import DepositForecast, known_total, project_deposits
from optimizer.presale.problem import PresaleProblem
from optimizer.presale.sampling import ScenarioSet, build_scenarios
from optimizer.solver import SolveInfo, SolverOptions, solve_pulp

ORDER_COLUMNS = [
    "stage",
    "node",
    "presale_units",
    "source_id",
    "kind",
    "order_week",
    "arrival_week",
    "qty_units",
    "unit_cost",
]


@dataclass(frozen=True)
class PresaleSolution:
    """The SAA plan.

    ``orders`` (columns :data:`ORDER_COLUMNS`): first-stage rows (``stage='commit'``, ``node``
    -1) and recourse rows per node (``stage='recourse'``, with that node's ``presale_units``).
    ``expected_profit`` is the SAA objective (in-sample); ``scenarios`` the tree it was solved
    on; ``conversion`` / ``deposits`` the fitted demand models."""

    orders: pd.DataFrame
    expected_profit: float
    info: SolveInfo
    scenarios: ScenarioSet
    conversion: ConversionModel
    deposits: DepositForecast
    n_weeks: int
    recourse_week: int
    gap_abs: float | None = None

    @property
    def gap_rel(self) -> float | None:
        """Absolute gap between plan and best bound over the expected profit."""
        if self.gap_abs is None:
            return None
        return self.gap_abs / max(abs(self.expected_profit), 1e-9)

    def commitment(self) -> pd.DataFrame:
        return self.orders[self.orders["stage"] == "commit"].reset_index(drop=True)

    def recourse_for(self, node: int) -> pd.DataFrame:
        o = self.orders
        return o[(o["stage"] == "recourse") & (o["node"] == node)].reset_index(drop=True)


def demand_models(problem: PresaleProblem) -> tuple[ConversionModel, DepositForecast]:
    """Conversion model and deposit projection for the problem's campaign."""
    c = problem.campaign
    fitted = fit_conversion(problem.history, c.category, prior=problem.conversion_prior)
    conversion = (
        fixed_conversion(c.conversion_rate, fitted.cancellation_rate)
        if c.conversion_rate is not None
        else fitted
    )
    if problem.known_deposits_total is not None:
        return conversion, known_total(problem.known_deposits_total)
    forecast = project_deposits(
        c,
        problem.history,
        conversion.cancellation_rate,
        problem.deposit_prior_mean,
        problem.deposit_prior_cv,
    )
    return conversion, forecast


def solve_presale(
    problem: PresaleProblem,
    options: SolverOptions | None = None,
    scenarios: ScenarioSet | None = None,
) -> PresaleSolution:
    """Solve the SAA two-stage model of ``problem`` (see the module docstring)."""
    options = options or SolverOptions()
    conversion, forecast = demand_models(problem)
    if scenarios is None:
        scenarios = build_scenarios(
            problem, conversion, forecast, problem.n_scenarios, problem.seed
        )
    prob, handles = _build(problem, scenarios)
    info = _solve(prob, options)
    orders = _extract(problem, scenarios, handles)
    constant = float(prob.objective.constant)
    # HiGHS (through PuLP) minimises the negated objective without its constant, so its dual
    # bound B bounds the profit by constant - B. PuLP does not expose CBC's bound: a CBC MIP
    # "optimal" is only known to be within options.mip_gap, so its gap is left unknown (None).
    if not prob.isMIP() and info.status == "optimal":
        gap_abs: float | None = 0.0
    elif options.backend == "cbc":
        gap_abs = None
    elif info.bound is None:
        gap_abs = None
    elif options.backend != "highs" and info.gap == 0.0:
        gap_abs = 0.0
    else:
        profit_bound = constant - info.bound if options.backend == "highs" else info.bound
        gap_abs = max(0.0, profit_bound - info.objective)
    return PresaleSolution(
        orders,
        info.objective,
        info,
        scenarios,
        conversion,
        forecast,
        problem.n_weeks,
        problem.recourse_week,
        gap_abs,
    )


def _batch_var(prob, name: str, src, cap: float):
    """Quantity expression of one batch, plus its binary (or None)."""
    if src.case_pack_units > 1:
        packs = prob.add_variable(
            f"k_{name}", lowBound=0, upBound=int(cap // src.case_pack_units), cat="Integer"
        )
        qty = src.case_pack_units * packs
    else:
        qty = prob.add_variable(f"x_{name}", lowBound=0, upBound=cap)
    z = None
    if src.moq_units > 0 or src.batch_cost > 0:
        z = prob.add_variable(f"z_{name}", cat="Binary")
        prob += pulp.LpConstraint(qty - cap * z, pulp.LpConstraintLE, f"capacity[{name}]", 0)
        if src.moq_units > 0:
            prob += pulp.LpConstraint(
                qty - src.moq_units * z, pulp.LpConstraintGE, f"moq[{name}]", 0
            )
    return qty, z


def _build(problem: PresaleProblem, sc: ScenarioSet):
    c, eco = problem.campaign, problem.economics
    T, r, wp, launch = (
        problem.n_weeks,
        problem.recourse_week,
        problem.promise_week,
        problem.launch_week,
    )
    prob = pulp.LpProblem(f"presale_{c.campaign_id}", pulp.LpMaximize)
    obj: dict = {}
    const = 0.0
    first: dict[tuple[str, int], object] = {}
    second: dict[tuple[int, str, int], object] = {}
    arrivals: list[list[list]] = [[[] for _ in range(T)] for _ in range(sc.n_nodes)]
    commit_terms: dict[str, list] = {s.source_id: [] for s in problem.sources}
    cost_terms = []  # (expr, weight)
    for src in problem.sources:
        for t in range(T - src.lead_time_weeks):
            cap = src.capacity(t)
            if cap <= 0:
                continue
            if t < r:
                qty, z = _batch_var(prob, f"{src.source_id},w{t}", src, cap)
                first[(src.source_id, t)] = qty
                commit_terms[src.source_id].append(qty)
                cost_terms.append(
                    (src.unit_cost * qty + (src.batch_cost * z if z is not None else 0), 1.0)
                )
                for o in range(sc.n_nodes):
                    arrivals[o][t + src.lead_time_weeks].append(qty)
            elif problem.recourse_order_weeks is None or t < r + problem.recourse_order_weeks:
                for o in range(sc.n_nodes):
                    qty, z = _batch_var(prob, f"{src.source_id},w{t},n{o}", src, cap)
                    second[(o, src.source_id, t)] = qty
                    cost_terms.append(
                        (
                            src.unit_cost * qty + (src.batch_cost * z if z is not None else 0),
                            float(sc.node_weight[o]),
                        )
                    )
                    arrivals[o][t + src.lead_time_weeks].append(qty)
    for src in problem.sources:
        if src.committed_units > 0:
            prob += pulp.LpConstraint(
                pulp.lpSum(commit_terms[src.source_id]),
                pulp.LpConstraintGE,
                f"commitment[{src.source_id}]",
                src.committed_units,
            )
    r_p, r_s = c.presale_net_price, c.price
    pi_u, pi_l, pi_s = (
        problem.unfilled_penalty,
        eco.late_penalty_per_unit_week,
        eco.spot_shortage_penalty,
    )
    h, v = eco.holding_cost_per_unit_week, eco.unit_salvage_value
    arrival_expr = [[pulp.lpSum(arrivals[o][t]) for t in range(T)] for o in range(sc.n_nodes)]
    for s in range(sc.n_leaves):
        o = int(sc.node_of_leaf[s])
        w = float(sc.leaf_weight[s])
        p_units = float(sc.presale_units[o])
        const += w * (-(pi_u + pi_l * (T - wp)) * p_units + float(sc.forfeit_revenue[o]))
        prev = None
        ships = []
        for t in range(T):
            inv = prob.add_variable(f"I_{s}_{t}", lowBound=0)
            obj[inv] = obj.get(inv, 0.0) - w * h + (w * v if t == T - 1 else 0.0)
            flow = inv - arrival_expr[o][t]
            if prev is not None:
                flow = flow - prev
            rhs = eco.initial_on_hand_units if t == 0 else 0.0
            if t >= wp and p_units > 0:
                e = prob.add_variable(f"e_{s}_{t}", lowBound=0)
                obj[e] = w * (r_p + pi_u + pi_l * (T - t))
                flow = flow + e
                ships.append(e)
            k = t - launch
            if 0 <= k < sc.spot.shape[1]:
                d = float(sc.spot[s, k])
                const -= w * pi_s * d
                if d > 0:
                    a = prob.add_variable(f"a_{s}_{t}", lowBound=0, upBound=d)
                    obj[a] = w * (r_s + pi_s)
                    flow = flow + a
            prob += pulp.LpConstraint(flow, pulp.LpConstraintEQ, f"balance[s={s},w={t}]", rhs)
            prev = inv
        if ships:
            prob += pulp.LpConstraint(
                pulp.lpSum(ships), pulp.LpConstraintLE, f"presale[s={s}]", p_units
            )
    objective = pulp.LpAffineExpression(list(obj.items()), constant=const)
    for expr, weight in cost_terms:
        objective -= weight * expr
    prob.setObjective(objective)
    return prob, (first, second)


def _solve(prob: pulp.LpProblem, options: SolverOptions) -> SolveInfo:
    return solve_pulp(prob, options)


def _extract(problem: PresaleProblem, sc: ScenarioSet, handles) -> pd.DataFrame:
    first, second = handles
    kinds = {s.source_id: s for s in problem.sources}
    rows = []
    for (sid, t), qty in sorted(first.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        q = float(pulp.value(qty) or 0.0)
        if q > 1e-6:
            src = kinds[sid]
            rows.append(
                ("commit", -1, np.nan, sid, src.kind, t, t + src.lead_time_weeks, q, src.unit_cost)
            )
    for (o, sid, t), qty in sorted(second.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1])):
        q = float(pulp.value(qty) or 0.0)
        if q > 1e-6:
            src = kinds[sid]
            rows.append(
                (
                    "recourse",
                    o,
                    float(sc.presale_units[o]),
                    sid,
                    src.kind,
                    t,
                    t + src.lead_time_weeks,
                    q,
                    src.unit_cost,
                )
            )
    frame = pd.DataFrame(rows, columns=ORDER_COLUMNS)
    return frame.astype(
        {
            "node": "int64",
            "order_week": "int64",
            "arrival_week": "int64",
            "qty_units": "float64",
            "unit_cost": "float64",
            "presale_units": "float64",
        }
    )
