"""Demand forecasting: sales history (long frame) -> forecasts with quantiles.

The only package that imports prophet / statsforecast (lazily). Never imports Flask,
SQLAlchemy or the rest of stockpilot.

Public API
----------
* :func:`forecast` — the panel orchestrator (:mod:`forecasting.forecast`);
* :func:`make_forecaster` — one backend for one series (:mod:`forecasting.models`);
* :mod:`forecasting.metrics` — ``mase, rmsse, wape, bias, pinball, coverage``;
* :mod:`forecasting.classify` — ADI / CV² demand patterns;
* :mod:`forecasting.executor` — the parallel seam (``map_chunks``, ``local_mapper``);
* :mod:`forecasting.bench` — ``stockpilot bench forecast``.
"""

from forecasting.errors import ForecastInputError, NotFittedError
from forecasting.forecast import ForecastResult, forecast
from forecasting.models import make_forecaster

__all__ = ["ForecastInputError", "ForecastResult", "NotFittedError", "forecast", "make_forecaster"]
