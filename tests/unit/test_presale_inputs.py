"""Presale inputs: validation (bad input names the field), JSON documents, conversion and
deposit models."""

from __future__ import annotations

import copy
import json
import math
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from optimizer.presale import (
    PastCampaign,
    PresaleCampaign,
    PresaleInputError,
    PresaleProblem,
    SupplySource,
    fit_conversion,
    problem_from_dict,
    project_deposits,
)
from optimizer.presale.deposits import fit_deposit_curve

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "scenarios" / "specs" / "presale_campaign_example.json"
)
AS_OF = date(2024, 5, 1)


def campaign(**changes) -> PresaleCampaign:
    base = dict(
        campaign_id="C1",
        item_id="I1",
        as_of=AS_OF,
        deposit_start=AS_OF - timedelta(days=10),
        deposit_end=AS_OF + timedelta(days=10),
        final_start=AS_OF + timedelta(days=11),
        final_end=AS_OF + timedelta(days=14),
        promise_date=AS_OF + timedelta(days=28),
        launch_date=AS_OF + timedelta(days=28),
        price=100.0,
        deposit_amount=10.0,
        deposit_value=20.0,
        final_discount=5.0,
        deposits_to_date=tuple([50.0] * 10),
    )
    base.update(changes)
    return PresaleCampaign(**base)


def source(**changes) -> SupplySource:
    base = dict(source_id="F1", unit_cost=50.0, lead_time_weeks=1, capacity_per_week=500.0)
    base.update(changes)
    return SupplySource(**base)


# --------------------------------------------------------------------------------- bad input
def test_deposit_window_after_final_payment_window_names_the_field():
    with pytest.raises(PresaleInputError, match=r"final_start=.*campaign C1.*deposit window"):
        campaign(final_start=AS_OF + timedelta(days=5))


def test_conversion_rate_outside_unit_interval_names_the_field():
    with pytest.raises(PresaleInputError, match=r"conversion_rate=1\.2 \(campaign C1\).*\[0, 1\]"):
        campaign(conversion_rate=1.2)
    with pytest.raises(PresaleInputError, match=r"conversion_rate=-0\.1"):
        campaign(conversion_rate=-0.1)
    with pytest.raises(PresaleInputError, match=r"final_payments=120.*past campaign H1.*\[0, 1\]"):
        PastCampaign("H1", "cat", deposits_total=100, final_payments=120)


def test_capacity_zero_with_positive_commitment_names_the_field():
    with pytest.raises(
        PresaleInputError, match=r"capacity_per_week=0\.0 \(source F1\).*committed_units=300"
    ):
        PresaleProblem(campaign(), (source(capacity_per_week=0.0, committed_units=300.0),))
    # zero capacity everywhere while buyers have already paid deposits
    with pytest.raises(PresaleInputError, match=r"capacity_per_week.*zero capacity.*500 units"):
        PresaleProblem(campaign(), (source(capacity_per_week=0.0),))


def test_negative_deposits_name_the_field_and_day():
    with pytest.raises(
        PresaleInputError, match=r"deposits_to_date=-5\.0 \(campaign C1, day 3\).*>= 0"
    ):
        campaign(deposits_to_date=(10.0, 12.0, -5.0))
    with pytest.raises(PresaleInputError, match=r"deposits_total=-1"):
        PastCampaign("H1", "cat", deposits_total=-1, final_payments=0)


def test_other_rules():
    with pytest.raises(PresaleInputError, match="deposit_value"):
        campaign(deposit_value=5.0)
    with pytest.raises(PresaleInputError, match="launch_date"):
        campaign(launch_date=AS_OF + timedelta(days=20))
    with pytest.raises(PresaleInputError, match="case_pack_units=0"):
        source(case_pack_units=0)
    with pytest.raises(PresaleInputError, match="moq_units=900.*larger than the capacity"):
        PresaleProblem(campaign(), (source(moq_units=900.0),))
    with pytest.raises(PresaleInputError, match="unit_salvage_value"):
        from optimizer.presale import PresaleEconomics

        PresaleProblem(campaign(), (source(),), economics=PresaleEconomics(unit_salvage_value=60.0))


