"""Capacitated facility location instances: the data class, the OR-Library and Holmberg file
parsers, their published optima, and a seeded generator of platform-scale look-alikes.

A :class:`FacilityProblem` has m candidate warehouses i and n customers j:

* ``capacity[i]``  s_i, units the warehouse can ship (units)
* ``fixed_cost[i]`` f_i, cost of opening/using warehouse i (currency)
* ``demand[j]``    d_j, units customer j needs (units)
* ``cost[i, j]``   c_ij, cost of serving **all** of d_j from i (currency); a share x_ij of the
  demand costs c_ij * x_ij.

File formats (``/work/shared/data/README.md``):

* OR-Library ``cap`` (Beasley 1988, EJOR 33:314-325): ``m n``; m lines ``s_i f_i``; then per
  customer ``d_j c_1j .. c_mj`` (free whitespace). capa/b/c write the word ``capacity`` instead
  of s_i: pass ``capacity=`` to override every s_i.
* Holmberg single-source (Holmberg, Ronnqvist & Yuan 1999, EJOR 113:544-559): ``m n``; m lines
  ``s_i f_i``; n demands; then the m x n cost matrix warehouse-major.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True, eq=False)
class FacilityProblem:
    name: str
    capacity: np.ndarray  # (m,) units
    fixed_cost: np.ndarray  # (m,) currency
    demand: np.ndarray  # (n,) units
    cost: np.ndarray  # (m, n) currency for all of d_j from i

    @property
    def m(self) -> int:
        return len(self.capacity)

    @property
    def n(self) -> int:
        return len(self.demand)

    def validate(self) -> FacilityProblem:
        """Raise ``ValueError`` naming the warehouse/customer and the rule that is broken."""
        m, n = self.m, self.n
        if m == 0 or n == 0:
            raise ValueError(f"instance {self.name}: needs at least one warehouse and one customer")
        if self.fixed_cost.shape != (m,):
            raise ValueError(
                f"instance {self.name}: fixed_cost has {self.fixed_cost.shape}, expected ({m},)"
            )
        if self.cost.shape != (m, n):
            raise ValueError(
                f"instance {self.name}: cost matrix is {self.cost.shape}, expected ({m}, {n})"
            )
        for label, arr, kind in (
            ("capacity", self.capacity, "warehouse"),
            ("fixed_cost", self.fixed_cost, "warehouse"),
            ("demand", self.demand, "customer"),
        ):
            bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
            if bad.size:
                k = int(bad[0])
                raise ValueError(
                    f"instance {self.name}: {label} of {kind} {k} is {arr[k]!r}; "
                    "it must be a finite number >= 0"
                )
        bad = np.argwhere(~np.isfinite(self.cost))
        if bad.size:
            i, j = (int(v) for v in bad[0])
            raise ValueError(
                f"instance {self.name}: cost of serving customer {j} from warehouse "
                f"{i} is {self.cost[i, j]!r}; costs must be finite"
            )
        return self

    def with_capacity(self, capacity: float) -> FacilityProblem:
        return FacilityProblem(
            f"{self.name}-{capacity:g}",
            np.full(self.m, float(capacity)),
            self.fixed_cost,
            self.demand,
            self.cost,
        )


def _numbers(path: Path) -> tuple[list[str], Path]:
    # Some distributed copies are padded with NUL bytes to a 512-byte block: treat as blanks.
    text = Path(path).read_text().replace("\x00", " ")
    return text.split(), Path(path)


def read_orlib_cap(path: str | Path, capacity: float | None = None) -> FacilityProblem:
    """Parse an OR-Library ``cap`` file; ``capacity`` overrides every s_i (needed for capa/b/c)."""
    tokens, path = _numbers(Path(path))
    try:
        m, n = int(tokens[0]), int(tokens[1])
        pos = 2
        cap = np.empty(m)
        fixed = np.empty(m)
        for i in range(m):
            word = tokens[pos]
            cap[i] = float("nan") if word.lower() == "capacity" else float(word)
            fixed[i] = float(tokens[pos + 1])
            pos += 2
        demand = np.empty(n)
        cost = np.empty((m, n))
        for j in range(n):
            demand[j] = float(tokens[pos])
            cost[:, j] = [float(t) for t in tokens[pos + 1 : pos + 1 + m]]
            pos += 1 + m
    except (IndexError, ValueError) as exc:
        raise ValueError(f"{path}: not an OR-Library cap file ({exc})") from None
    if pos != len(tokens):
        raise ValueError(f"{path}: {len(tokens) - pos} numbers left over after {m} x {n} data")
    if capacity is not None:
        cap = np.full(m, float(capacity))
    elif np.isnan(cap).any():
        raise ValueError(f"{path}: capacities are the word 'capacity'; give --capacity N")
    name = path.stem if capacity is None else f"{path.stem}-{capacity:g}"
    return FacilityProblem(name, cap, fixed, demand, cost).validate()


def read_holmberg(path: str | Path) -> FacilityProblem:
    """Parse a Holmberg single-source file (cost matrix warehouse-major)."""
    tokens, path = _numbers(Path(path))
    try:
        m, n = int(tokens[0]), int(tokens[1])
        vals = np.array([float(t) for t in tokens[2:]])
        expected = 2 * m + n + m * n
        if len(vals) < expected:
            raise ValueError(f"expected {expected} numbers after 'm n', found {len(vals)}")
        # Numbers after the m x n matrix are ignored: the distributed p47 carries 17 stray
        # numbers after its complete matrix (a left-over of the copy), and its optimum in `os`
        # is reproduced with them ignored.
        vals = vals[:expected]
        cap, fixed = vals[0 : 2 * m : 2], vals[1 : 2 * m : 2]
        demand = vals[2 * m : 2 * m + n]
        cost = vals[2 * m + n :].reshape(m, n)
    except (IndexError, ValueError) as exc:
        raise ValueError(f"{path}: not a Holmberg sscflp file ({exc})") from None
    return FacilityProblem(path.stem, cap, fixed, demand, cost).validate()


def read_capopt(path: str | Path) -> dict[tuple[str, float | None], float]:
    """``capopt.txt`` -> {(instance, capacity override or None): optimum}."""
    out: dict[tuple[str, float | None], float] = {}
    for line in Path(path).read_text().splitlines():
        parts = line.split()
        if not parts or line.lstrip().startswith("#") or len(parts) < 3:
            continue
        override = None if parts[1] == "-" else float(parts[1])
        out[(parts[0], override)] = float(parts[2])
    return out


def read_holmberg_optima(path: str | Path) -> dict[str, float]:
    """The ``os`` file: one optimum per line, for p1, p2, ... in order."""
    values = [float(v) for v in Path(path).read_text().split()]
    return {f"p{k + 1}": v for k, v in enumerate(values)}


def known_optimum(problem_path: str | Path, capacity: float | None = None) -> float | None:
    """The published optimum for a file next to its ``capopt.txt`` or ``os``, if listed."""
    path = Path(problem_path)
    capopt = path.parent / "capopt.txt"
    if capopt.exists():
        return read_capopt(capopt).get((path.stem, capacity))
    os_file = path.parent / "os"
    if os_file.exists() and capacity is None:
        return read_holmberg_optima(os_file).get(path.stem)
    return None


def generate_large(
    seed: int,
    m: int = 100,
    n: int = 1000,
    capacity: float = 8000.0,
    capacity_ratio: float = 2.0,
    fixed_cost_mean: float = 100_000.0,
) -> FacilityProblem:
    """A seeded platform-scale instance shaped like OR-Library's capa/capb/capc.

    Customers and candidate warehouses are points in the unit square. Demands follow the
    skewed spread of the OR-Library cap files (lognormal; cap41-134 range 31..12,912, median
    555), scaled so that all warehouses at the uniform ``capacity`` hold ``capacity_ratio`` x
    the total demand. The cost of serving all of d_j from i is d_j x a unit cost growing with
    the Euclidean distance up to ~120 per unit across the square (the cap files' c_ij/d_j span
    0..118, median ~39), with +-10% noise. Fixed costs are uniform in [0.5, 1.5] x
    ``fixed_cost_mean``. The four capacity settings of a large OR-Library file are obtained with
    :meth:`FacilityProblem.with_capacity` on one generated instance.
    """
    rng = np.random.default_rng(seed)
    wh = rng.random((m, 2))
    cu = rng.random((n, 2))
    demand = rng.lognormal(mean=math.log(555.0), sigma=1.0, size=n)
    demand = np.maximum(1.0, np.round(demand * (m * capacity / capacity_ratio) / demand.sum()))
    dist = np.sqrt(((wh[:, None, :] - cu[None, :, :]) ** 2).sum(axis=2))
    unit = 120.0 * dist / math.sqrt(2.0) * rng.uniform(0.9, 1.1, size=(m, n))
    cost = np.round(unit * demand[None, :], 3)
    fixed = np.round(fixed_cost_mean * rng.uniform(0.5, 1.5, size=m), 0)
    return FacilityProblem(
        f"large-s{seed}-{capacity:g}", np.full(m, float(capacity)), fixed, demand, cost
    ).validate()
