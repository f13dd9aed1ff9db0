"""``solve_replenishment``: validate, split, solve, explain, and give every line its reasons.

The formulation is in ``model.py``, the decomposition in ``decompose.py``, the reason columns in
``reasons.py`` and the input/output frames in ``problem.py``.

A monolithic solve is used when there is one component, when decomposition is switched off,
or when the safety stock is ``hard`` and a budget or warehouse volume couples the components
(the shares of a decomposition could then make a feasible problem look infeasible).
Infeasible models are explained by an elastic copy in which only the hard safety stock may
fall short; every SKU that still falls short is named with the rules that were binding.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from optimizer.replenishment.decompose import coordinate, solve_one
from optimizer.replenishment.model import Component, build, extract, spend, true_cost, volume_use
from optimizer.replenishment.prepare import (
    Data,
    component_groups,
    make_component,
    periods_label,
    prepare,
    projected_volume_without_orders,
)
from optimizer.replenishment.problem import (
    LINE_COLUMNS,
    ReplenishmentInfeasible,
    ReplenishmentProblem,
    ReplenishmentResult,
    ReplenishOptions,
    validate_problem,
)
from optimizer.replenishment.reasons import line_reasons
from optimizer.solver import InfeasibleError, solve_matrix


def solve_replenishment(problem: ReplenishmentProblem,
                        options: ReplenishOptions = ReplenishOptions()) -> ReplenishmentResult:
    """Proposed purchase-order lines for ``problem`` (see ``problem.py`` for every column).

    Raises :class:`ReplenishmentInputError` on bad input, :class:`ReplenishmentInfeasible`
    (with one sentence per conflict, naming item and rule) when the rules cannot all hold, and
    the solver module's errors when a solve ends without a plan."""
    start = time.perf_counter()
    warnings = validate_problem(problem)
    data = prepare(problem, options.priority_penalty)
    floor = projected_volume_without_orders(data)
    vcap = data.volume_cap.copy()
    over = np.isfinite(vcap) & (floor > vcap + 1e-9)
    for w, t in zip(*np.nonzero(over)):
        if t == np.nonzero(over[w])[0][0]:
            warnings.append(f"warehouse {data.warehouse_ids[w]} holds {floor[w, t]:,.1f} m3 in "
                            f"{_date(problem, t)} without any new order, above its capacity "
                            f"{vcap[w, t]:,.1f} m3; the limit is raised to that stock there")
    vcap = np.maximum(vcap, np.where(np.isfinite(vcap), floor, -np.inf))
    hard = problem.safety_stock_mode == "hard"
    coupled = data.budget is not None or bool(np.isfinite(vcap).any())
    n_wh = len(data.warehouse_ids)
    groups = component_groups(data) if options.decompose else []
    log: list[dict] = []
    if len(groups) <= 1 or (hard and coupled):
        comps = [make_component(data, 0, np.arange(len(data.sku_keys)), np.arange(len(data.src_sku)))]
        kwargs = {"budget": data.budget, "volume_cap": vcap, "hard_safety_stock": hard}
        try:
            _, info, sol = solve_one(comps[0], kwargs, options.solver)
        except InfeasibleError:
            raise _explained(problem, data, comps[0], kwargs, options) from None
        log.append({"component": 0, "phase": "monolithic", "status": info.status,
                    "objective": info.objective, "bound": info.bound, "gap": info.gap,
                    "wall_s": round(info.wall_s, 3)})
        sols = {0: sol}
        cost = sum(true_cost(comps[0], sol).values())
        bound, rounds = info.bound, 0
    else:
        comps = [make_component(data, i, s, a) for i, (s, a) in enumerate(groups)]
        floors = np.array([_floor_of(c, n_wh) for c in comps])
        try:
            sols, cost, bound, rounds = coordinate(
                comps, n_wh, data.budget, vcap, floors,
                options.solver.with_(threads=1), workers=options.workers,
                max_rounds=options.max_rounds, time_budget_s=options.time_budget_s,
                target_gap=max(options.solver.mip_gap, 1e-9), log=log)
        except InfeasibleError:
            # only hard safety stock without coupling rows gets here: explain per component
            conflicts = []
            for c in comps:
                conflicts += _conflicts(problem, data, c, {"hard_safety_stock": True}, options)
            raise ReplenishmentInfeasible(conflicts or ["the solver found no plan that meets every "
                                                        "hard safety-stock target"]) from None
        if sols is None:
            raise InfeasibleError("no plan within the budget and volume shares was found")
    gap = None if bound is None else max(0.0, (cost - bound) / max(abs(cost), 1e-9))
    lines, projection, costs = _frames(problem, data, comps, sols, vcap)
    status = "optimal" if gap is not None and gap <= max(options.solver.mip_gap, 1e-6) else "feasible"
    return ReplenishmentResult(lines=lines, projection=projection, objective=float(cost),
                               bound=None if bound is None else float(bound), gap=gap, status=status,
                               wall_s=time.perf_counter() - start, costs=costs, solves=tuple(log),
                               warnings=tuple(warnings), rounds=rounds)


def _floor_of(comp: Component, n_wh: int) -> np.ndarray:
    T = comp.shape[1]
    level = comp.on_hand.copy()
    out = np.zeros((n_wh, T))
    for t in range(T):
        level = np.maximum(level + comp.receipts[:, t] - comp.demand[:, t], 0.0)
        np.add.at(out[:, t], comp.warehouse, level * comp.volume)
    return out


def _date(problem: ReplenishmentProblem, t: int) -> str:
    return periods_label(int(t), problem.start_date, problem.period_days)


