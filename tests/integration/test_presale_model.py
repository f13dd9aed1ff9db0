"""Presale SAA model: newsvendor special cases to textbook values, firm pre-orders, monotonicity in
deposits, capacity / lead time / MOQ / case packs, and agreement with an independent Monte Carlo
evaluation."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest
from scipy import stats

from optimizer.presale import (
    PastCampaign,
    PresaleCampaign,
    PresaleEconomics,
    PresaleProblem,
    SpotDemand,
    SupplySource,
    evaluate_plan,
    in_sample_metrics,
    solve_presale,
)
from optimizer.presale.evaluate import simulate
from optimizer.solver import SolverOptions

AS_OF = date(2024, 5, 1)
LP = SolverOptions(time_limit_s=60)


def single_period(
    price: float,
    unit_cost: float,
    salvage: float,
    spot: SpotDemand,
    firm: float = 0.0,
    n_scenarios: int = 1000,
) -> PresaleProblem:
    """One week, one uncapacitated source without lead time, deposits long closed and settled."""
    c = PresaleCampaign(
        "NV",
        "I",
        AS_OF,
        AS_OF - timedelta(days=30),
        AS_OF - timedelta(days=20),
        AS_OF - timedelta(days=19),
        AS_OF - timedelta(days=15),
        AS_OF,
        AS_OF,
        price=price,
        deposit_amount=0.0,
        deposit_value=0.0,
        final_discount=0.0,
        final_payments_to_date=0.0,
        firm_preorders=firm,
    )
    return PresaleProblem(
        c,
        (SupplySource("F", unit_cost, 0, 1e9),),
        spot,
        PresaleEconomics(unit_salvage_value=salvage),
        horizon_weeks=1,
        n_scenarios=n_scenarios,
    )


def order_qty(solution) -> float:
    return float(solution.orders["qty_units"].sum())


def test_newsvendor_normal_matches_snyder_shen_example_4_3():
    # Snyder & Shen, Fundamentals of Supply Chain Theory, 2nd ed. (Wiley 2019), Example 4.3:
    # h = 0.18, p = 0.70, D ~ N(50, 8^2) -> S* = 56.60, g(S*) = 1.9976.
    # As price/cost/salvage: c = 1, v = c - h = 0.82, r = c + p = 1.70.
    h, p, mu, sigma = 0.18, 0.70, 50.0, 8.0
    textbook_q = mu + sigma * stats.norm.ppf(p / (p + h))  # computed independently
    textbook_cost = (h + p) * sigma * stats.norm.pdf(stats.norm.ppf(p / (p + h)))
    assert textbook_q == pytest.approx(56.60, abs=0.005)  # the book's printed value
    assert textbook_cost == pytest.approx(1.9976, abs=1e-4)
    problem = single_period(1.70, 1.0, 0.82, SpotDemand((mu,), (sigma,)), n_scenarios=4000)
    sol = solve_presale(problem, LP)
    assert sol.scenarios.n_nodes == 1 and sol.scenarios.n_leaves == 4000
    assert order_qty(sol) == pytest.approx(textbook_q, abs=0.05)
    # expected profit = (r - c) mu - g(S*)
    assert sol.expected_profit == pytest.approx(p * mu - textbook_cost, abs=0.03)


def poisson_outcomes(mean: float, top: int) -> SpotDemand:
    support = np.arange(top + 1)
    pmf = stats.poisson.pmf(support, mean)
    pmf = pmf / pmf.sum()
    return SpotDemand(
        values=tuple((float(d),) for d in support), weights=tuple(float(w) for w in pmf)
    )


def test_newsvendor_discrete_matches_snyder_shen_example_4_7():
    # Snyder & Shen, 2nd ed., Example 4.7: D ~ Poisson(6), h = 1, p = 4 -> S* = 8, g(S*) = 3.5701.
    # c = 2, v = c - h = 1, r = c + p = 6. Explicit outcomes make the SAA the exact problem.
    textbook_q = stats.poisson.ppf(4 / 5, 6)  # smallest S with F(S) >= p/(p+h)
    support = np.arange(0, 41)
    pmf = stats.poisson.pmf(support, 6)
    textbook_cost = float(
        np.sum(pmf * (1 * np.maximum(8 - support, 0) + 4 * np.maximum(support - 8, 0)))
    )
    assert textbook_q == 8 and textbook_cost == pytest.approx(3.5701, abs=1e-4)
    sol = solve_presale(single_period(6.0, 2.0, 1.0, poisson_outcomes(6, 40)), LP)
    assert order_qty(sol) == pytest.approx(8.0, abs=1e-6)
    assert sol.expected_profit == pytest.approx(4 * 6 - textbook_cost, abs=1e-6)


@pytest.mark.parametrize("firm", [10.0, 25.0, 137.0])
def test_firm_preorders_shift_the_order_one_for_one(firm):
    base = order_qty(solve_presale(single_period(6.0, 2.0, 1.0, poisson_outcomes(6, 40)), LP))
    shifted = order_qty(
        solve_presale(single_period(6.0, 2.0, 1.0, poisson_outcomes(6, 40), firm=firm), LP)
    )
    assert shifted - base == pytest.approx(firm, abs=1e-6)
    # the same with normal spot demand (same seed, so the same spot scenarios)
    base_n = order_qty(
        solve_presale(single_period(1.7, 1.0, 0.82, SpotDemand((50.0,), (8.0,))), LP)
    )
    shift_n = order_qty(
        solve_presale(single_period(1.7, 1.0, 0.82, SpotDemand((50.0,), (8.0,)), firm=firm), LP)
    )
    assert shift_n - base_n == pytest.approx(firm, abs=1e-6)


def history() -> tuple[PastCampaign, ...]:
    daily = tuple(
        float(x)
        for x in [
            150,
            90,
            60,
            40,
            35,
            30,
            30,
            28,
            27,
            26,
            25,
            25,
            24,
            24,
            25,
            26,
            28,
            30,
            35,
            45,
            97,
        ]
    )
    return (
        PastCampaign("H1", "cat", 900, 720, daily),
        PastCampaign("H2", "cat", 1300, 1000, tuple(d * 1.4 for d in daily)),
        PastCampaign("H3", "cat", 1100, 900, tuple(d * 1.2 for d in daily)),
    )


def multi_week(
    deposits: tuple[float, ...],
    conversion_rate: float | None = None,
    n_scenarios: int = 300,
    sources=None,
    spot=None,
    as_of_offset: int = 0,
    **campaign_changes,
) -> PresaleProblem:
    as_of = AS_OF + timedelta(days=as_of_offset)
    c = PresaleCampaign(
        "C",
        "I",
        as_of,
        AS_OF - timedelta(days=10),
        AS_OF + timedelta(days=10),
        AS_OF + timedelta(days=11),
        AS_OF + timedelta(days=14),
        AS_OF + timedelta(days=28),
        AS_OF + timedelta(days=28),
        price=100.0,
        deposit_amount=10.0,
        deposit_value=20.0,
        final_discount=5.0,
        deposits_to_date=deposits,
        conversion_rate=conversion_rate,
        category="cat",
        **campaign_changes,
    )
    sources = sources or (SupplySource("F1", 50.0, 1, 5000.0, kind="MO"),)
    spot = spot or SpotDemand(tuple([100.0] * 4), tuple([40.0] * 4))
    eco = PresaleEconomics(
        unit_salvage_value=20.0, holding_cost_per_unit_week=0.5, late_penalty_per_unit_week=5.0
    )
    return PresaleProblem(c, sources, spot, eco, history(), n_scenarios=n_scenarios, seed=4)


@pytest.mark.parametrize("closed", [False, True])
def test_more_deposits_never_lower_the_plan_when_conversion_is_certain(closed):
    committed, totals = [], []
    for level in (0.0, 20.0, 40.0, 60.0, 80.0, 120.0):
        if closed:  # window closed: 21 days of deposits known, everything converts
            problem = multi_week(tuple([level] * 21), conversion_rate=1.0, as_of_offset=11)
        else:  # window open: 10 of 21 days seen, the rest projected (Bayesian update)
            problem = multi_week(tuple([level] * 10), conversion_rate=1.0)
        sol = solve_presale(problem, LP)
        w = sol.scenarios.node_weight
        rec = sol.orders[sol.orders["stage"] == "recourse"]
        expected = float(sol.commitment()["qty_units"].sum()) + float(
            (rec["qty_units"].to_numpy() * w[rec["node"].to_numpy()]).sum()
        )
        committed.append(float(sol.commitment()["qty_units"].sum()))
        totals.append(expected)
    assert all(b >= a - 1e-6 for a, b in zip(committed, committed[1:], strict=False)), committed
    assert all(b >= a - 1e-6 for a, b in zip(totals, totals[1:], strict=False)), totals
    assert totals[-1] > totals[0] + 100


def test_capacity_lead_time_moq_and_case_packs_are_honoured():
    src = (
        SupplySource(
            "F1",
            50.0,
            2,
            (300.0, 300.0, 0.0, 300.0, 300.0),
            kind="MO",
            moq_units=120.0,
            case_pack_units=25,
        ),
        SupplySource("S1", 60.0, 1, 150.0, kind="PO"),
    )
    problem = multi_week(tuple([80.0] * 10), sources=src, n_scenarios=120)
    sol = solve_presale(problem, LP)
    T = problem.n_weeks
    assert not sol.orders.empty
    for row in sol.orders.itertuples(index=False):
        s = {x.source_id: x for x in src}[row.source_id]
        assert row.arrival_week == row.order_week + s.lead_time_weeks <= T - 1
        assert row.qty_units <= s.capacity(row.order_week) + 1e-6
        assert row.qty_units >= s.moq_units - 1e-6
        if s.case_pack_units > 1:
            assert row.qty_units / s.case_pack_units == pytest.approx(
                round(row.qty_units / s.case_pack_units), abs=1e-6
            )
        assert row.kind == s.kind
    assert (
        sol.orders[(sol.orders.source_id == "F1")].order_week.isin([2]).sum() == 0
    )  # zero-capacity week
    # per node, commitments + recourse of one source and week never exceed capacity
    per = sol.orders.groupby(["node", "source_id", "order_week"])["qty_units"].sum()
    assert all(
        q <= {x.source_id: x for x in src}[sid].capacity(wk) + 1e-6
        for (_, sid, wk), q in per.items()
    )
    # commitments are ordered before the recourse week, recourse within the recourse window
    r = problem.recourse_week
    assert (sol.commitment()["order_week"] < r).all()
    rec = sol.orders[sol.orders["stage"] == "recourse"]
    assert ((rec["order_week"] >= r) & (rec["order_week"] < r + problem.recourse_order_weeks)).all()


def test_tight_capacity_moves_production_earlier():
    # presale demand ~ 1,600 due at week 4 (promise); 1-week lead time. With ample capacity the
    # plan produces just in time (holding costs); with 400/week it must start in week 0.
    def commit_by_week(capacity):
        sol = solve_presale(
            multi_week(
                tuple([80.0] * 10),
                conversion_rate=1.0,
                n_scenarios=60,
                sources=(SupplySource("F1", 50.0, 1, capacity),),
            ),
            LP,
        )
        assert (
            sol.orders.groupby(["node", "order_week"])["qty_units"].sum() <= capacity + 1e-6
        ).all()
        return sol.commitment().groupby("order_week")["qty_units"].sum().to_dict()

    loose, tight = commit_by_week(5000.0), commit_by_week(400.0)
    assert loose.get(0, 0.0) == 0.0 and loose.get(1, 0.0) == 0.0
    assert tight[0] > 100.0
    assert tight[1] == pytest.approx(400.0, abs=1e-6) and tight[2] == pytest.approx(400.0, abs=1e-6)


def test_simulation_reproduces_the_saa_objective_on_its_own_scenarios():
    problem = multi_week(
        tuple([60.0] * 10),
        n_scenarios=400,
        sources=(
            SupplySource("F1", 50.0, 1, 600.0, kind="MO", moq_units=100.0),
            SupplySource("S1", 58.0, 0, 300.0),
        ),
    )
    sol = solve_presale(problem, LP)
    inside = in_sample_metrics(problem, sol)
    assert inside.expected_profit == pytest.approx(sol.expected_profit, rel=1e-7)
    out = simulate(problem, sol, sol.scenarios, np.arange(sol.scenarios.n_nodes))
    assert out["profit"].shape == (400,)


@pytest.mark.slow
def test_saa_profit_agrees_with_independent_monte_carlo():
    problem = multi_week(
        tuple([60.0] * 10),
        n_scenarios=1000,
        sources=(SupplySource("F1", 50.0, 1, 600.0, kind="MO"), SupplySource("S1", 58.0, 0, 300.0)),
    )
    sol = solve_presale(problem, LP)
    inside = in_sample_metrics(problem, sol)
    fresh = evaluate_plan(
        problem, sol, n_samples=10_000, seed=987_654
    )  # fresh seed, fresh presale draws
    half = 1.96 * math.sqrt(
        inside.profit_std**2 / inside.n_samples + fresh.profit_std**2 / fresh.n_samples
    )
    assert abs(inside.expected_profit - fresh.expected_profit) <= half, (
        inside.expected_profit,
        fresh.expected_profit,
        half,
    )
    assert 0 < fresh.stockout_probability < 1
    assert fresh.expected_turnover_days > 0 and fresh.expected_leftover_units >= 0


def test_plan_is_reproducible_for_a_seed():
    a = solve_presale(multi_week(tuple([60.0] * 10), n_scenarios=100), LP)
    b = solve_presale(multi_week(tuple([60.0] * 10), n_scenarios=100), LP)
    assert a.expected_profit == b.expected_profit
    assert a.orders.equals(b.orders)


@pytest.mark.slow
def test_value_of_presale_information_prices_the_information_and_the_discount():
    from optimizer.presale.analysis import value_of_presale_information

    # window closed with 1,000 deposits, all convert; past campaigns 900 / 1,000 / 1,100, so
    # without a presale the same buyers arrive at launch with a prior spread of about +-100.
    hist = tuple(PastCampaign(f"H{k}", "cat", n, n) for k, n in enumerate((900.0, 1000.0, 1100.0)))

    def vpi(expansion: float) -> float:
        base = multi_week(
            tuple([1000.0 / 21] * 21), conversion_rate=1.0, as_of_offset=11, n_scenarios=200
        )
        c = replace(
            base.campaign, deposit_amount=10.0, deposit_value=10.0 + expansion, final_discount=0.0
        )
        problem = replace(base, campaign=c, history=hist)
        sol = solve_presale(problem, LP)
        evaluation = evaluate_plan(problem, sol, n_samples=2000, seed=5)
        value, _ = value_of_presale_information(problem, evaluation, LP, 2000, 5)
        return value

    free, costly = vpi(0.0), vpi(10.0)
    assert free > 0  # knowing demand early, at no price, is worth something
    # a discount of 10 on every one of the 1,000 presale units costs exactly 10,000
    assert free - costly == pytest.approx(10.0 * 1000.0, rel=1e-6)
