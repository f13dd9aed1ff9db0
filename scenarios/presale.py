"""Presale planning stage of the pipeline: campaigns from the planning data, plans as
operationplan rows.

``campaign_problem(data, campaign_id)`` builds a :class:`optimizer.presale.PresaleProblem` from
the ``presales`` / ``presale_deposits`` files (see ``scenarios/datasets/schemas.py``), the item,
its sourcing (``itemsuppliers`` → ``PO`` sources) and an optional spot-demand forecast frame
(the forecasting package's output: ``item_id, location_id, date, mean, p10, p90``).

Assumptions where the data files are silent (each a keyword argument):
  * ``as_of``: the day after the campaign's last recorded deposit day (not after the promise);
  * ``promise_date``: presale orders are delivered from the launch date: ``items.launch_date``
    when it lies between the final-payment window's opening and 60 days after its close,
    else two weeks after the final-payment window closes;
  * spot demand: from the forecast frame when it has the item (weekly sums from the launch
    week; std = (p90 - p10) / 2.563); otherwise ``spot_ratio`` x the expected presale units
    spread evenly over ``spot_weeks`` weeks with coefficient of variation ``spot_cv`` per week;
  * economics: holding cost = ``holding_rate_per_year`` x unit cost / 52 per week, salvage =
    ``salvage_share`` x unit cost, late penalty = ``late_penalty_share`` x price per week;
  * sourcing: lead time rounded up to whole weeks; a missing capacity is treated as
    unlimited (10x the expected demand per week).
History: every closed campaign in the files. Conversion is fitted per category where at least
three campaigns exist, else pooled over all; the deposit curve and prior use the same item's
campaigns, else the category's, else all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from optimizer.presale import (
    PastCampaign,
    PresaleCampaign,
    PresaleEconomics,
    PresaleInputError,
    PresaleProblem,
    PresaleReport,
    SpotDemand,
    SupplySource,
    plan_presale,
)
from optimizer.presale.deposits import closest_campaigns
from optimizer.presale.outputs import plan_rows, report_dict
from optimizer.solver import SolverOptions
from scenarios.datasets.planning_data import PlanningData

#: Default solver settings for presale plans: CBC (measured 2-6x faster than HiGHS on these
#: models at this gap, docs/benchmarks/presale.md), 0.5% relative MIP gap (solvers measure it
#: on the objective without its constant; the profit gap reached is reported) and a 25 s time
#: limit (the best plan found by then is used, its gap reported). A tighter gap buys little:
#: the SAA's own sampling error at 1,000 scenarios is of the same order.
LAUNCH_WINDOW_DAYS = 60
DEFAULT_OPTIONS = SolverOptions(backend="cbc", mip_gap=5e-3, time_limit_s=25.0)


def _d(value) -> date:
    return pd.Timestamp(value).date()


def _history(data: PlanningData) -> tuple[PastCampaign, ...]:
    pres = data.presales.merge(data.items[["item_id", "category"]], on="item_id", how="left")
    closed = pres[
        (pres["status"] == "closed")
        & pres["deposits_total"].notna()
        & pres["final_payments"].notna()
    ]
    deps = data.presale_deposits.sort_values("date")
    out = []
    for row in closed.itertuples(index=False):
        days = deps[deps["campaign_id"] == row.campaign_id]
        canc = (
            days["cancellations"].fillna(0.0)
            if "cancellations" in days
            else pd.Series(0.0, index=days.index)
        )
        out.append(
            PastCampaign(
                str(row.campaign_id),
                str(row.category),
                float(row.deposits_total),
                float(row.final_payments),
                tuple(days["deposits"].astype(float)),
                tuple(canc.astype(float)),
                str(row.item_id),
            )
        )
    return tuple(out)


def _spot_from_forecast(
    forecast: pd.DataFrame, item_id: str, launch: date, weeks: int
) -> SpotDemand | None:
    f = forecast[forecast["item_id"] == item_id]
    if f.empty:
        return None
    f = f.assign(date=pd.to_datetime(f["date"]))
    f = f[f["date"] >= pd.Timestamp(launch)]
    if f.empty:
        return None
    wk = ((f["date"] - pd.Timestamp(launch)).dt.days // 7).rename("wk")
    f = f.assign(wk=wk, sd=(f["p90"] - f["p10"]).clip(lower=0) / 2.563)
    g = f.groupby("wk").agg(mean=("mean", "sum"), var=("sd", lambda s: float((s**2).sum())))
    g = g[g.index < weeks]
    return SpotDemand(tuple(float(m) for m in g["mean"]), tuple(math.sqrt(v) for v in g["var"]))


def campaign_problem(
    data: PlanningData,
    campaign_id: str,
    *,
    as_of: date | None = None,
    spot_forecast: pd.DataFrame | None = None,
    n_scenarios: int = 1000,
    seed: int = 0,
    spot_weeks: int = 8,
    spot_ratio: float = 1.0,
    spot_cv: float = 0.5,
    salvage_share: float = 0.3,
    late_penalty_share: float = 0.05,
) -> PresaleProblem:
    """The presale problem of one campaign (see the module docstring for the assumptions)."""
    pres = data.presales[data.presales["campaign_id"] == campaign_id]
    if pres.empty:
        known = ", ".join(sorted(map(str, data.presales["campaign_id"])))[:300]
        raise PresaleInputError(
            f"campaign_id={campaign_id!r}: no such presale campaign (known: {known or 'none'})"
        )
    row = pres.iloc[0]
    item = data.items[data.items["item_id"] == row["item_id"]].iloc[0]
    deps = data.presale_deposits[data.presale_deposits["campaign_id"] == campaign_id].sort_values(
        "date"
    )
    dep_start, dep_end = _d(row["deposit_start"]), _d(row["deposit_end"])
    fin_start, fin_end = _d(row["final_start"]), _d(row["final_end"])
    launch = fin_end + timedelta(days=14)
    if pd.notna(item.get("launch_date")):
        item_launch = _d(item["launch_date"])
        # the item's launch belongs to this campaign only if it follows the final payments
        # closely (a past campaign of the same item launched long before it)
        if fin_start <= item_launch <= fin_end + timedelta(days=LAUNCH_WINDOW_DAYS):
            launch = item_launch
    promise = launch
    if as_of is None:
        last = _d(deps["date"].max()) if not deps.empty else dep_start - timedelta(days=1)
        as_of = min(last + timedelta(days=1), promise)
    seen = deps[deps["date"] < pd.Timestamp(as_of)]
    cancels = (
        seen["cancellations"].fillna(0.0)
        if "cancellations" in seen
        else pd.Series(0.0, index=seen.index)
    )
    final_known = as_of > fin_end and pd.notna(row.get("final_payments"))
    campaign = PresaleCampaign(
        campaign_id=str(campaign_id),
        item_id=str(row["item_id"]),
        as_of=as_of,
        deposit_start=dep_start,
        deposit_end=dep_end,
        final_start=fin_start,
        final_end=fin_end,
        promise_date=promise,
        launch_date=launch,
        price=float(row["price"]),
        deposit_amount=float(row["deposit_amount"]),
        deposit_value=float(row["deposit_value"]),
        final_discount=float(row["final_discount"]),
        deposits_to_date=tuple(seen["deposits"].astype(float)),
        cancellations_to_date=tuple(cancels.astype(float)),
        final_payments_to_date=float(row["final_payments"]) if final_known else None,
        category=str(item["category"]),
        location_id=str(row["location_id"]) if pd.notna(row["location_id"]) else "",
    )
    history = tuple(h for h in _history(data) if h.campaign_id != campaign_id)
    # expected presale units, for the default spot demand and unlimited capacities
    near = closest_campaigns(history, campaign.item_id, campaign.category)
    mean_deposits = (
        (sum(h.deposits_total for h in near) / len(near)) if near else campaign.deposits_net_to_date
    )
    conv = (
        (sum(h.final_payments for h in near) / max(sum(h.deposits_total for h in near), 1.0))
        if near
        else 0.8
    )
    expected = max(mean_deposits, campaign.deposits_net_to_date) * conv
    spot = (
        _spot_from_forecast(spot_forecast, campaign.item_id, launch, spot_weeks)
        if spot_forecast is not None
        else None
    )
    if spot is None:
        per_week = spot_ratio * expected / spot_weeks
        spot = SpotDemand(tuple([per_week] * spot_weeks), tuple([spot_cv * per_week] * spot_weeks))
    sourcing = data.itemsuppliers[data.itemsuppliers["item_id"] == campaign.item_id]
    if sourcing.empty:
        raise PresaleInputError(
            f"item_id={campaign.item_id!r} (campaign {campaign_id}): no itemsuppliers row, "
            "so no factory or supplier can make it"
        )
    unlimited = 10.0 * (expected + sum(spot.mean_per_week))
    sources = tuple(
        SupplySource(
            source_id=str(s.supplier_id),
            unit_cost=float(s.unit_cost),
            kind="PO",
            lead_time_weeks=int(math.ceil(float(s.lead_time_days) / 7.0)),
            capacity_per_week=float(s.capacity_per_week)
            if pd.notna(s.capacity_per_week)
            else unlimited,
            moq_units=float(s.size_minimum),
            case_pack_units=int(s.size_multiple) if pd.notna(s.size_multiple) else 1,
            location_id=campaign.location_id,
        )
        for s in sourcing.itertuples(index=False)
    )
    unit_cost = float(item["unit_cost"])
    economics = PresaleEconomics(
        unit_salvage_value=min(salvage_share * unit_cost, min(s.unit_cost for s in sources)),
        holding_cost_per_unit_week=float(item["holding_rate_per_year"]) * unit_cost / 52.0,
        late_penalty_per_unit_week=late_penalty_share * campaign.price,
    )
    return PresaleProblem(
        campaign, sources, spot, economics, history, n_scenarios=n_scenarios, seed=seed
    )


def operationplan_rows(
    problem: PresaleProblem, report: PresaleReport, plan_run_id: int | None = None
) -> pd.DataFrame:
    """Plan rows shaped like ``operationplan`` rows (type MO/PO, status ``proposed``)."""
    rows = plan_rows(problem, report.solution)
    c = problem.campaign
    out = []
    for k, r in enumerate(rows.itertuples(index=False), start=1):
        out.append(
            {
                "reference": f"{c.campaign_id}-{r.stage[:3].upper()}-{k:03d}",
                "order_ref": f"{c.campaign_id}-{r.source_id}",
                "type": r.type,
                "status": "proposed",
                "plan_run_id": plan_run_id,
                "item_id": c.item_id,
                "location_id": c.location_id or None,
                "origin_id": None,
                "supplier_id": r.source_id if r.type == "PO" else None,
                "quantity_proposed": round(float(r.qty_units), 4),
                "order_date": r.order_date,
                "due_date": r.due_date,
                "unit_cost": float(r.unit_cost),
                "reasons": {
                    "rule": "presale",
                    "campaign_id": c.campaign_id,
                    "stage": r.stage,
                    "source_id": r.source_id,
                    "probability": round(float(r.probability), 4),
                    "qty_min_units": round(float(r.qty_min_units), 4),
                    "qty_max_units": round(float(r.qty_max_units), 4),
                    "note": (
                        "commitment: the same in every scenario"
                        if r.stage == "commit"
                        else "recourse: ordered once final payments are known; "
                        "expected quantity shown"
                    ),
                },
            }
        )
    return pd.DataFrame(out)


@dataclass(frozen=True)
class CampaignPlan:
    problem: PresaleProblem
    report: PresaleReport
    rows: pd.DataFrame
    metrics: dict


def plan_campaign(
    data: PlanningData,
    campaign_id: str,
    *,
    options: SolverOptions = DEFAULT_OPTIONS,
    spot_forecast: pd.DataFrame | None = None,
    n_scenarios: int = 1000,
    seed: int = 0,
    with_vpi: bool = True,
    shares=(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6),
    share_scenarios: int = 300,
    eval_samples: int = 10_000,
    as_of: date | None = None,
) -> CampaignPlan:
    """Plan one campaign: operationplan-shaped rows and the metrics dict (``report_dict``)."""
    problem = campaign_problem(
        data,
        campaign_id,
        as_of=as_of,
        spot_forecast=spot_forecast,
        n_scenarios=n_scenarios,
        seed=seed,
    )
    report = plan_presale(
        problem,
        options,
        n_eval_samples=eval_samples,
        with_vpi=with_vpi,
        shares=shares,
        share_scenarios=share_scenarios,
    )
    return CampaignPlan(
        problem, report, operationplan_rows(problem, report), report_dict(problem, report)
    )


def bench_problems(
    data: PlanningData, n_scenarios: int = 1000, seed: int = 0
) -> list[PresaleProblem]:
    """The problems of every open campaign in ``data`` (the presale benchmark's instances)."""
    open_ids = data.presales.loc[data.presales["status"] == "open", "campaign_id"].tolist()
    return [
        campaign_problem(data, cid, n_scenarios=n_scenarios, seed=seed) for cid in sorted(open_ids)
    ]
