"""optimizer.solver: status checks, gaps and bounds in the model's own terms, explanations."""

from __future__ import annotations

import pulp
import pytest

from optimizer.solver import InfeasibleError, SolverOptions, solve_pulp


def _knapsack(sense):
    # max 3a + 2b + 4c + 7 s.t. 2a + 3b + 5c <= 17.5, integers in [0, 10]: a=8, b=0, c=0 → 31
    # (hand check: a alone gives 3 per 2 units of weight, the best ratio; 8 * 2 = 16 <= 17.5)
    p = pulp.LpProblem("knap", sense)
    a, b, c = (p.add_variable(n, 0, 10, cat="Integer") for n in "abc")
    sign = 1 if sense == pulp.LpMaximize else -1
    p += sign * (3 * a + 2 * b + 4 * c + 7)
    p += (2 * a + 3 * b + 5 * c <= 17.5, "weight")
    return p


@pytest.mark.parametrize("backend", ["highs", "cbc"])
@pytest.mark.parametrize("sense, optimum", [(pulp.LpMaximize, 31.0), (pulp.LpMinimize, -31.0)])
def test_bound_and_gap_are_in_the_models_terms(backend, sense, optimum):
    info = solve_pulp(_knapsack(sense), SolverOptions(backend=backend))
    assert info.status == "optimal"
    assert info.objective == pytest.approx(optimum)
    assert info.bound == pytest.approx(optimum)
    assert info.gap == pytest.approx(0.0, abs=1e-9)


def test_highs_banner_stays_off_stdout(capfd):
    solve_pulp(_knapsack(pulp.LpMaximize), SolverOptions(backend="highs"))
    assert "HiGHS" not in capfd.readouterr().out


def test_infeasible_model_names_the_conflicting_constraints():
    p = pulp.LpProblem("moq_vs_capacity", pulp.LpMinimize)
    q = p.add_variable("q", 0)
    p += q
    p += (q >= 500, "moq_item_X")
    p += (q <= 300, "capacity_S1_week1")
    with pytest.raises(InfeasibleError) as err:
        solve_pulp(p)
    assert err.value.status == "infeasible"
    assert set(err.value.conflicts) & {"moq_item_X", "capacity_S1_week1"}
    assert "conflicting constraints" in str(err.value)


def test_options_are_validated():
    with pytest.raises(ValueError, match="unknown solver backend"):
        SolverOptions(backend="gurobi")
    with pytest.raises(ValueError, match="mip_gap"):
        SolverOptions(mip_gap=1.5)
