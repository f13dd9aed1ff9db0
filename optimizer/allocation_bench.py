"""Benchmarks of stock deployment + transfers and of order routing (called by the CLI)."""

from __future__ import annotations

import time

from optimizer.deployment import solve_deployment
from optimizer.deployment_data import generate_deployment
from optimizer.routing import generate_orders, route_exact, solve_routing
from optimizer.transfers import solve_transfers


def run_allocation_bench(
    items: int, warehouses: int, regions: int, seed: int = 0, reference: bool = False
) -> dict:
    problem = generate_deployment(items, warehouses, regions, seed=seed)
    start = time.perf_counter()
    result = solve_deployment(problem)
    t_dep = time.perf_counter() - start
    transfers = solve_transfers(problem, result)
    wall = time.perf_counter() - start
    out = {
        "items": items,
        "warehouses": warehouses,
        "regions": regions,
        "seed": seed,
        "objective": result.info.objective,
        "status": result.info.status,
        "batches": result.info.extra.get("batches", 1),
        "columns": result.info.extra.get("columns"),
        "cost": result.cost,
        "transfer_lines": len(transfers),
        "transfer_gain": float(transfers["gain"].sum()) if len(transfers) else 0.0,
        "deployment_s": round(t_dep, 3),
        "wall_s": round(wall, 3),
        "goal_s": 60.0,
        "goal_met": wall < 60.0,
    }
    if reference:
        start = time.perf_counter()
        mono = solve_deployment(problem, batch_items=10**9)
        out["reference"] = {
            "method": "all items in one LP (HiGHS simplex)",
            "objective": mono.info.objective,
            "status": mono.info.status,
            "wall_s": round(time.perf_counter() - start, 3),
        }
        out["gap_to_single_lp"] = (result.info.objective - mono.info.objective) / abs(
            mono.info.objective
        )
    return out


def run_routing_bench(
    lines: int, seed: int = 0, exact_lines: int = 400, exact_batches: int = 5
) -> dict:
    problem = generate_orders(lines, seed=seed)
    res = solve_routing(problem)
    orders = problem.orders["order_id"].nunique()
    out = {
        "lines": len(problem.orders),
        "orders": orders,
        "wall_s": round(res.wall_s, 3),
        "lines_per_s": round(len(problem.orders) / max(res.wall_s, 1e-9)),
        "parcels": res.parcels,
        "split_orders": res.split_orders,
        "parcels_per_order": round(res.parcels / max(orders, 1), 4),
        "backordered_units": res.backordered_units,
        "cost": res.cost,
        "goal_s": 60.0,
        "goal_met": res.wall_s < 60.0,
        "small_batches": [],
    }
    for k in range(exact_batches):
        small = generate_orders(exact_lines, seed=seed + 1000 + k)
        g = solve_routing(small)
        e = route_exact(small)
        out["small_batches"].append(
            {
                "seed": seed + 1000 + k,
                "greedy_cost": g.cost,
                "exact_cost": e.cost,
                "exact_status": e.status,
                "gap": (g.cost - e.cost) / e.cost,
                "greedy_s": round(g.wall_s, 3),
                "exact_s": round(e.wall_s, 3),
            }
        )
    if out["small_batches"]:
        gaps = [b["gap"] for b in out["small_batches"]]
        out["mean_gap"] = sum(gaps) / len(gaps)
        out["max_gap"] = max(gaps)
    return out
