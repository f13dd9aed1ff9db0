"""Plan rows and the JSON-ready report of a presale plan.

Plan rows (:func:`plan_rows`), one per batch, columns:
  ``type``          ``MO`` (factory) or ``PO`` (supplier)
  ``source_id``     factory / supplier
  ``stage``         ``commit`` (decide now; the same in every scenario) or ``recourse``
                    (ordered after the final payments are known; quantity is the expected one
                    over presale outcomes, its range in ``qty_min_units`` / ``qty_max_units``)
  ``order_week`` / ``arrival_week``  weeks from the planning date
  ``order_date`` / ``due_date``      ``as_of + 7 * week``
  ``qty_units``, ``qty_min_units``, ``qty_max_units``, ``unit_cost``,
  ``probability``   share of scenarios in which the batch is ordered (1 for commitments)
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from optimizer.presale.model import PresaleSolution
from optimizer.presale.problem import PresaleProblem

PLAN_COLUMNS = [
    "type",
    "source_id",
    "stage",
    "order_week",
    "arrival_week",
    "order_date",
    "due_date",
    "qty_units",
    "qty_min_units",
    "qty_max_units",
    "unit_cost",
    "probability",
]


def plan_rows(problem: PresaleProblem, solution: PresaleSolution) -> pd.DataFrame:
    as_of = problem.campaign.as_of
    o = solution.orders
    rows = []
    for r in o[o["stage"] == "commit"].itertuples(index=False):
        rows.append(
            (
                r.kind,
                r.source_id,
                "commit",
                r.order_week,
                r.arrival_week,
                r.qty_units,
                r.qty_units,
                r.qty_units,
                r.unit_cost,
                1.0,
            )
        )
    rec = o[o["stage"] == "recourse"]
    if not rec.empty:
        w = solution.scenarios.node_weight
        for (kind, sid, week, arrival, cost), grp in rec.groupby(
            ["kind", "source_id", "order_week", "arrival_week", "unit_cost"]
        ):
            weights = w[grp["node"].to_numpy()]
            expected = float((grp["qty_units"].to_numpy() * weights).sum())
            prob = float(weights.sum())
            qmin = float(grp["qty_units"].min()) if prob >= 1 - 1e-9 else 0.0
            rows.append(
                (
                    kind,
                    sid,
                    "recourse",
                    int(week),
                    int(arrival),
                    expected,
                    qmin,
                    float(grp["qty_units"].max()),
                    float(cost),
                    prob,
                )
            )
    frame = pd.DataFrame(
        rows,
        columns=[
            "type",
            "source_id",
            "stage",
            "order_week",
            "arrival_week",
            "qty_units",
            "qty_min_units",
            "qty_max_units",
            "unit_cost",
            "probability",
        ],
    )
    frame["order_date"] = [as_of + timedelta(days=7 * int(k)) for k in frame["order_week"]]
    frame["due_date"] = [as_of + timedelta(days=7 * int(k)) for k in frame["arrival_week"]]
    return (
        frame[PLAN_COLUMNS].sort_values(["order_week", "stage", "source_id"]).reset_index(drop=True)
    )


def report_dict(problem: PresaleProblem, report) -> dict:
    """The report as plain JSON-ready data."""
    sol = report.solution
    c = problem.campaign
    rows = plan_rows(problem, sol)
    rows = rows.assign(
        order_date=rows["order_date"].astype(str), due_date=rows["due_date"].astype(str)
    )
    ev = report.evaluation
    out = {
        "campaign_id": c.campaign_id,
        "item_id": c.item_id,
        "as_of": str(c.as_of),
        "plan": [
            {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}
            for r in rows.to_dict("records")
        ],
        "committed_units": float(sol.commitment()["qty_units"].sum())
        if not sol.orders.empty
        else 0.0,
        "expected_profit": round(ev.expected_profit, 2),
        "profit_std": round(ev.profit_std, 2),
        "profit_ci95": round(ev.profit_ci95, 2),
        "profit_p05": round(ev.profit_p05, 2),
        "profit_p95": round(ev.profit_p95, 2),
        "stockout_probability": round(ev.stockout_probability, 4),
        "expected_leftover_units": round(ev.expected_leftover_units, 2),
        "expected_turnover_days": round(ev.expected_turnover_days, 2),
        "presale_share": round(ev.presale_share, 4),
        "recommended_presale_share": report.recommended_presale_share,
        "value_of_presale_information": (
            None
            if report.value_of_presale_information is None
            else round(report.value_of_presale_information, 2)
        ),
        "no_presale": report.no_presale.as_dict() if report.no_presale else None,
        "evaluation": ev.as_dict(),
        "in_sample": report.in_sample.as_dict(),
        "saa": {
            "expected_profit": round(sol.expected_profit, 2),
            "scenarios": sol.scenarios.n_leaves,
            "presale_nodes": sol.scenarios.n_nodes,
            "recourse_week": sol.recourse_week,
            "weeks": sol.n_weeks,
            "status": sol.info.status,
            "solve_seconds": round(sol.info.wall_s, 3),
            "gap_rel": None if sol.gap_rel is None else round(sol.gap_rel, 6),
            "backend": sol.info.backend,
        },
        "demand_model": {
            "conversion": {
                "alpha": round(sol.conversion.alpha, 4),
                "beta": round(sol.conversion.beta, 4),
                "mean": round(sol.conversion.mean, 4),
                "source": sol.conversion.source,
                "campaigns": sol.conversion.n_campaigns,
                "cancellation_rate": round(sol.conversion.cancellation_rate, 4),
            },
            "deposits": {
                "observed_net": sol.deposits.observed_net,
                "window_closed": sol.deposits.closed,
                "share_of_curve_observed": round(sol.deposits.share_observed, 4),
                "projected_total_mean": round(sol.deposits.mean_total, 2),
                "projected_total_std": round(sol.deposits.std_total, 2),
            },
            "expected_presale_units": round(
                float(sol.scenarios.presale_units @ sol.scenarios.node_weight), 2
            ),
        },
        "share_sweep": [
            {
                "presale_share_target": p.presale_share_target,
                "deposits_total": p.deposits_total,
                "expected_profit": round(p.metrics.expected_profit, 2),
                "profit_ci95": round(p.metrics.profit_ci95, 2),
                "turnover_days": round(p.metrics.expected_turnover_days, 3),
                "stockout_probability": round(p.metrics.stockout_probability, 4),
                "expected_leftover_units": round(p.metrics.expected_leftover_units, 2),
                "presale_share": round(p.metrics.presale_share, 4),
            }
            for p in report.share_sweep
        ],
        "notes": list(report.notes),
    }
    return out
