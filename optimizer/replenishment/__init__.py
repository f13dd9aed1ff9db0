"""The purchase-order optimizer (JIT replenishment).

``solve_replenishment(problem, options) -> ReplenishmentResult``: a multi-period MILP per item ×
warehouse × supplier × period with lead times, soft or hard safety stock, MOQs, case packs,
maximum order sizes, supplier capacity, warehouse volume, budget, joint purchase-order costs,
priorities, effective dates and holidays; decomposed into components solved in parallel and
coordinated by prices; infeasibility explained; every line with its reasons.

Modules: ``problem`` (frames, validation, up-front conflicts), ``model`` (the formulation),
``prepare`` (arrays and components), ``starts`` (MIP starts), ``decompose`` (parallel solve and
coordination),
``reasons``, ``solve`` (the entry point), ``generator`` (seeded instances), ``bench``.
"""

from optimizer.replenishment.problem import (
                                             LINE_COLUMNS,
                                             ReplenishmentInfeasible,
                                             ReplenishmentInputError,
                                             ReplenishmentProblem,
                                             ReplenishmentResult,
                                             ReplenishOptions,
)
from optimizer.replenishment.solve import solve_replenishment

__all__ = ["LINE_COLUMNS", "ReplenishmentInfeasible", "ReplenishmentInputError", "ReplenishmentProblem",
           "ReplenishmentResult", "ReplenishOptions", "solve_replenishment"]
