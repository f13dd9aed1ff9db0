"""Bad input and infeasible plans: a clear error naming the item and the rule, never a solver
stack trace or a silent empty plan (issue 4, "Bad input")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer.replenishment import (
    ReplenishmentInfeasible,
    ReplenishmentInputError,
    ReplenishmentProblem,
    ReplenishOptions,
    solve_replenishment,
)
from optimizer.solver import SolverOptions
from tests.integration.test_replenishment_model import _problem

OPTS = ReplenishOptions(solver=SolverOptions(time_limit_s=20, mip_gap=1e-6))


def _with(p: ReplenishmentProblem, **frames) -> ReplenishmentProblem:
    return ReplenishmentProblem(**{**p.__dict__, **frames})


def test_negative_demand_names_item_and_rule():
    p = _problem()
    dem = p.demand.copy()
    dem.loc[2, "qty"] = -5.0
    with pytest.raises(ReplenishmentInputError, match=r"demand: qty must be >= 0 \(item A at W1, period 2"):
        solve_replenishment(_with(p, demand=dem), OPTS)


def test_negative_lead_time():
    p = _problem()
    with pytest.raises(ReplenishmentInputError, match=r"lead_time_periods must be a whole number >= 0 \(item A at W1 from supplier S1"):
        solve_replenishment(_with(p, sources=p.sources.assign(lead_time_periods=-1)), OPTS)


def test_case_pack_zero():
    p = _problem()
    with pytest.raises(ReplenishmentInputError, match=r"size_multiple must be a whole number >= 1 .*item A"):
        solve_replenishment(_with(p, sources=p.sources.assign(size_multiple=0)), OPTS)


def test_item_without_supplier():
    p = _problem(items=("A", "B"))
    with pytest.raises(ReplenishmentInfeasible, match=r"item B at W1 has demand 30 over the horizon but no supplier"):
        solve_replenishment(_with(p, sources=p.sources[p.sources["item_id"] == "A"]), OPTS)


def test_moq_above_capacity():
    p = _problem(moq=500, case=10, cap=300)
    with pytest.raises(ReplenishmentInfeasible) as err:
        solve_replenishment(p, OPTS)
    assert "MOQ 500" in str(err.value) and "> supplier capacity 300 per period for item A" in str(err.value)
    assert err.value.conflicts and err.value.status == "infeasible"


def test_budget_cannot_cover_hard_safety_stock():
    p = _problem(ss=100.0, budget=(10.0,) * 4, safety_stock_mode="hard")
    with pytest.raises(ReplenishmentInfeasible, match=r"budget 40.00 over the horizon cannot cover the safety stock.*item A at W1"):
        solve_replenishment(p, OPTS)


def test_budget_too_small_for_soft_safety_stock_warns():
    p = _problem(ss=100.0, ss_penalty=1.0, budget=(10.0,) * 4)
    r = solve_replenishment(p, OPTS)
    assert any("cannot cover" in w for w in r.warnings)
    assert (r.lines.groupby("order_period")["line_cost"].sum() <= 10.0 + 1e-9).all()


def test_elastic_model_explains_capacity_conflict():
    # hard safety stock 100 from the first arrival (period 1) but only 10 units a period
    p = _problem(ss=100.0, cap=10.0, safety_stock_mode="hard")
    with pytest.raises(ReplenishmentInfeasible) as err:
        solve_replenishment(p, OPTS)
    msg = str(err.value)
    assert "item A at W1: safety stock 100 in 2026-01-12 cannot be reached" in msg
    assert "supplier capacity 10 per period of supplier S1" in msg


def test_volume_over_capacity_is_a_warning_not_a_crash():
    p = _problem(on_hand=1000.0, demand=(10, 10, 10, 10))
    wh = pd.DataFrame({"location_id": ["W1"], "capacity_volume_m3": [1.0]})
    r = solve_replenishment(_with(p, warehouses=wh), OPTS)
    assert any("above its capacity" in w for w in r.warnings)
    assert len(r.lines) == 0 and r.status == "optimal"


@pytest.mark.parametrize("field, value, match", [
    ("n_periods", 0, "n_periods"),
    ("safety_stock_mode", "strict", "safety_stock_mode"),
    ("budget_per_period", (1.0, -2.0, 1.0, 1.0), r"budget_per_period\[1\]"),
])
def test_other_bad_fields(field, value, match):
    with pytest.raises(ReplenishmentInputError, match=match):
        solve_replenishment(_with(_problem(), **{field: value}), OPTS)


def test_decomposed_equals_monolithic_and_budget_coupling_holds():
    # two suppliers, two items: independent components; then a budget couples them
    p = _problem(items=("A", "B"), demand=(0, 12, 12, 12), case=4, order_cost=15.0)
    src = p.sources.copy()
    src.loc[src["item_id"] == "B", "supplier_id"] = "S2"
    sup = pd.DataFrame({"supplier_id": ["S1", "S2"], "order_cost": [15.0, 15.0]})
    p = _with(p, sources=src, suppliers=sup)
    mono = solve_replenishment(p, ReplenishOptions(solver=OPTS.solver, decompose=False))
    deco = solve_replenishment(p, OPTS)
    assert deco.objective == pytest.approx(mono.objective)
    assert {s["phase"] for s in deco.solves} == {"relaxed"} and len(deco.solves) == 2
    tight = _with(p, budget_per_period=(40.0, 40.0, 40.0, 40.0))
    mono_b = solve_replenishment(tight, ReplenishOptions(solver=OPTS.solver, decompose=False))
    deco_b = solve_replenishment(tight, OPTS)
    for r in (mono_b, deco_b):
        assert (r.lines.groupby("order_period")["line_cost"].sum() <= 40.0 + 1e-6).all()
    assert deco_b.objective >= mono_b.objective - 1e-6
    assert deco_b.bound <= mono_b.objective + 1e-6          # a valid lower bound
    assert np.isfinite(deco_b.gap)
