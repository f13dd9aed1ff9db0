"""Adapters over statsforecast's models (AutoETS, AutoARIMA, Croston, ADIDA, IMAPA, TSB,
seasonal naive), fitted one series at a time through their ``forecast`` fast path."""

from __future__ import annotations

import numpy as np

from forecasting.models.base import Forecaster, quantile_name

# name -> (statsforecast class, kwargs builder from the season length, gives intervals)
_SPECS = {
    "ets": ("AutoETS", lambda m: {"season_length": m}, True),
    "arima": ("AutoARIMA", lambda m: {"season_length": m}, True),
    "croston": ("CrostonClassic", lambda m: {}, False),
    "sf_adida": ("ADIDA", lambda m: {}, False),
    "sf_imapa": ("IMAPA", lambda m: {}, False),
    "sf_tsb": ("TSB", lambda m: {"alpha_d": 0.1, "alpha_p": 0.1}, False),
    "sf_snaive": ("SeasonalNaive", lambda m: {"season_length": m}, True),
    "sf_naive": ("Naive", lambda m: {}, True),
}
STATS_MODELS = tuple(_SPECS)


def make_statsforecast_model(name: str, season_length: int):
    import statsforecast.models as sfm

    cls, kw, _ = _SPECS[name]
    return getattr(sfm, cls)(**kw(season_length))


def _level(q: float):
    """The central interval level (percent) whose bound is quantile ``q``; an int when whole,
    as statsforecast names its columns ``lo-80`` for level 80 but ``lo-80.0`` for 80.0."""
    lvl = round(100 * abs(1 - 2 * q), 6)
    return int(lvl) if lvl == int(lvl) else lvl


class StatsForecaster(Forecaster):
    """A statsforecast model behind the :class:`Forecaster` interface. Missing values inside
    the history (closure days) are dropped before fitting."""

    def __init__(self, name: str, season_length: int = 1):
        super().__init__(season_length)
        if name not in _SPECS:
            raise ValueError(
                f"model: unknown statsforecast model {name!r}; use one of {STATS_MODELS}")
        self.name = name

    def _fit(self, y, ds, x) -> None:
        self.model_ = make_statsforecast_model(self.name, self.season_length)
        self.clean_ = y[~np.isnan(y)]

    def _mean(self, h, ds_future, x_future):
        return self.model_.forecast(y=self.clean_, h=h)["mean"]

    def predict(self, h: int, quantiles=(), ds_future=None, x_future=None) -> dict:
        self._check()
        levels = sorted({_level(q) for q in quantiles if q != 0.5})
        has_int = _SPECS[self.name][2]
        res = self.model_.forecast(y=self.clean_, h=h,
                                   level=levels if (has_int and levels) else None)
        mean = np.maximum(res["mean"], 0.0)
        out = {"mean": mean}
        if not has_int:
            base = super().predict(h, quantiles)
            base["mean"] = mean
            return base
        for q in quantiles:
            if q == 0.5:
                out[quantile_name(q)] = mean
                continue
            key = f"{'lo' if q < 0.5 else 'hi'}-{_level(q)}"
            out[quantile_name(q)] = np.maximum(res[key], 0.0)
        return out
