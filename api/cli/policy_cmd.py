"""``stockpilot policy ...`` (the planner's calculator) and ``stockpilot bench replenishment``.

Thin: parse, call :mod:`optimizer.policies` / :mod:`optimizer.replenishment.bench`, print.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys

import click

from api.cli.errors import CliError

PER_PERIOD = ("All rates and costs are per period of the demand given (e.g. demand per week → "
              "holding and stock-out costs per unit and week, lead time in weeks).")


def _emit(result: dict, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result, default=float))
        return
    for key, value in result.items():
        if isinstance(value, float):
            value = f"{value:.6g}"
        click.echo(f"{key}: {value}")


def _numbers(text: str, name: str) -> float | list[float]:
    """``"5"`` → 5.0, ``"1,2,3"`` → [1.0, 2.0, 3.0]."""
    try:
        parts = [float(p) for p in text.split(",") if p.strip() != ""]
    except ValueError:
        raise CliError(f"--{name} must be a number or comma-separated numbers (got {text!r})") from None
    if not parts:
        raise CliError(f"--{name} is empty")
    return parts[0] if len(parts) == 1 and "," not in text else parts


@contextlib.contextmanager
def _stdout_to_stderr():
    """HiGHS prints its banner to file descriptor 1 from C: keep stdout for the JSON."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


@click.group("policy", help="Inventory-policy calculator (textbook formulas). " + PER_PERIOD)
def policy() -> None:
    pass


@policy.command("safety-stock", help="Safety stock, reorder point and order-up-to level for a cycle "
                "service level or a fill rate, with random lead time and review period. " + PER_PERIOD)
@click.option("--demand-mean", type=float, required=True, help="Mean demand per period (units).")
@click.option("--demand-std", type=float, required=True, help="Std. deviation of demand per period.")
@click.option("--lead-time", type=float, required=True, help="Mean lead time (periods).")
@click.option("--lead-time-std", type=float, default=0.0, show_default=True, help="Std. deviation of the lead time (periods).")
@click.option("--review-period", type=float, default=0.0, show_default=True, help="Review period R (periods); 0 = continuous review.")
@click.option("--cycle-service-level", type=float, help="Probability of no stock-out per cycle (0..1).")
@click.option("--fill-rate", type=float, help="Share of demand met from stock (0..1); needs --order-quantity.")
@click.option("--order-quantity", type=float, help="Order quantity Q (units), for --fill-rate.")
@json_option
def safety_stock_cmd(demand_mean, demand_std, lead_time, lead_time_std, review_period, cycle_service_level,
                     fill_rate, order_quantity, as_json):
    from optimizer.policies import safety_stock_cycle_service, safety_stock_fill_rate

    if (cycle_service_level is None) == (fill_rate is None):
        raise CliError("give exactly one of --cycle-service-level or --fill-rate")
    if fill_rate is not None:
        if order_quantity is None:
            raise CliError("--fill-rate needs --order-quantity")
        r = safety_stock_fill_rate(demand_mean, demand_std, lead_time, fill_rate, order_quantity,
                                   lead_time_std=lead_time_std, review_period=review_period)
    else:
        r = safety_stock_cycle_service(demand_mean, demand_std, lead_time, cycle_service_level,
                                       lead_time_std=lead_time_std, review_period=review_period,
                                       order_quantity=order_quantity)
    _emit(r.as_dict(), as_json)


@policy.command("eoq", help="Economic order quantity Q* = sqrt(2KD/h) and its cost per period. " + PER_PERIOD)
@click.option("--demand-rate", type=float, required=True, help="Demand D (units per period).")
@click.option("--order-cost", type=float, required=True, help="Fixed cost K per order.")
@click.option("--holding-cost", type=float, required=True, help="Holding cost h per unit and period.")
@json_option
def eoq_cmd(demand_rate, order_cost, holding_cost, as_json):
    from optimizer.policies import eoq

    r = eoq(demand_rate, order_cost, holding_cost)
    _emit({"order_quantity": r.order_quantity, "cost": r.cost}, as_json)


@policy.command("newsvendor", help="Newsvendor quantity S* = F⁻¹(p/(p+h)) and expected cost, normal or "
                "Poisson demand. " + PER_PERIOD)
@click.option("--demand-mean", type=float, help="Mean of normal demand.")
@click.option("--demand-std", type=float, help="Std. deviation of normal demand.")
@click.option("--poisson-mean", type=float, help="Mean of Poisson demand (instead of normal).")
@click.option("--holding-cost", type=float, required=True, help="Overage cost h per unit left over.")
@click.option("--stockout-cost", type=float, required=True, help="Underage cost p per unit short.")
@json_option
def newsvendor_cmd(demand_mean, demand_std, poisson_mean, holding_cost, stockout_cost, as_json):
    from optimizer.policies import newsvendor_normal, newsvendor_poisson

    normal = demand_mean is not None or demand_std is not None
    if normal == (poisson_mean is not None):
        raise CliError("give either --demand-mean and --demand-std (normal) or --poisson-mean")
    if normal:
        if demand_mean is None or demand_std is None:
            raise CliError("normal demand needs both --demand-mean and --demand-std")
        r = newsvendor_normal(demand_mean, demand_std, holding_cost, stockout_cost)
    else:
        r = newsvendor_poisson(poisson_mean, holding_cost, stockout_cost)
    _emit({"quantity": r.quantity, "expected_cost": r.expected_cost, "critical_ratio": r.critical_ratio}, as_json)


