"""Capacitated facility location: which warehouses to use, split-demand or single-source.

Public API: :func:`solve_facility_location` (strong formulation; Lagrangian bound + fixing at
platform scale), the file parsers, :func:`solve_reference` (textbook PuLP+CBC model) and the
benchmarks in :mod:`optimizer.facility.bench`.
"""

from optimizer.facility.cflp import FacilityResult, evaluate, solve_facility_location
from optimizer.facility.instances import (
    FacilityProblem,
    generate_large,
    known_optimum,
    read_capopt,
    read_holmberg,
    read_holmberg_optima,
    read_orlib_cap,
)
from optimizer.facility.reference import solve_reference

__all__ = [
    "FacilityProblem",
    "FacilityResult",
    "evaluate",
    "generate_large",
    "known_optimum",
    "read_capopt",
    "read_holmberg",
    "read_holmberg_optima",
    "read_orlib_cap",
    "solve_facility_location",
    "solve_reference",
]
