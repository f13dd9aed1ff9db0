"""The plan-run job: load → plan (the planning pipeline) → publish atomically.

The plan is computed in memory; nothing is written until it is complete. Publication is one
transaction: the previous proposals are replaced by the new lines, forecasts and alerts are
stored, the run is marked published and its job succeeded — readers see the old plan or the
new one, never half of one. If the pipeline fails, the job is cancelled or the worker dies,
that transaction never happens and the previous plan stays as it was.

Lines the planner has already approved, released or that suppliers answered are never touched
by a new plan; they are handed to the pipeline as open supply (``PlanInputs.open_orders``, with
the supplier's confirmed quantity and date where there is one).

A what-if (``scenario_run``) stores its KPIs, forecasts and alerts under its own plan run but
does not replace the current plan's lines.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session

from api.db.base import utcnow
from api.db.models import Alert, Forecast, OperationPlan, PlanRun, Scenario
from api.jobs import queue
from api.services.lifecycle import OPEN_SUPPLY
from api.services.uow import read_only, unit_of_work

LINE_COLUMNS = ("type", "item_id", "location_id", "quantity", "order_date", "due_date")


@dataclass(frozen=True)
class PlanInputs:
    data: object  # scenarios.datasets.planning_data.PlanningData
    open_orders: pd.DataFrame
    scenario: dict | None
    as_of: date | None
    horizon_weeks: int | None
    seed: int


@dataclass(frozen=True)
class PlanOutput:
    """What a plan function returns.

    ``lines``: one row per plan line — ``type`` (PO/DO/MO), ``item_id``, ``location_id``
    (destination), ``quantity``, ``order_date``, ``due_date``, and where they apply
    ``supplier_id`` (PO), ``origin_id`` (DO), ``unit_cost``, ``order_ref`` (lines of one
    document), ``reasons`` (a dict per line). ``forecasts``: ``item_id, location_id, date,
    mean, p10, p50, p90, model`` (+ ``pXX``). ``alerts``: ``type, severity, item_id,
    location_id, message``."""

    lines: pd.DataFrame
    forecasts: pd.DataFrame | None = None
    alerts: pd.DataFrame | None = None
    kpis: dict = field(default_factory=dict)
    input_hash: str | None = None
    versions: dict = field(default_factory=dict)


PlanFunction = Callable[[PlanInputs, Callable[[float, str], None]], PlanOutput]


def resolve_plan_function(config: dict) -> PlanFunction:
    fn = config.get("PLAN_FUNCTION")
    if callable(fn):
        return fn
    if isinstance(fn, str) and fn:
        module, _, attr = fn.partition(":")
        return getattr(importlib.import_module(module), attr)
    return pipeline_plan


def pipeline_plan(inputs: PlanInputs, progress: Callable[[float, str], None]) -> PlanOutput:
    """The default plan function: the planning pipeline (:mod:`scenarios.pipeline`)."""
    try:
        from api.jobs.pipeline_adapter import run_pipeline

        importlib.import_module("scenarios.pipeline")
    except ModuleNotFoundError as exc:
        raise RuntimeError(
            "the planning pipeline (scenarios.pipeline) is not available in this "
            "installation; no plan was produced"
        ) from exc
    return run_pipeline(inputs, progress)


def open_orders_frame(s: Session) -> pd.DataFrame:
    """Open supply: lines released to suppliers and not yet received, with the supplier's
    confirmed quantity and date where given."""
    rows = (
        s.execute(select(OperationPlan).where(OperationPlan.status.in_(OPEN_SUPPLY)))
        .scalars()
        .all()
    )
    cols = [
        "reference",
        "order_ref",
        "type",
        "status",
        "item_id",
        "location_id",
        "origin_id",
        "supplier_id",
        "quantity",
        "due_date",
    ]
    data = [
        [
            r.reference,
            r.order_ref,
            r.type,
            r.status,
            r.item_id,
            r.location_id,
            r.origin_id,
            r.supplier_id,
            (r.quantity_confirmed if r.quantity_confirmed is not None else r.quantity_proposed)
            - (r.quantity_received or 0.0),
            pd.Timestamp(r.confirmed_date or r.due_date),
        ]
        for r in rows
    ]
    return pd.DataFrame(data, columns=cols)


def _check_lines(lines: pd.DataFrame) -> None:
    missing = [c for c in LINE_COLUMNS if c not in lines.columns]
    if missing:
        raise ValueError(f"plan lines lack column(s) {', '.join(missing)}")
    for i, row in enumerate(lines.itertuples(index=False)):
        r = row._asdict()
        if r["type"] not in ("PO", "DO", "MO"):
            raise ValueError(f"plan line {i}: type must be PO, DO or MO (got {r['type']!r})")
        if not (float(r["quantity"]) >= 0):
            raise ValueError(f"plan line {i} (item {r['item_id']}): quantity must be >= 0")
        if pd.Timestamp(r["due_date"]) < pd.Timestamp(r["order_date"]):
            raise ValueError(f"plan line {i} (item {r['item_id']}): due_date before order_date")
        if r["type"] == "PO" and not _present(r.get("supplier_id")):
            raise ValueError(f"plan line {i} (item {r['item_id']}): a PO needs supplier_id")
        if r["type"] == "DO" and not _present(r.get("origin_id")):
            raise ValueError(f"plan line {i} (item {r['item_id']}): a DO needs origin_id")


def _present(v) -> bool:
    return (
        v is not None and not (isinstance(v, float) and np.isnan(v)) and v is not pd.NA and v != ""
    )


def _opt(v):
    return v if _present(v) else None


def _line_records(lines: pd.DataFrame, run_id: int) -> list[dict]:
    now = utcnow()
    records, groups = [], {}
    for n, row in enumerate(lines.to_dict("records"), start=1):
        typ = row["type"]
        given = _opt(row.get("order_ref"))
        if given is not None:
            gkey = (typ, "ref", given)
        elif typ == "PO":
            gkey = (typ, row["supplier_id"], row["location_id"], str(row["order_date"]))
        elif typ == "DO":
            gkey = (typ, row["origin_id"], row["location_id"], str(row["order_date"]))
        else:
            gkey = (typ, "line", n)
        order_ref = groups.setdefault(gkey, f"{typ}-{run_id}-{len(groups) + 1:05d}")
        reasons = row.get("reasons")
        records.append(
            {
                "reference": f"{order_ref}-{n:05d}",
                "order_ref": order_ref,
                "type": typ,
                "status": "proposed",
                "plan_run_id": run_id,
                "item_id": row["item_id"],
                "location_id": row["location_id"],
                "origin_id": _opt(row.get("origin_id")),
                "supplier_id": _opt(row.get("supplier_id")),
                "quantity_proposed": float(row["quantity"]),
                "order_date": pd.Timestamp(row["order_date"]).date(),
                "due_date": pd.Timestamp(row["due_date"]).date(),
                "unit_cost": float(row["unit_cost"]) if _present(row.get("unit_cost")) else None,
                "reasons": reasons if isinstance(reasons, dict) else {},
                "revision": 1,
                "source": f"plan_run:{run_id}",
                "updated_at": now,
            }
        )
    return records


def _forecast_records(frame: pd.DataFrame | None, run_id: int) -> list[dict]:
    if frame is None or frame.empty:
        return []
    now = utcnow()
    extra = [
        c
        for c in frame.columns
        if c.startswith("p") and c[1:].isdigit() and c not in ("p10", "p50", "p90")
    ]
    out = []
    for row in frame.to_dict("records"):
        out.append(
            {
                "plan_run_id": run_id,
                "item_id": row["item_id"],
                "location_id": row["location_id"],
                "date": pd.Timestamp(row["date"]).date(),
                "mean": float(row["mean"]),
                "p10": float(row["p10"]),
                "p50": float(row["p50"]),
                "p90": float(row["p90"]),
                "quantiles": {c: float(row[c]) for c in extra},
                "model": str(row.get("model", "")),
                "source": f"plan_run:{run_id}",
                "updated_at": now,
            }
        )
    return out


def _alert_records(frame: pd.DataFrame | None, run_id: int) -> list[dict]:
    if frame is None or frame.empty:
        return []
    now = utcnow()
    return [
        {
            "plan_run_id": run_id,
            "type": str(r["type"]),
            "severity": str(r["severity"]),
            "item_id": _opt(r.get("item_id")),
            "location_id": _opt(r.get("location_id")),
            "message": str(r["message"]),
            "status": "open",
            "created_at": now,
            "source": f"plan_run:{run_id}",
            "updated_at": now,
        }
        for r in frame.to_dict("records")
    ]


def publish_plan(s: Session, run_id: int, output: PlanOutput, replace_current: bool = True) -> dict:
    """Write a finished plan in the caller's transaction (see the module docstring)."""
    lines = output.lines if output.lines is not None else pd.DataFrame(columns=list(LINE_COLUMNS))
    _check_lines(lines)
    counts = {"lines": 0}
    if (
        s.get_bind().dialect.name == "postgresql"
    ):  # one publication at a time (SQLite: one writer anyway)
        s.execute(text("SELECT pg_advisory_xact_lock(7231001)"))
    if replace_current:
        s.execute(delete(OperationPlan).where(OperationPlan.status == "proposed"))
        s.execute(update(PlanRun).where(PlanRun.published.is_(True)).values(published=False))
        records = _line_records(lines, run_id)
        if records:
            s.execute(insert(OperationPlan), records)
        counts["lines"] = len(records)
        counts.update({f"lines_{t}": int((lines["type"] == t).sum()) for t in ("PO", "DO", "MO")})
    forecasts = _forecast_records(output.forecasts, run_id)
    if forecasts:
        s.execute(insert(Forecast), forecasts)
    alerts = _alert_records(output.alerts, run_id)
    if alerts:
        s.execute(insert(Alert), alerts)
    counts.update(forecasts=len(forecasts), alerts=len(alerts))
    now = utcnow()
    s.execute(
        update(PlanRun)
        .where(PlanRun.id == run_id)
        .values(
            status="succeeded",
            published=replace_current,
            kpis=_jsonable(output.kpis or {}),
            input_hash=output.input_hash,
            versions=_jsonable(output.versions or {}),
            progress=1.0,
            finished_at=now,
            message="published" if replace_current else "what-if stored",
            updated_at=now,
        )
    )
    s.flush()
    return counts


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        v = float(obj)
        return None if np.isnan(v) or np.isinf(v) else v
    if isinstance(obj, (pd.Timestamp, date)):
        return obj.isoformat()
    return obj


