"""Vectorised methods on series whose forecast can be worked by hand."""

import numpy as np
import pytest

from forecasting import adjust, methods
from forecasting.calibration import _conformal_q


def test_ses_on_a_constant_is_the_constant():
    Y = np.full((2, 20), 7.0)
    Y[1, :5] = np.nan  # a later launch
    np.testing.assert_allclose(methods.ses(Y, 3), 7.0)


def test_croston_sba_with_regular_demand():
    # demand 3 every third bucket: size z = 3, interval p = 3 -> Croston 1.0;
    # SBA multiplies by (1 - α/2) = 0.95 (Syntetos & Boylan 2005) -> 0.95
    Y = np.array([[0, 0, 3.0] * 10])
    np.testing.assert_allclose(methods.sba(Y, 2), 0.95)


def test_tsb_on_steady_demand_and_after_demand_stops():
    # a sale of 5 every bucket: probability 1, size 5 -> 5
    np.testing.assert_allclose(methods.tsb(np.full((1, 12), 5.0), 1), 5.0)
    # TSB updates the probability every bucket (β = 0.1), Croston only at a sale. Start
    # p0 = 20/30 (history rate), 20 sales: p = 1 - (1/3)·0.9^20; 10 zeros: × 0.9^10; size 5
    Y = np.array([[5.0] * 20 + [0.0] * 10])
    expected = 5 * (1 - 0.9 ** 20 / 3) * 0.9 ** 10
    assert methods.tsb(Y, 1)[0, 0] == pytest.approx(expected)
    assert methods.sba(Y, 1)[0, 0] == pytest.approx(methods.sba(Y[:, :20], 1)[0, 0])


def test_adida_aggregates_by_the_mean_interval():
    # mean interval 3 -> blocks of 3 each sum to 3 -> SES level 3 -> 1 per bucket
    Y = np.array([[0, 0, 3.0] * 10])
    np.testing.assert_allclose(methods.adida(Y, 2), 1.0)
    np.testing.assert_allclose(methods.imapa(np.full((1, 24), 2.0), 2), 2.0)


def test_snaive_repeats_the_last_season_and_fills_closed_days():
    Y = np.array([[1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, np.nan, 7.0]])
    # the closed 6th weekday takes the value one week earlier (6)
    np.testing.assert_allclose(methods.snaive(Y, 9, 7), [[1, 2, 3, 4, 5, 6, 7, 1, 2]])


def test_theta_adds_half_the_trend():
    # y = t: OLS slope 1, the best α on a line is the largest (0.8); level tracks 1 behind
    Y = np.arange(50, dtype=float)[None, :]
    f = methods.theta(Y, 2)
    assert f[0, 1] - f[0, 0] == pytest.approx(0.5)


def test_seasonal_adjustment_recovers_a_weekday_profile():
    profile = np.array([1, 1, 1, 1, 2, 3, 0.0])
    Y = np.tile(profile * 10, 30)[None, :]
    f = adjust.run_method("ses", Y, 7, 7, None, seasonal=True)
    np.testing.assert_allclose(f[0], profile * 10, rtol=1e-9)


def test_promo_uplift_is_shrunk_towards_one():
    # base 10, promoted buckets sell 30 (raw uplift 3); 5 promoted buckets and a prior of 5
    # -> u = (5 * 3 + 5) / (5 + 5) = 2.0
    Y = np.full((1, 40), 10.0)
    P = np.zeros((1, 40))
    P[0, [3, 10, 17, 24, 31]] = 1
    Y[P == 1] = 30
    assert adjust.promo_uplift(Y, P)[0] == pytest.approx(2.0)
    Pf = np.concatenate([P, [[1, 0]]], axis=1)
    f = adjust.run_method("mean", Y, 2, 1, Pf)
    base = (35 * 10 + 5 * 30 / 2.0) / 40
    np.testing.assert_allclose(f[0], [base * 2.0, base])


def test_conformal_quantile_uses_the_finite_sample_rank():
    # n = 9, q = 0.9: rank ceil(10 * 0.9) = 9 -> the largest of 1..9
    x = np.arange(1, 10, dtype=float)
    assert _conformal_q(x, 0.9) == 9.0
    assert _conformal_q(x, 0.1) == 1.0
