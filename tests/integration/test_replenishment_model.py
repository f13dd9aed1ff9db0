"""The purchase-order MILP on instances small enough to check by enumeration.

Every optimum asserted here is recomputed by an independent brute force that enumerates every
order plan and simulates stock with lost sales (``_brute_force``), using the cost definition
of ``optimizer/replenishment/model.py`` (purchase + holding + lost sales + safety-stock
shortfall + purchase-order costs − value of end stock up to its cover).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from optimizer.replenishment import ReplenishmentProblem, ReplenishOptions, solve_replenishment
from optimizer.solver import SolverOptions

EXACT = ReplenishOptions(solver=SolverOptions(time_limit_s=30, mip_gap=1e-9))


def _problem(T=4, demand=(0, 10, 10, 10), on_hand=0.0, ss=0.0, moq=0.0, case=1, lead=1, cost=2.0,
             order_cost=0.0, holding=1.0, shortage=20.0, ss_penalty=0.0, cap=np.nan, size_max=np.nan,
             items=("A",), budget=None, **kw):
    skus = pd.DataFrame({"item_id": list(items), "location_id": "W1", "on_hand": on_hand,
                         "unit_volume_m3": 0.01, "holding_cost": holding, "shortage_cost": shortage,
                         "safety_stock_penalty": ss_penalty, "service_level": 0.95})
    dem = pd.DataFrame([{"item_id": i, "location_id": "W1", "period": t, "qty": float(demand[t]),
                         "safety_stock": ss} for i in items for t in range(T)])
    src = pd.DataFrame([{"item_id": i, "location_id": "W1", "supplier_id": "S1", "unit_cost": cost,
                         "lead_time_periods": lead, "size_minimum": moq, "size_multiple": case,
                         "size_maximum": size_max, "capacity_per_period": cap, "priority": 1}
                        for i in items])
    sup = pd.DataFrame({"supplier_id": ["S1"], "order_cost": [order_cost]})
    return ReplenishmentProblem(skus=skus, demand=dem, sources=src, suppliers=sup, n_periods=T,
                                budget_per_period=budget, start_date=pd.Timestamp("2026-01-05"), **kw)


def _brute_force(T, demand, on_hand, ss, moq, case, lead, cost, order_cost, holding, shortage,
                 ss_penalty, n_items=1, qmax=60):
    """Cheapest plan over every order quantity in every period (items share POs)."""
    choices = [0] + [q for q in range(max(int(moq), case), qmax + 1, case) if q >= moq]
    periods = [t for t in range(T) if t + lead <= T - 1]
    cover = ss + (lead + 1) * demand[-1]
    best = (np.inf, None)
    per_item = list(itertools.product(choices, repeat=len(periods)))
    for plans in itertools.product(per_item, repeat=n_items):
        total = 0.0
        for plan in plans:
            arr = np.zeros(T)
            for t, q in zip(periods, plan):
                arr[t + lead] += q
            level = on_hand
            for t in range(T):
                level += arr[t] - demand[t]
                lost = max(-level, 0.0)
                level = max(level, 0.0)
                total += holding * level + shortage * lost + ss_penalty * max(ss - level, 0.0)
            total += cost * sum(plan) - cost * min(level, cover)
        placed = [any(plan[i] > 0 for plan in plans) for i in range(len(periods))]
        total += order_cost * sum(placed)
        if total < best[0] - 1e-9:
            best = (total, plans)
    return best


def test_one_item_orders_just_in_time():
    r = solve_replenishment(_problem(), EXACT)
    # one line per period, 10 units each, arriving the period they are sold
    assert list(r.lines["qty"]) == [10, 10, 10]
    assert list(r.lines["due_period"]) == [1, 2, 3]
    assert r.objective == pytest.approx(60.0)
    assert r.gap == pytest.approx(0.0, abs=1e-9)
    best, _ = _brute_force(4, [0, 10, 10, 10], 0, 0, 0, 1, 1, 2.0, 0.0, 1.0, 20.0, 0.0)
    assert r.objective == pytest.approx(best)


def test_moq_and_case_pack_against_enumeration():
    p = _problem(moq=25, case=5, order_cost=30.0)
    r = solve_replenishment(p, EXACT)
    best, plans = _brute_force(4, [0, 10, 10, 10], 0, 0, 25, 5, 1, 2.0, 30.0, 1.0, 20.0, 0.0)
    assert r.objective == pytest.approx(best)
    assert all(q >= 25 and q % 5 == 0 for q in r.lines["qty"])
    assert "moq" in ";".join(r.lines["shaped_by"]) or r.lines["qty"].sum() == 30


def test_joint_replenishment_shares_purchase_orders():
    p = _problem(items=("A", "B"), order_cost=50.0, demand=(0, 10, 10, 10), case=5)
    r = solve_replenishment(p, EXACT)
    best, _ = _brute_force(4, [0, 10, 10, 10], 0, 0, 0, 5, 1, 2.0, 50.0, 1.0, 20.0, 0.0, n_items=2, qmax=30)
    assert r.objective == pytest.approx(best)
    # both items ride on the same purchase orders
    assert set(r.lines.groupby("item_id")["order_period"].apply(tuple)) == {tuple(sorted(set(r.lines["order_period"])))}
    assert all("joint_order" in s for s in r.lines["shaped_by"])


def test_safety_stock_soft_penalty_against_enumeration():
    p = _problem(ss=5.0, ss_penalty=3.0, on_hand=12.0, demand=(4, 10, 10, 10), case=5)
    r = solve_replenishment(p, EXACT)
    best, _ = _brute_force(4, [4, 10, 10, 10], 12.0, 5.0, 0, 5, 1, 2.0, 0.0, 1.0, 20.0, 3.0)
    assert r.objective == pytest.approx(best)
    proj = r.projection.set_index("period")
    assert (proj["inventory"] + proj["below_safety_stock"] >= 5.0 - 1e-6).all()


def test_reasons_name_stockout_date_and_rule():
    p = _problem(moq=25, case=5, on_hand=5.0, demand=(5, 3, 3, 3), T=4)
    r = solve_replenishment(p, EXACT)
    assert len(r.lines) >= 1
    line = r.lines.iloc[0]
    assert line["order_date"] == "2026-01-05" and line["due_date"] == "2026-01-12"
    assert line["stockout_date_prevented"] == "2026-01-12"   # stock 5 runs out in period 0
    assert "moq" in line["shaped_by"]
    assert "MOQ 25" in line["reason"]


def test_holiday_and_effective_dates_move_the_order():
    hol = pd.DataFrame({"supplier_id": ["S1"], "period": [1]})
    r = solve_replenishment(_problem(holidays=hol), EXACT)
    assert 1 not in set(r.lines["order_period"])
    p = _problem()
    src = p.sources.assign(first_period=1.0)
    r2 = solve_replenishment(ReplenishmentProblem(**{**p.__dict__, "sources": src}), EXACT)
    assert r2.lines["order_period"].min() >= 1
    assert r2.costs["shortage"] == pytest.approx(20.0 * 10)  # period 1's demand cannot be met


def test_budget_caps_spending_and_is_named():
    p = _problem(budget=(25.0, 25.0, 25.0, 25.0), demand=(0, 15, 15, 15))
    r = solve_replenishment(p, EXACT)
    spent = r.lines.groupby("order_period")["line_cost"].sum()
    assert (spent <= 25.0 + 1e-6).all()
    assert any("budget" in s for s in r.lines["shaped_by"])


@pytest.mark.parametrize("backend", ["cbc", "ortools-scip"])
def test_other_backends_agree(backend):
    p = _problem(moq=25, case=5, order_cost=30.0)
    ref = solve_replenishment(p, EXACT)
    other = solve_replenishment(p, ReplenishOptions(solver=SolverOptions(backend=backend, time_limit_s=30,
                                                                         mip_gap=1e-9)))
    assert other.objective == pytest.approx(ref.objective)
