"""Scenario sets for the presale model: a two-level tree of presale outcomes and spot demand.

A scenario (leaf) is one joint outcome of
  * the **presale demand** ``P`` (units to ship to presale buyers): final net deposits ``N``
    (projected, :mod:`optimizer.presale.deposits`), conversions ``C ~ Binomial(N, p)`` with
    ``p`` from the conversion model, refunds ``~ Binomial(C, refund_rate)``, plus firm
    pre-orders; once the final-payment window has closed, ``P`` is the observed count;
  * the weekly **spot demand** after launch.

Information structure. ``P`` is known when the final-payment window closes (week ``r``); spot
demand is not known until it happens. When orders can still be placed from week ``r`` on
(recourse) and ``P`` is uncertain, leaves are grouped in ``n_nodes`` presale nodes of
``n_inner`` leaves each: leaves of one node share ``P`` (and so the recourse decision) but have
their own spot demand — recourse sees the presale outcome, never the future spot demand. Without
recourse every leaf has its own ``P``; with ``P`` certain there is one node.

Sampling uses Latin hypercube uniforms mapped through inverse CDFs, so a larger input (more
deposits, higher conversion) gives pointwise larger samples for the same seed (common random
numbers), and one-dimensional marginals are stratified.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from optimizer.presale.conversion import ConversionModel
from optimizer.presale.deposits import DepositForecast
from optimizer.presale.problem import PresaleProblem


@dataclass(frozen=True)
class ScenarioSet:
    """Arrays of one scenario tree. Leaves ``s`` belong to node ``node_of_leaf[s]``.

    ``presale_units[o]`` (units), ``deposits[o]`` (final net deposits), ``forfeit_revenue[o]``
    (currency) per node; ``spot[s, k]`` spot demand of leaf s in spot week k (units);
    ``leaf_weight`` sums to 1, ``node_weight[o]`` is the sum over the node's leaves."""

    presale_units: np.ndarray
    deposits: np.ndarray
    forfeit_revenue: np.ndarray
    node_of_leaf: np.ndarray
    spot: np.ndarray
    leaf_weight: np.ndarray
    node_weight: np.ndarray

    @property
    def n_nodes(self) -> int:
        return int(self.presale_units.size)

    @property
    def n_leaves(self) -> int:
        return int(self.node_of_leaf.size)


def lhs_uniforms(rng: np.random.Generator, n: int, dims: int) -> np.ndarray:
    """``n x dims`` Latin hypercube sample: each column hits each of n strata exactly once."""
    strata = np.argsort(rng.random((dims, n)), axis=1).T.astype(float)
    return (strata + rng.random((n, dims))) / n


def presale_outcomes(
    problem: PresaleProblem, conversion: ConversionModel, forecast: DepositForecast, u: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Presale units, final net deposits and forfeited deposit revenue for uniforms ``u``
    (n x 6)."""
    c = problem.campaign
    if c.final_known:
        n = np.full(u.shape[0], round(c.deposits_net_to_date), dtype=float)
        conv = np.full(u.shape[0], float(c.final_payments_to_date), dtype=float)
    else:
        n = forecast.sample_net_total(u[:, 0], u[:, 1], u[:, 2])
        p = conversion.sample_p(u[:, 3])
        conv = np.nan_to_num(stats.binom.ppf(u[:, 4], n, np.clip(p, 0.0, 1.0)))
    refunds = (
        np.nan_to_num(stats.binom.ppf(u[:, 5], conv, c.refund_rate)) if c.refund_rate > 0 else 0.0
    )
    units = conv - refunds + c.firm_preorders
    forfeit = c.deposit_amount * (n - conv) if c.deposits_forfeited else np.zeros_like(n)
    return units, n, forfeit


def _has_recourse(problem: PresaleProblem) -> bool:
    r, weeks = problem.recourse_week, problem.n_weeks
    return any(r + s.lead_time_weeks <= weeks - 1 for s in problem.sources)


def _node_count(n: int) -> int:
    """Largest divisor of n not above its cube root (1,000 scenarios -> 10 nodes x 100 leaves).

    ``P`` is one-dimensional and its nodes are stratified, so few nodes cover it; many leaves
    per node keep each node's recourse from over-fitting its own spot samples, and every node
    adds MOQ binaries (10 nodes solve ~2x faster than 25 at equal profit; see the benchmark)."""
    best = 1
    root = n ** (1.0 / 3.0) + 1e-9
    for k in range(1, int(root) + 1):
        if n % k == 0:
            best = k
    return best


def spot_samples(
    problem: PresaleProblem, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` spot-demand rows (n x weeks) with their weights (explicit outcomes: all of them)."""
    spot = problem.spot
    if spot.values:
        return np.asarray(spot.values, dtype=float), np.asarray(spot.weights, dtype=float)
    weeks = spot.n_weeks
    if weeks == 0:
        return np.zeros((n, 0)), np.full(n, 1.0 / n)
    z = stats.norm.ppf(lhs_uniforms(rng, n, weeks))
    mean = np.asarray(spot.mean_per_week, dtype=float)
    std = np.asarray(spot.std_per_week, dtype=float)
    return np.maximum(0.0, mean + std * z), np.full(n, 1.0 / n)


def build_scenarios(
    problem: PresaleProblem,
    conversion: ConversionModel,
    forecast: DepositForecast,
    n_scenarios: int,
    seed: int,
    tree: bool = True,
) -> ScenarioSet:
    """Sample a scenario tree (see the module docstring). ``tree=False``: one presale draw per
    leaf whatever the recourse structure (used by evaluation)."""
    rng = np.random.default_rng(seed)
    probe, _, _ = presale_outcomes(problem, conversion, forecast, lhs_uniforms(rng, 64, 6))
    certain = bool(np.all(probe == probe[0]))
    explicit = bool(problem.spot.values)
    n_outcomes = len(problem.spot.values) if explicit else 0
    if certain:
        n_nodes = 1
    elif tree and _has_recourse(problem):
        n_nodes = max(1, n_scenarios // n_outcomes) if explicit else _node_count(n_scenarios)
    else:
        n_nodes = max(1, n_scenarios // n_outcomes) if explicit else n_scenarios
    n_inner = n_outcomes if explicit else max(1, n_scenarios // n_nodes)
    units, deposits, forfeit = presale_outcomes(
        problem, conversion, forecast, lhs_uniforms(rng, n_nodes, 6)
    )
    if explicit:
        spot, w = spot_samples(problem, 0, rng)
        spot = np.tile(spot, (n_nodes, 1))
        leaf_w = np.tile(w, n_nodes) / n_nodes
    else:
        spot, _ = spot_samples(problem, n_nodes * n_inner, rng)
        leaf_w = np.full(n_nodes * n_inner, 1.0 / (n_nodes * n_inner))
    node_of_leaf = np.repeat(np.arange(n_nodes), n_inner)
    node_w = np.bincount(node_of_leaf, weights=leaf_w, minlength=n_nodes)
    return ScenarioSet(
        units.astype(float),
        deposits.astype(float),
        np.asarray(forfeit, dtype=float),
        node_of_leaf,
        spot,
        leaf_w,
        node_w,
    )
