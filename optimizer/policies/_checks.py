"""Input guards shared by the policy functions: each raises ValueError naming the parameter."""

from __future__ import annotations

import math
from collections.abc import Sequence


def finite(name: str, value: float) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number (got {value!r})") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite (got {value!r})")
    return value


def nonneg(name: str, value: float) -> float:
    value = finite(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0 (got {value:g})")
    return value


def positive(name: str, value: float) -> float:
    value = finite(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0 (got {value:g})")
    return value


def probability(name: str, value: float) -> float:
    value = finite(name, value)
    if not 0 < value < 1:
        raise ValueError(f"{name} must be strictly between 0 and 1 (got {value:g})")
    return value


def per_period(name: str, value: float | Sequence[float], n: int, *, allow_zero: bool = True) -> list[float]:
    """One number broadcast to ``n`` periods, or exactly ``n`` numbers, each >= 0 (or > 0)."""
    values = [value] * n if isinstance(value, (int, float)) else list(value)
    if len(values) != n:
        raise ValueError(f"{name} must be one number or {n} numbers, one per period (got {len(values)})")
    check = nonneg if allow_zero else positive
    return [check(f"{name}[period {t + 1}]", v) for t, v in enumerate(values)]
