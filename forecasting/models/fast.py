"""Per-series adapters over the vectorised methods of :mod:`forecasting.methods`."""

from __future__ import annotations

import numpy as np

from forecasting.adjust import run_method
from forecasting.models.base import Forecaster


class FastForecaster(Forecaster):
    """One of :data:`forecasting.methods.METHODS`, optionally seasonally adjusted (name
    suffix ``_s``) and promotion-adjusted when ``x`` is given."""

    def __init__(self, method: str, season_length: int = 1):
        super().__init__(season_length)
        self.method = method
        self.name = method

    def _fit(self, y, ds, x) -> None:
        self.base_ = self.method.removesuffix("_s")
        self.seasonal_ = self.method.endswith("_s")

    def _mean(self, h, ds_future, x_future):
        P = None
        if self.x_ is not None:
            xf = np.zeros(h) if x_future is None else np.asarray(x_future, dtype=float)
            P = np.concatenate([self.x_, xf])[None, :]
        return run_method(self.base_, self.y_[None, :], h, self.season_length, P,
                          self.seasonal_)[0]