def run_plan_job(ctx) -> dict:
    from api.services.planning_data import load_planning_data

    run_id = int(ctx.params["plan_run_id"])
    ctx.progress(0.02, "loading planning data")
    with read_only(ctx.sessions) as s:
        run = s.get(PlanRun, run_id)
        scenario = s.get(Scenario, run.scenario_id).spec if run.scenario_id else None
        inputs = PlanInputs(
            load_planning_data(s),
            open_orders_frame(s),
            scenario,
            run.as_of,
            run.horizon_weeks,
            run.seed,
        )
    plan = resolve_plan_function(ctx.config)
    output = plan(
        inputs, lambda f, msg=None: ctx.progress(0.05 + 0.85 * min(1.0, max(0.0, f)), msg)
    )
    ctx.progress(0.92, "publishing")
    with unit_of_work(ctx.sessions) as s:
        from api.db.models import Job

        if s.scalar(select(Job.cancel_requested).where(Job.id == ctx.job_id)):
            raise queue.JobCancelled(f"job {ctx.job_id} was cancelled before publication")
        counts = publish_plan(s, run_id, output, replace_current=(ctx.kind == "plan_run"))
        result = {"plan_run_id": run_id, "url": f"/api/v1/plan-runs/{run_id}", **counts}
        if not queue.mark_succeeded(s, ctx.job_id, result):
            raise queue.JobCancelled(f"job {ctx.job_id} is no longer running; plan not published")
    return result
