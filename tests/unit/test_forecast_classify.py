"""Demand patterns by ADI / CV² with the cut-offs of Syntetos, Boylan & Croston (2005),
"On the categorization of demand patterns", JORS 56, 495–503: ADI 1.32, CV² 0.49."""

import numpy as np
import pytest

from forecasting.classify import ADI_CUTOFF, CV2_CUTOFF, adi_cv2, classify, demand_pattern


def test_published_cutoffs():
    assert (ADI_CUTOFF, CV2_CUTOFF) == (1.32, 0.49)


def test_adi_and_cv2_hand_computed():
    # 4 buckets, 2 with demand -> ADI 2; sizes 3 and 17 -> mean 10, variance 49 -> CV² 0.49
    adi, cv2 = adi_cv2(np.array([[3.0, 0, 17, 0]]))
    assert adi[0] == pytest.approx(2.0)
    assert cv2[0] == pytest.approx(0.49)


def test_boundaries_are_inclusive_on_the_upper_class():
    # ADI exactly 1.32: 33 buckets, 25 with demand (33 / 25 = 1.32) -> intermittent side
    y = np.array([5.0] * 25 + [0.0] * 8)
    assert demand_pattern(y) == "intermittent"
    # one more sale: 33 / 26 = 1.269 -> smooth
    assert demand_pattern(np.array([5.0] * 26 + [0.0] * 7)) == "smooth"
    # CV² exactly 0.49 with a sale every bucket -> erratic
    assert demand_pattern([3, 17, 3, 17]) == "erratic"
    # sizes 4 and 16: mean 10, variance 36 -> CV² 0.36 -> smooth
    assert demand_pattern([4, 16, 4, 16]) == "smooth"
    assert demand_pattern([3, 0, 17, 0]) == "lumpy"
    assert demand_pattern([0, 0, 0]) == "zero"


def test_missing_buckets_do_not_count():
    # NaN (not observed, e.g. store closed) is neither a zero nor a sale
    assert demand_pattern([5, np.nan, 5, np.nan]) == "smooth"
    assert list(classify(np.array([1.0, 2.0]), np.array([0.1, 0.6]))) == ["smooth", "lumpy"]
