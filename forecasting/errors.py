"""Errors raised by the forecasting package (all are ``ValueError`` subclasses, so the CLI
prints them as one-line messages)."""

from __future__ import annotations


class ForecastInputError(ValueError):
    """The request cannot be forecast at all: unknown frequency, horizon <= 0, missing column,
    unparseable date or quantity. The message names the field and the rule."""


class NotFittedError(ValueError, AttributeError):
    """``predict`` was called on a forecaster before ``fit`` (same shape as scikit-learn's)."""