@policy.command("lot-sizing", help="Dynamic lot sizing over the given periods: Wagner-Whitin (optimal) or "
                "Silver-Meal (heuristic). Order, holding and unit costs may each be one number or one per "
                "period. " + PER_PERIOD)
@click.option("--demand", required=True, help="Demand per period, comma-separated: d1,d2,...")
@click.option("--order-cost", required=True, help="Fixed cost per order: K or K1,K2,...")
@click.option("--holding-cost", required=True, help="Holding cost per unit carried to the next period: h or h1,h2,...")
@click.option("--unit-cost", default="0", show_default=True, help="Purchase cost per unit: c or c1,c2,...")
@click.option("--method", type=click.Choice(["wagner-whitin", "silver-meal"]), default="wagner-whitin",
              show_default=True)
@json_option
def lot_sizing_cmd(demand, order_cost, holding_cost, unit_cost, method, as_json):
    from optimizer.policies import silver_meal, wagner_whitin

    d = _numbers(demand, "demand")
    d = d if isinstance(d, list) else [d]
    fn = wagner_whitin if method == "wagner-whitin" else silver_meal
    r = fn(d, _numbers(order_cost, "order-cost"), _numbers(holding_cost, "holding-cost"),
           _numbers(unit_cost, "unit-cost"))
    _emit({"order_quantities": list(r.order_quantities), "cost": r.cost, "method": r.method}, as_json)


@policy.command("ss", help="Optimal (s,S) policy for Poisson demand (Zheng & Federgruen 1991): order up to S "
                "when the inventory position falls to s or below; cost is the expected cost per period. "
                + PER_PERIOD)
@click.option("--poisson-mean", type=float, required=True, help="Mean demand per period (Poisson).")
@click.option("--holding-cost", type=float, required=True, help="Holding cost h per unit and period.")
@click.option("--stockout-cost", type=float, required=True, help="Backorder cost p per unit and period.")
@click.option("--order-cost", type=float, required=True, help="Fixed cost K per order.")
@json_option
def ss_cmd(poisson_mean, holding_cost, stockout_cost, order_cost, as_json):
    from optimizer.policies import ss_poisson

    r = ss_poisson(poisson_mean, holding_cost, stockout_cost, order_cost)
    _emit({"s": r.s, "S": r.S, "cost": r.cost}, as_json)


@policy.command("rq", help="Optimal continuous-review (r,Q) policy for Poisson demand (Federgruen & Zheng "
                "1992); cost is the expected cost per period. " + PER_PERIOD)
@click.option("--poisson-mean", type=float, required=True, help="Mean demand per period (Poisson).")
@click.option("--lead-time", type=float, required=True, help="Lead time L (periods).")
@click.option("--holding-cost", type=float, required=True, help="Holding cost h per unit and period.")
@click.option("--stockout-cost", type=float, required=True, help="Backorder cost p per unit and period.")
@click.option("--order-cost", type=float, required=True, help="Fixed cost K per order.")
@json_option
def rq_cmd(poisson_mean, lead_time, holding_cost, stockout_cost, order_cost, as_json):
    from optimizer.policies import rq_poisson

    r = rq_poisson(poisson_mean, lead_time, holding_cost, stockout_cost, order_cost)
    _emit({"reorder_point": r.reorder_point, "order_quantity": r.order_quantity, "cost": r.cost}, as_json)


@click.command("replenishment")
@click.option("--items", type=int, default=200, show_default=True, help="Items (each stocked at every warehouse).")
@click.option("--warehouses", type=int, default=5, show_default=True)
@click.option("--suppliers", type=int, default=40, show_default=True)
@click.option("--periods", type=int, default=13, show_default=True, help="Weekly periods.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--time-limit", type=float, default=60.0, show_default=True,
              help="Seconds for stockpilot's whole solve and for the reference solve.")
@click.option("--no-reference", is_flag=True, help="Skip the monolithic CBC reference.")
def bench_replenishment(items, warehouses, suppliers, periods, seed, time_limit, no_reference):
    """Purchase-order optimizer on a seeded instance (MOQs, case packs, capacities, budget) against
    the reference: the monolithic model handed straight to CBC with the same time limit. Prints
    JSON: objective, gap and wall seconds of both, and the ratios."""
    from optimizer.replenishment.bench import run_benchmark

    with _stdout_to_stderr():
        out = run_benchmark(items, warehouses, suppliers, periods, seed=seed, time_limit_s=time_limit,
                            reference=not no_reference, progress=True)
    click.echo(json.dumps(out, indent=2, default=float))


def register(cli: click.Group, bench: click.Group) -> None:
    cli.add_command(policy)
    bench.add_command(bench_replenishment)
