"""Day-by-day inventory simulation: evaluate a plan or a policy against Monte Carlo demand
drawn from forecast quantiles (with confidence intervals on every KPI) or against real history
replayed.

* :mod:`.engine` — the simulation itself (lost sales / backorders, random lead times,
  short-shipments, review cycles, closures);
* :mod:`.policies` — base-stock, min/max and fixed-plan policies;
* :mod:`.summary` — trace → KPIs (through :mod:`scenarios.kpis`);
* :mod:`.montecarlo` — demand sampling from quantiles, replications, confidence intervals;
* :mod:`.network` — planning data → item × warehouse series, daily demand, set-up.
"""

from scenarios.simulation.engine import (
                                         ReviewContext,
                                         SimulationConfig,
                                         SimulationResult,
                                         apply_terms,
                                         simulate,
)
from scenarios.simulation.montecarlo import (
                                         MonteCarloResult,
                                         confidence_intervals,
                                         forecast_sampler,
                                         monte_carlo,
                                         quantile_sample,
)
from scenarios.simulation.policies import BaseStockPolicy, MinMaxPolicy, PlanPolicy
from scenarios.simulation.summary import series_kpis, summarize

__all__ = ["ReviewContext", "SimulationConfig", "SimulationResult", "apply_terms", "simulate",
           "MonteCarloResult", "confidence_intervals", "forecast_sampler", "monte_carlo",
           "quantile_sample", "BaseStockPolicy", "MinMaxPolicy", "PlanPolicy", "series_kpis",
           "summarize"]