# --------------------------------------------------------------------------------- documents
def test_example_document_parses():
    doc = json.loads(EXAMPLE.read_text())
    problem = problem_from_dict(doc)
    assert problem.campaign.campaign_id == "PS-DEMO-1"
    assert [s.kind for s in problem.sources] == ["MO", "PO"]
    assert problem.sources[1].capacity(0) == 0.0 and problem.sources[1].capacity(9) == 400.0
    assert problem.n_scenarios == 1000 and len(problem.history) == 3
    assert problem.campaign.presale_net_price == pytest.approx(100 - 5 - (20 - 10))
    assert problem_from_dict(doc, n_scenarios=50).n_scenarios == 50


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["campaign"].update(deposit_end="2024-05-31"), r"final_start=.*deposit window"),
        (lambda d: d["campaign"].update(conversion_rate=1.5), r"conversion_rate=1\.5"),
        (lambda d: d["campaign"].update(deposits_to_date=[10, -3]), r"deposits_to_date=-3\.0"),
        (
            lambda d: d["sources"][0].update(capacity_per_week=0, committed_units=100),
            r"capacity_per_week=0\.0 \(source F1\)",
        ),
        (
            lambda d: d["campaign"].update(deposit_start="2024-13-01"),
            r"campaign\.deposit_start='2024-13-01'.*YYYY-MM-DD",
        ),
        (lambda d: d["campaign"].pop("price"), r"campaign: missing field\(s\) price"),
        (
            lambda d: d["sources"][1].update(lead_time="1w"),
            r"sources\[1\]: unknown field\(s\) lead_time",
        ),
        (
            lambda d: d["sources"][0].update(unit_cost="cheap"),
            r"sources\[0\]\.unit_cost='cheap': must be a number",
        ),
    ],
)
def test_bad_documents_name_the_field(mutate, message):
    doc = json.loads(EXAMPLE.read_text())
    bad = copy.deepcopy(doc)
    mutate(bad)
    with pytest.raises(PresaleInputError, match=message):
        problem_from_dict(bad)


# ---------------------------------------------------------------------------- demand models
def test_beta_binomial_fit_recovers_the_generating_distribution():
    rng = np.random.default_rng(3)
    a, b = 16.0, 4.0  # mean 0.8, as the sample generator uses
    history = []
    for i in range(60):
        n = int(rng.integers(800, 2000))
        history.append(PastCampaign(f"H{i}", "cat", n, float(rng.binomial(n, rng.beta(a, b)))))
    model = fit_conversion(tuple(history), "cat")
    assert model.source == "Beta-Binomial MLE, category:cat"
    assert model.mean == pytest.approx(0.8, abs=0.02)
    # between-campaign std of p: sqrt(ab / ((a+b)^2 (a+b+1))) = 0.0873
    assert model.std_between_campaigns == pytest.approx(
        math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1))), rel=0.25
    )


def test_conversion_pools_categories_with_too_few_campaigns():
    history = (
        PastCampaign("A", "x", 100, 80),
        PastCampaign("B", "y", 100, 60),
        PastCampaign("C", "y", 200, 150),
    )
    assert fit_conversion(history, "x").source == "Beta-Binomial MLE, all categories"
    assert fit_conversion((), "x").source == "prior (no history)"


def test_deposit_projection_is_the_conjugate_gamma_poisson_update():
    daily = (100.0, 50.0, 50.0, 50.0, 150.0)  # 150 of 400 (37.5%) after 2 of 5 days
    history = (
        PastCampaign("H1", "cat", 400, 320, daily),
        PastCampaign("H2", "cat", 600, 480, tuple(1.5 * d for d in daily)),
    )
    curve = fit_deposit_curve(history)
    assert curve[0] == 0.0 and curve[-1] == pytest.approx(1.0)
    assert np.interp(0.4, np.linspace(0, 1, 101), curve) == pytest.approx(150 / 400)
    c = campaign(
        deposit_start=AS_OF - timedelta(days=2),
        deposit_end=AS_OF + timedelta(days=2),
        final_start=AS_OF + timedelta(days=3),
        final_end=AS_OF + timedelta(days=4),
        deposits_to_date=(90.0, 60.0),
    )
    f = project_deposits(c, history, cancellation_rate=0.0)
    totals = [400.0, 600.0]
    mean, cv = np.mean(totals), np.std(totals, ddof=1) / np.mean(totals)
    a0, b0 = 1 / cv**2, 1 / cv**2 / mean
    share = 150 / 400
    assert f.shape == pytest.approx(a0 + 150.0) and f.rate == pytest.approx(b0 + share)
    assert f.mean_total == pytest.approx(150 + (a0 + 150) / (b0 + share) * (1 - share))
    # sampling reproduces the negative-binomial mean of what is still to come
    u = np.random.default_rng(0).random((3, 40_000))
    draws = f.sample_net_total(u[0], u[1], u[2])
    assert draws.mean() == pytest.approx(f.mean_total, rel=0.02)
    # more deposits seen -> pointwise more projected (common random numbers)
    more = project_deposits(replace(c, deposits_to_date=(120.0, 80.0)), history, 0.0)
    assert np.all(more.sample_net_total(u[0], u[1], u[2]) >= draws)


def test_closed_window_total_is_known():
    c = campaign(
        as_of=AS_OF + timedelta(days=12),
        promise_date=AS_OF + timedelta(days=28),
        deposits_to_date=tuple([50.0] * 21),
        cancellations_to_date=tuple([1.0] * 21),
    )
    f = project_deposits(c, (), 0.0)
    assert f.closed and f.mean_total == 50 * 21 - 21 and f.std_total == 0.0
