"""Inventory policies exact to the textbook: pure functions, no solver.

* :mod:`.safety_stock` — safety stock, reorder point and order-up-to level for a cycle service
  level or a fill rate, with random lead times and a review period; order-up-to levels from
  forecast quantiles.
* :mod:`.eoq` — economic order quantity, with all-units and incremental quantity discounts.
* :mod:`.newsvendor` — newsvendor with normal, Poisson and discrete demand; cost form
  (h, p) and price/cost/salvage form.
* :mod:`.poisson` — optimal (s,S) (Zheng & Federgruen 1991) and (r,Q) (Federgruen & Zheng 1992)
  policies for Poisson demand.
* :mod:`.lot_sizing` — dynamic lot sizing: Wagner–Whitin (exact) and Silver–Meal (heuristic).

Every function validates its inputs and raises :class:`ValueError` naming the parameter and
the rule. Every result is a frozen dataclass with ``as_dict()`` for JSON output.
"""

from optimizer.policies.eoq import EoqResult, eoq, eoq_all_units_discount, eoq_incremental_discount
from optimizer.policies.lot_sizing import LotSizingResult, silver_meal, wagner_whitin
from optimizer.policies.newsvendor import (
    NewsvendorResult,
    newsvendor_discrete,
    newsvendor_normal,
    newsvendor_poisson,
    overage_underage_from_prices,
)
from optimizer.policies.poisson import (
    RQPolicy,
    SSPolicy,
    rq_poisson,
    rq_poisson_cost,
    ss_poisson,
    ss_poisson_cost,
)
from optimizer.policies.safety_stock import (
    SafetyStockResult,
    normal_loss,
    order_up_to_from_quantiles,
    safety_stock_cycle_service,
    safety_stock_fill_rate,
)

__all__ = [
    "EoqResult", "eoq", "eoq_all_units_discount", "eoq_incremental_discount",
    "LotSizingResult", "silver_meal", "wagner_whitin",
    "NewsvendorResult", "newsvendor_discrete", "newsvendor_normal", "newsvendor_poisson",
    "overage_underage_from_prices",
    "RQPolicy", "SSPolicy", "rq_poisson", "rq_poisson_cost", "ss_poisson", "ss_poisson_cost",
    "SafetyStockResult", "normal_loss", "order_up_to_from_quantiles",
    "safety_stock_cycle_service", "safety_stock_fill_rate",
]
