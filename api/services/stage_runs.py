"""One planning stage run on the database and stored as proposals: ``stockpilot replenish``
(purchase orders), ``stockpilot allocate`` (transfers) and ``stockpilot presale plan
CAMPAIGN_ID`` (presale production / purchase).

``replenish`` and ``allocate`` run the planning pipeline (:func:`scenarios.pipeline.run_plan`)
on the database's planning data — so their forecasts, open supply (released and confirmed orders
count as on order) and presale inputs are exactly those of a full plan run — and keep only their
own stage's lines. Storing is one transaction: a new ``plan_run`` row (not published), the
previous *proposed* lines of that type replaced by the new ones; approved, released or
acknowledged lines are never touched. A failure anywhere leaves the database as it was.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import delete, insert

from api.db.base import utcnow
from api.db.models import OperationPlan, PlanRun
from api.db.session import transaction
from api.jobs.pipeline_adapter import _lines, _with_open_supply
from api.jobs.plan_job import _check_lines, _jsonable, _line_records, open_orders_frame
from api.services.planning_data import load_planning_data

STAGE_FRAMES = {"PO": "purchase_orders", "DO": "transfers"}


def _load():
    with transaction() as s:
        return load_planning_data(s), open_orders_frame(s)


def store_proposals(kind: str, lines: pd.DataFrame, *, as_of: date | None, horizon_weeks: int | None,
                    seed: int, kpis: dict, input_hash: str | None, versions: dict, message: str) -> dict:
    """Replace the proposed lines of ``kind`` (PO / DO / MO) by ``lines``, in one transaction."""
    if len(lines):
        _check_lines(lines)
    with transaction() as s:
        now = utcnow()
        run = PlanRun(status="succeeded", as_of=as_of, horizon_weeks=horizon_weeks, seed=seed,
                      input_hash=input_hash, versions=_jsonable(versions), kpis=_jsonable(kpis), progress=1.0,
                      message=message, published=False, started_at=now, finished_at=now, source="cli")
        s.add(run)
        s.flush()
        s.execute(delete(OperationPlan).where(OperationPlan.status == "proposed", OperationPlan.type == kind))
        records = _line_records(lines, run.id) if len(lines) else []
        if records:
            s.execute(insert(OperationPlan), records)
        return {"plan_run_id": run.id, "type": kind, "lines": len(records)}


def run_stage(kind: str, as_of: date | None = None, horizon_weeks: int = 8, seed: int = 0,
              progress=None) -> tuple[dict, pd.DataFrame]:
    """Run the pipeline on the database and store the ``kind`` lines (PO or DO)."""
    from scenarios.pipeline import PlanRequest, run_plan

    if kind not in STAGE_FRAMES:
        raise ValueError(f"kind must be one of {', '.join(STAGE_FRAMES)}")
    data, open_orders = _load()
    if data.sales.empty:
        raise ValueError("the database has no sales history: run `stockpilot import DIR` first")
    request = PlanRequest(as_of=pd.Timestamp(as_of) if as_of else None, horizon_weeks=horizon_weeks, seed=seed)
    result = run_plan(_with_open_supply(data, open_orders), request, progress=progress)
    stage = {"PO": "replenishment", "DO": "allocation"}[kind]
    report = next((r for r in result.stages if r.name == stage), None)
    if report is None or not report.status.startswith("ok"):
        raise ValueError(f"the {stage} stage did not run: {report.status if report else 'missing'}")
    lines = _lines(getattr(result, STAGE_FRAMES[kind]), kind)
    meta = result.metadata()
    counts = store_proposals(kind, lines, as_of=pd.Timestamp(meta["as_of"]).date(), horizon_weeks=horizon_weeks,
                             seed=seed, kpis=dict(result.kpis), input_hash=result.input_hash,
                             versions=result.versions, message=f"{stage} run from the CLI")
    return counts, lines


def run_presale(campaign_id: str, **kwargs):
    """Plan one presale campaign from the database and store its MO/PO lines as proposals,
    replacing that campaign's earlier proposals (one transaction). Returns the campaign plan
    (:class:`scenarios.presale.CampaignPlan`) and the stored counts."""
    from scenarios.presale import plan_campaign

    data, _ = _load()
    plan = plan_campaign(data, campaign_id, **kwargs)
    rows = plan.rows
    if len(rows) and rows["location_id"].isna().any():
        raise ValueError(f"presale campaign {campaign_id}: location_id (fulfilment warehouse) is blank; "
                         "the plan cannot be stored without a destination")
    lines = pd.DataFrame({
        "type": rows.get("type"), "item_id": rows.get("item_id"), "location_id": rows.get("location_id"),
        "supplier_id": rows.get("supplier_id"), "quantity": rows.get("quantity_proposed"),
        "order_date": rows.get("order_date"), "due_date": rows.get("due_date"),
        "unit_cost": rows.get("unit_cost"), "order_ref": rows.get("order_ref"), "reasons": rows.get("reasons"),
    }) if len(rows) else pd.DataFrame()
    source = f"presale:{campaign_id}"
    if len(lines):
        _check_lines(lines)
    with transaction() as s:
        now = utcnow()
        run = PlanRun(status="succeeded", seed=kwargs.get("seed", 0) or 0, input_hash=data.input_hash(),
                      kpis=_jsonable(plan.metrics), progress=1.0, published=False, started_at=now,
                      finished_at=now, message=f"presale plan of {campaign_id} from the CLI", source="cli")
        s.add(run)
        s.flush()
        s.execute(delete(OperationPlan).where(OperationPlan.status == "proposed", OperationPlan.source == source))
        records = _line_records(lines, run.id) if len(lines) else []
        for rec in records:
            rec["source"] = source
        if records:
            s.execute(insert(OperationPlan), records)
    return plan, {"plan_run_id": run.id, "lines": len(records)}
