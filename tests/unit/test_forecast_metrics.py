"""Metrics against hand-computed values.

MASE: Hyndman & Koehler (2006), "Another look at measures of forecast accuracy", IJF 22(4),
679–688 — the scaled error q_t = e_t / ((1/(n−1)) Σ|Y_i − Y_{i−1}|) and MASE = mean|q_t|.
RMSSE: M5 competitors' guide (Makridakis et al. 2022, IJF 38, eq. 1). Pinball: Koenker &
Bassett (1978). Every expected number below is worked by hand in the comment beside it.
"""

import math

import numpy as np
import pytest

from forecasting import metrics


def test_mase_hand_computed():
    # history 1,2,3,4,5: one-step naive errors all 1 -> scale 1; errors |6-5|,|7-5| -> mean 1.5
    assert metrics.mase([6, 7], [5, 5], [1, 2, 3, 4, 5]) == pytest.approx(1.5)
    # seasonal scale m=2: history 1,3,1,3 -> |1-1|,|3-3| = 0 -> undefined
    assert math.isnan(metrics.mase([1], [1], [1, 3, 1, 3], m=2))
    # history 2,4,2,4 naive errors 2,2,2 -> scale 2; error 3 -> 1.5
    assert metrics.mase([5], [2], [2, 4, 2, 4]) == pytest.approx(1.5)


def test_rmsse_hand_computed():
    # scale mean((ΔY)^2) = 1; errors 1 and 2 -> sqrt((1 + 4) / 2) = sqrt(2.5)
    assert metrics.rmsse([6, 7], [5, 5], [1, 2, 3, 4, 5]) == pytest.approx(math.sqrt(2.5))


def test_wape_bias():
    # |10-8| + |10-13| = 5 over 20 -> 0.25; (8-10) + (13-10) = 1 over 20 -> 0.05
    assert metrics.wape([10, 10], [8, 13]) == pytest.approx(0.25)
    assert metrics.bias([10, 10], [8, 13]) == pytest.approx(0.05)
    assert math.isnan(metrics.wape([0, 0], [1, 1]))


def test_pinball_hand_computed():
    # q=0.9: under-forecast by 2 costs 0.9*2 = 1.8, over-forecast by 2 costs 0.1*2 = 0.2
    assert metrics.pinball([10], [8], 0.9) == pytest.approx(1.8)
    assert metrics.pinball([10], [12], 0.9) == pytest.approx(0.2)
    assert metrics.pinball([10, 10], [8, 12], 0.5) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="quantile"):
        metrics.pinball([1], [1], 1.5)


def test_coverage_counts_bounds_inclusive():
    y = np.array([0, 5, 10, 11])
    assert metrics.coverage(y, [0, 0, 0, 0], [10, 10, 10, 10]) == pytest.approx(0.75)