def _frames(problem, data: Data, comps, sols, vcap):
    rows, proj = [], []
    costs: dict[str, float] = {}
    src = data.sources
    supplier_of = src["supplier_id"].to_numpy()
    n_wh = len(data.warehouse_ids)
    for comp in comps:
        sol = sols[comp.cid]
        for key, value in true_cost(comp, sol).items():
            costs[key] = costs.get(key, 0.0) + value
        for r in line_reasons(comp, sol, budget=data.budget, volume_cap=vcap, n_wh=n_wh,
                              supplier_of=supplier_of, capacity_of=data.capacity,
                              size_max_of=data.size_max, date_of=lambda t: _date(problem, t),
                              service_level=data.service_level[comp.sku_index]):
            a, t = r.pop("a"), r.pop("t")
            item, loc = data.sku_keys[comp.sku_index[comp.src_sku[a]]]
            qty = float(sol.qty[a, t])
            due = int(t + comp.lead[a])
            rows.append({"item_id": item, "location_id": loc, "supplier_id": r.pop("supplier"),
                         "order_period": int(t), "due_period": due, "qty": qty,
                         "case_packs": int(round(qty / comp.multiple[a])),
                         "unit_cost": float(comp.unit_cost[a]), "line_cost": qty * float(comp.unit_cost[a]),
                         "order_date": _date(problem, t), "due_date": _date(problem, due), **r})
        K, T = comp.shape
        arrivals = np.zeros((K, T))
        a_idx, t_idx = np.nonzero(sol.qty)
        np.add.at(arrivals, (comp.src_sku[a_idx], t_idx + comp.lead[a_idx]), sol.qty[a_idx, t_idx])
        keys = [data.sku_keys[i] for i in comp.sku_index]
        proj.append(pd.DataFrame({
            "item_id": np.repeat([k[0] for k in keys], T), "location_id": np.repeat([k[1] for k in keys], T),
            "period": np.tile(np.arange(T), K), "demand": comp.demand.ravel(),
            "receipts": comp.receipts.ravel(), "arrivals": arrivals.ravel(),
            "inventory": sol.inventory.ravel(), "lost": sol.lost.ravel(),
            "safety_stock": comp.safety_stock.ravel(), "below_safety_stock": sol.shortfall.ravel()}))
    lines = pd.DataFrame(rows, columns=list(LINE_COLUMNS))
    lines = lines.sort_values(["order_period", "supplier_id", "location_id", "item_id"]).reset_index(drop=True)
    projection = pd.concat(proj, ignore_index=True) if proj else pd.DataFrame()
    return lines, projection, costs


def _conflicts(problem, data: Data, comp: Component, kwargs: dict, options: ReplenishOptions) -> list[str]:
    """Sentences naming each SKU whose hard safety stock cannot be met, and the binding rules."""
    model, lay = build(comp, elastic=True, **{k: v for k, v in kwargs.items() if k != "hard_safety_stock"})
    try:
        _, x = solve_matrix(model, options.solver)
    except InfeasibleError:
        return [f"the rules other than safety stock conflict for items "
                f"{sorted({data.sku_keys[i][0] for i in comp.sku_index})[:5]}"]
    sol = extract(comp, lay, x)
    n_wh = len(data.warehouse_ids)
    spent = spend(comp, sol)
    vol = volume_use(comp, sol, n_wh)
    budget, vcap = kwargs.get("budget"), kwargs.get("volume_cap")
    out = []
    hard = np.arange(comp.shape[1])[None, :] >= comp.ss_hard_from[:, None]
    for k in np.nonzero(((sol.shortfall > 1e-6) & hard).any(axis=1))[0]:
        t = int(np.nonzero((sol.shortfall[k] > 1e-6) & hard[k])[0][0])
        item, loc = data.sku_keys[comp.sku_index[k]]
        ss, short = comp.safety_stock[k, t], sol.shortfall[k, t]
        why = []
        srcs = np.nonzero(comp.src_sku == k)[0]
        window = range(0, t + 1)
        if budget is not None:
            full = [u for u in window if np.isfinite(budget[u]) and spent[u] >= budget[u] - 1e-6]
            if full:
                why.append(f"budget {budget[full[0]]:,.2f} per period is fully spent in "
                           f"{', '.join(_date(problem, u) for u in full[:3])}")
        for a in srcs:
            g = comp.src_index[a]
            cap = min(data.capacity[g], data.size_max[g])
            late = [u for u in window if comp.allowed[a, u] and u + comp.lead[a] <= t]
            if np.isfinite(cap) and late and all(comp.upper[a, u] <= sol.qty[a, u] + 1e-6 for u in late):
                label = "supplier capacity" if data.capacity[g] <= data.size_max[g] else "maximum order size"
                why.append(f"{label} {cap:g} per period of supplier {data.sources['supplier_id'].iloc[g]}")
            if not late:
                why.append(f"supplier {data.sources['supplier_id'].iloc[g]} cannot deliver by then "
                           f"(lead time {int(comp.lead[a])} periods, effective dates or holidays)")
        w = comp.warehouse[k]
        if vcap is not None and np.isfinite(vcap[w, t]) and vol[w, t] >= vcap[w, t] - 1e-6:
            why.append(f"warehouse {loc} volume {vcap[w, t]:,.1f} m3 is full")
        out.append(f"item {item} at {loc}: safety stock {ss:g} in {_date(problem, t)} cannot be reached "
                   f"(short {short:g} units); binding: " + ("; ".join(why) if why else
                                                          "the combination of MOQ, case pack and lead time"))
    return out


def _explained(problem, data, comp, kwargs, options) -> ReplenishmentInfeasible:
    conflicts = _conflicts(problem, data, comp, kwargs, options) if options.explain_infeasible else []
    return ReplenishmentInfeasible(conflicts or ["the solver proved the plan infeasible"])
