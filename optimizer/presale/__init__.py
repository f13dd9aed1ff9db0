"""Presale planning: production for pre-order campaigns with deposits (see ``model.py`` for the
formulation). Public entry points:

* :func:`solve_presale` — the SAA two-stage stochastic MILP;
* :func:`evaluate_plan` — independent Monte Carlo evaluation of a plan;
* :func:`plan_presale` — plan + metrics + value of presale information + presale-share sweep;
* :func:`problem_from_dict` — a campaign JSON document to a :class:`PresaleProblem`.
"""

from optimizer.presale.analysis import (
    PresaleReport,
    plan_presale,
    presale_share_sweep,
    value_of_presale_information,
)
from optimizer.presale.campaign import (
    PastCampaign,
    PresaleCampaign,
    PresaleEconomics,
    PresaleInputError,
    SpotDemand,
    SupplySource,
)
from optimizer.presale.conversion import ConversionModel, fit_conversion
from optimizer.presale.deposits import DepositForecast, project_deposits
from optimizer.presale.evaluate import PresaleMetrics, evaluate_plan, in_sample_metrics
from optimizer.presale.io import problem_from_dict
from optimizer.presale.model import PresaleSolution, solve_presale
from optimizer.presale.problem import PresaleProblem

__all__ = [
    "ConversionModel",
    "DepositForecast",
    "PastCampaign",
    "PresaleCampaign",
    "PresaleEconomics",
    "PresaleInputError",
    "PresaleMetrics",
    "PresaleProblem",
    "PresaleReport",
    "PresaleSolution",
    "SpotDemand",
    "SupplySource",
    "evaluate_plan",
    "fit_conversion",
    "in_sample_metrics",
    "plan_presale",
    "presale_share_sweep",
    "problem_from_dict",
    "project_deposits",
    "solve_presale",
    "value_of_presale_information",
]
