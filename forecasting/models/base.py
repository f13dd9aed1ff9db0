"""The per-series forecaster interface every backend implements.

``fit(y, ds=None, x=None) -> self`` learns from one history (``y`` float array, oldest first,
``ds`` its bucket dates, ``x`` the promotion share per bucket); ``predict(h, quantiles=(),
ds_future=None, x_future=None)`` returns a dict with ``"mean"`` and one ``"pXX"`` array per
quantile, each of length ``h``. Fitted state ends in ``_``; ``predict`` before ``fit`` raises
:class:`~forecasting.errors.NotFittedError`. The panel orchestrator (:mod:`forecasting.engine`)
uses only the mean and calibrates quantiles itself from cross-validation residuals; the
backends' own quantiles (Gaussian on the in-sample one-step errors unless the library gives
intervals) serve single-series use.
"""

from __future__ import annotations

import abc

import numpy as np
from scipy.stats import norm

from forecasting.errors import NotFittedError


def quantile_name(q: float) -> str:
    """Column name of quantile ``q``: 0.1 -> ``p10``, 0.975 -> ``p97.5``."""
    return "p" + f"{100 * q:.4f}".rstrip("0").rstrip(".")


class Forecaster(abc.ABC):
    """Base class: subclasses implement ``_fit`` and ``_mean``."""

    name = "base"

    def __init__(self, season_length: int = 1):
        self.season_length = season_length

    def fit(self, y, ds=None, x=None) -> Forecaster:
        y = np.asarray(y, dtype=float)
        if y.ndim != 1 or len(y) == 0:
            raise ValueError(f"{self.name}: y must be a non-empty 1-D series")
        self.y_ = y
        self.ds_ = ds
        self.x_ = None if x is None else np.asarray(x, dtype=float)
        self._fit(y, ds, self.x_)
        return self

    def _check(self) -> None:
        if not hasattr(self, "y_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted; call fit(y) first")

    def predict(self, h: int, quantiles=(), ds_future=None, x_future=None) -> dict:
        self._check()
        if h <= 0:
            raise ValueError(f"{self.name}: horizon h must be > 0, got {h}")
        mean = np.maximum(np.asarray(self._mean(h, ds_future, x_future), dtype=float), 0.0)
        out = {"mean": mean}
        if len(quantiles):
            sigma = self._sigma()
            steps = np.sqrt(np.arange(1, h + 1))
            for q in quantiles:
                out[quantile_name(q)] = np.maximum(mean + norm.ppf(q) * sigma * steps, 0.0)
        return out

    def _sigma(self) -> float:
        y = self.y_[~np.isnan(self.y_)]
        return float(np.sqrt(np.mean(np.diff(y) ** 2))) if len(y) > 1 else 0.0

    @abc.abstractmethod
    def _fit(self, y, ds, x) -> None:
        """Fit to the series ``y`` (dates ``ds``, regressors ``x``); set fitted state ``*_``."""

    @abc.abstractmethod
    def _mean(self, h, ds_future, x_future):
        """The mean forecast for the next ``h`` buckets."""
