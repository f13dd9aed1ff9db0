"""Replenishment rules the simulation can run, and a fixed plan replayed as a policy.

A policy is any object with ``order_quantities(ctx: ReviewContext) -> ndarray`` (one raw
quantity per series; the engine applies MOQ and case packs). ``every_day = True`` makes the
engine ask it every day whatever the review cycle (used for fixed plans). ``tile(reps)``
returns the policy for ``reps`` stacked copies of the series (Monte Carlo).

* :class:`BaseStockPolicy` — order up to ``S`` every review: ``q = max(0, S − IP)``.
* :class:`MinMaxPolicy` — ERP min/max: when ``IP <= min`` order up to ``max``.
* :class:`PlanPolicy` — replays fixed purchase-order lines (a plan) on their order dates.

The backtest's data-driven rules (whose levels are re-estimated each review from the demand
seen so far) live in :mod:`scenarios.backtest_policies`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scenarios.simulation.engine import ReviewContext


def _tile(a: np.ndarray, reps: int) -> np.ndarray:
    return np.tile(np.asarray(a, dtype=float), reps)


@dataclass(frozen=True)
class BaseStockPolicy:
    """Order-up-to ``S`` (units, per series) at every review: ``q = max(0, S − IP)``."""

    order_up_to: np.ndarray

    def order_quantities(self, ctx: ReviewContext) -> np.ndarray:
        return np.maximum(0.0, np.asarray(self.order_up_to, float) - ctx.inventory_position)

    def tile(self, reps: int) -> BaseStockPolicy:
        return BaseStockPolicy(_tile(self.order_up_to, reps))


@dataclass(frozen=True)
class MinMaxPolicy:
    """ERP min/max: at a review with ``IP <= min`` order ``max − IP``; otherwise nothing."""

    min_units: np.ndarray
    max_units: np.ndarray

    def order_quantities(self, ctx: ReviewContext) -> np.ndarray:
        ip = ctx.inventory_position
        lo, hi = np.asarray(self.min_units, float), np.asarray(self.max_units, float)
        return np.where(ip <= lo, np.maximum(0.0, hi - ip), 0.0)

    def tile(self, reps: int) -> MinMaxPolicy:
        return MinMaxPolicy(_tile(self.min_units, reps), _tile(self.max_units, reps))


class PlanPolicy:
    """Replay a plan: order lines ``item_id, location_id, order_date, qty`` placed on their
    dates (lines for unknown series or dates outside the simulation are an error)."""

    every_day = True

    def __init__(self, orders: np.ndarray):
        self.orders = np.asarray(orders, dtype=float)

    @classmethod
    def from_lines(cls, lines: pd.DataFrame, setup: pd.DataFrame, dates: pd.DatetimeIndex) -> PlanPolicy:
        need = {"item_id", "location_id", "order_date", "qty"}
        if not need <= set(lines.columns):
            raise ValueError(f"plan lines need columns {sorted(need)}")
        index = {(i, loc): k for k, (i, loc) in enumerate(zip(setup["item_id"], setup["location_id"]))}
        day = {d: k for k, d in enumerate(pd.DatetimeIndex(dates))}
        orders = np.zeros((len(setup), len(dates)))
        for row in lines.itertuples(index=False):
            key = (row.item_id, row.location_id)
            if key not in index:
                raise ValueError(f"plan line for item {row.item_id} at {row.location_id}: "
                                 "not a simulated item-location")
            when = pd.Timestamp(row.order_date).normalize()
            if when not in day:
                raise ValueError(f"plan line for item {row.item_id} at {row.location_id}: order date "
                                 f"{when.date()} outside the simulated days")
            orders[index[key], day[when]] += float(row.qty)
        return cls(orders)

    def order_quantities(self, ctx: ReviewContext) -> np.ndarray:
        return self.orders[:, ctx.day]

    def tile(self, reps: int) -> PlanPolicy:
        return PlanPolicy(np.tile(self.orders, (reps, 1)))
