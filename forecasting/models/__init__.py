"""Per-series forecasting backends behind one interface (see :mod:`.base`).

Names accepted by :func:`make_forecaster` (and by ``--models``):

* fast, vectorised (own numpy code): ``snaive naive ses theta sba tsb adida imapa ma mean`` and
  the seasonally adjusted ``ses_s theta_s ma_s``;
* statsforecast: ``ets`` (AutoETS), ``arima`` (AutoARIMA), ``croston`` (CrostonClassic),
  ``sf_adida``, ``sf_imapa``, ``sf_tsb``, ``sf_snaive``, ``sf_naive``;
* ``prophet`` (Prophet with festivals, holidays, closures and promotions).
"""

from __future__ import annotations

from forecasting.methods import METHODS
from forecasting.models.base import Forecaster, quantile_name
from forecasting.models.fast import FastForecaster
from forecasting.models.stats import STATS_MODELS, StatsForecaster

SEASONAL_FAST = ("ses_s", "theta_s", "ma_s")
FAST_MODELS = tuple(METHODS) + SEASONAL_FAST
ALL_MODELS = FAST_MODELS + STATS_MODELS + ("prophet",)


def is_fast(name: str) -> bool:
    return name in FAST_MODELS


def make_forecaster(name: str, season_length: int = 1, **options) -> Forecaster:
    """A fresh forecaster for model ``name`` (see the module doc for the names)."""
    if name in FAST_MODELS:
        return FastForecaster(name, season_length)
    if name in STATS_MODELS:
        return StatsForecaster(name, season_length)
    if name == "prophet":
        from forecasting.models.prophet import ProphetForecaster

        return ProphetForecaster(season_length, **options)
    raise ValueError(f"models: unknown model {name!r}; use auto or one of {', '.join(ALL_MODELS)}")


__all__ = ["ALL_MODELS", "FAST_MODELS", "Forecaster", "make_forecaster", "quantile_name",
           "is_fast"]
