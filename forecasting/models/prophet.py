"""Prophet behind the :class:`Forecaster` interface (Prophet is imported lazily).

The stockpilot configuration adds what a retail planner needs on top of Prophet's defaults:
platform festivals 618 and Double 11 (:data:`forecasting.calendar.FESTIVALS`), public holidays
of ``holidays_country`` (the ``holidays`` package), store-closure days (missing history days are
left out of the fit; the engine sets closed future days to 0), and the promotion share as an
extra regressor when the history has promotions. ``uncertainty_samples=0``: intervals come from
the engine's cross-validation calibration, which is both faster and calibrated.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from forecasting.calendar import festival_frame, public_holiday_frame
from forecasting.models.base import Forecaster


def _quiet() -> None:
    for name in ("cmdstanpy", "prophet", "prophet.plot"):
        logging.getLogger(name).setLevel(logging.ERROR)


class ProphetForecaster(Forecaster):
    name = "prophet"

    def __init__(self, season_length: int = 1, holidays_country: str | None = None,
                 festivals: bool = True, defaults_only: bool = False):
        super().__init__(season_length)
        self.holidays_country = holidays_country
        self.festivals = festivals
        self.defaults_only = defaults_only

    def _fit(self, y, ds, x) -> None:
        if ds is None:
            raise ValueError("prophet: needs the bucket dates ds of the history")
        _quiet()
        from prophet import Prophet

        ds = pd.DatetimeIndex(ds)
        df = pd.DataFrame({"ds": ds, "y": y})
        kwargs: dict = {"uncertainty_samples": 0}
        self.use_x_ = False
        if not self.defaults_only:
            years = range(ds.min().year - 1, ds.max().year + 3)
            frames = [festival_frame(years)] if self.festivals else []
            if self.holidays_country:
                frames.append(public_holiday_frame(self.holidays_country, years))
            if frames:
                kwargs["holidays"] = pd.concat(frames, ignore_index=True)
            if x is not None and np.nanstd(x[: len(y)]) > 0:
                df["promo"] = x[: len(y)]
                self.use_x_ = True
        m = Prophet(**kwargs)
        if self.use_x_:
            m.add_regressor("promo")
        self.model_ = m.fit(df.dropna(subset=["y"]))

    def _mean(self, h, ds_future, x_future):
        if ds_future is None:
            raise ValueError("prophet: needs the bucket dates ds_future of the horizon")
        fut = pd.DataFrame({"ds": pd.DatetimeIndex(ds_future)[:h]})
        if self.use_x_:
            fut["promo"] = np.zeros(h) if x_future is None else np.asarray(x_future)[:h]
        return self.model_.predict(fut)["yhat"].to_numpy()
