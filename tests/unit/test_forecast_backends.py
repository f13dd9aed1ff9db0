"""The per-series interface: fit(y) -> self, predict(h, quantiles), fitted state ending in
``_``, NotFittedError; statsforecast adapters on series with hand-checkable answers."""

import numpy as np
import pytest

from forecasting import NotFittedError, make_forecaster
from forecasting.models import ALL_MODELS


@pytest.mark.parametrize("name", ["ses", "sba", "croston", "ets"])
def test_predict_before_fit_raises(name):
    with pytest.raises(NotFittedError, match="not fitted"):
        make_forecaster(name).predict(3)


def test_fit_returns_self_and_state_ends_in_underscore():
    f = make_forecaster("theta_s", 7)
    assert f.fit(np.tile([1, 1, 1, 1, 2, 3, 0.0], 8)) is f
    state = [k for k in vars(f) if k not in ("season_length", "method", "name")]
    assert state and all(k.endswith("_") for k in state)


def test_quantiles_are_named_and_ordered():
    f = make_forecaster("ses").fit(np.array([8.0, 12, 9, 11, 10, 10, 9, 11]))
    out = f.predict(3, quantiles=(0.1, 0.5, 0.9, 0.975))
    assert set(out) == {"mean", "p10", "p50", "p90", "p97.5"}
    assert (out["p10"] <= out["p50"]).all() and (out["p90"] <= out["p97.5"]).all()


def test_statsforecast_croston_classic_on_regular_demand():
    # Croston (1972): size 3 every third bucket -> z = 3, p = 3 -> 1.0 per bucket
    out = make_forecaster("croston").fit(np.array([0, 0, 3.0] * 8)).predict(2)
    np.testing.assert_allclose(out["mean"], 1.0)


def test_statsforecast_ets_intervals_contain_the_mean():
    y = 50 + 5 * np.sin(np.arange(60) * 2 * np.pi / 12)
    out = make_forecaster("ets", 12).fit(y).predict(12, quantiles=(0.1, 0.5, 0.9))
    assert (out["p10"] <= out["mean"] + 1e-9).all() and (out["mean"] <= out["p90"] + 1e-9).all()
    # a pure 12-month sine: AutoETS picks the seasonal model and repeats the cycle
    np.testing.assert_allclose(out["mean"], y[-12:], atol=0.5)


def test_unknown_model_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown model 'nope'"):
        make_forecaster("nope")
    assert "prophet" in ALL_MODELS
