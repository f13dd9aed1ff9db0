"""The default plan function of plan-run jobs: :func:`scenarios.pipeline.run_plan` on the
database's planning data, its result turned into a :class:`~api.jobs.plan_job.PlanOutput`.

* The scenario of a what-if run is parsed with :func:`scenarios.spec.parse_spec`.
* Open supply — orders released to suppliers and not yet received, at the quantity the
  supplier confirmed where it did — is added to ``buffers.on_order`` of the destination, which
  the pipeline counts as inbound stock (the pipeline does not take inbound dates yet, so a
  confirmed *date* changes the plan only through the supply-change alerts).
* Lines of every stage (purchase orders, transfers, presale production / purchase) come back
  with ``quantity`` and a ``reasons`` dict; a line the pipeline leaves without a destination
  location cannot be stored and is dropped, which the run's KPIs record
  (``lines_dropped_no_location``).
* Alert severities ``high / medium / low`` are stored as ``critical / warning / info``.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from api.jobs.plan_job import PlanInputs, PlanOutput

#: the alert module's high / medium / low onto the alert table's critical / warning / info
SEVERITY = {"high": "critical", "medium": "warning", "low": "info"}


def _with_open_supply(data, open_orders: pd.DataFrame):
    if open_orders is None or open_orders.empty:
        return data
    inbound = open_orders.groupby(["item_id", "location_id"], as_index=False)["quantity"].sum()
    buffers = data.buffers.copy()
    merged = buffers.merge(inbound, on=["item_id", "location_id"], how="outer")
    merged["on_hand"] = merged["on_hand"].fillna(0.0)
    merged["on_order"] = merged["on_order"].fillna(0.0) + merged["quantity"].fillna(0.0)
    return data.replace(buffers=merged[buffers.columns].reset_index(drop=True))


def _lines(frame, default_type: str | None) -> pd.DataFrame:
    if isinstance(
        frame, dict
    ):  # scenarios.allocate returns several frames; the DO lines are "transfers"
        frame = frame.get("transfers")
    if frame is None or len(frame) == 0:
        return pd.DataFrame()
    out = pd.DataFrame(
        {
            "type": frame["type"] if "type" in frame.columns else default_type,
            "item_id": frame["item_id"],
            "location_id": frame["location_id"],
            "origin_id": frame["origin_id"] if "origin_id" in frame.columns else None,
            "supplier_id": frame["supplier_id"] if "supplier_id" in frame.columns else None,
            "quantity": next(
                frame[c] for c in ("quantity", "quantity_proposed", "qty") if c in frame.columns
            ),
            "order_date": frame["order_date"],
            "due_date": frame["due_date"],
            "unit_cost": frame["unit_cost"] if "unit_cost" in frame.columns else None,
            "order_ref": frame["order_ref"] if "order_ref" in frame.columns else None,
        }
    )
    if "reasons" in frame.columns:
        reasons = [r if isinstance(r, dict) else {} for r in frame["reasons"]]
    elif "reason" in frame.columns:
        reasons = [r if isinstance(r, dict) else {"reason": r} for r in frame["reason"]]
    else:
        reasons = [{} for _ in range(len(frame))]
    for extra in ("gain", "cost", "campaign_id"):
        if extra in frame.columns:
            reasons = [{**r, extra: v} for r, v in zip(reasons, frame[extra], strict=True)]
    out["reasons"] = reasons
    return out


def run_pipeline(inputs: PlanInputs, progress: Callable[[float, str], None]) -> PlanOutput:
    from scenarios.pipeline import STAGES, PlanRequest, run_plan
    from scenarios.spec import BASELINE, parse_spec

    spec = parse_spec(inputs.scenario, source="scenario") if inputs.scenario else BASELINE
    request = PlanRequest(
        as_of=pd.Timestamp(inputs.as_of) if inputs.as_of else None,
        horizon_weeks=inputs.horizon_weeks or 8,
        spec=spec,
        seed=inputs.seed,
    )
    finished = []

    def on_stage(report) -> None:
        finished.append(report)
        progress(len(finished) / len(STAGES), f"{report.name}: {report.status}")

    result = run_plan(
        _with_open_supply(inputs.data, inputs.open_orders), request, progress=on_stage
    )
    parts = [
        _lines(result.purchase_orders, "PO"),
        _lines(result.transfers, "DO"),
        _lines(result.presale_plan, "MO"),
    ]
    parts = [p for p in parts if len(p)]
    lines = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(
            columns=["type", "item_id", "location_id", "quantity", "order_date", "due_date"]
        )
    )
    missing = lines["location_id"].isna() if len(lines) else pd.Series(dtype=bool)
    kpis = dict(result.kpis)
    if missing.any():
        kpis["lines_dropped_no_location"] = int(missing.sum())
        lines = lines[~missing].reset_index(drop=True)
    alerts = result.alerts
    if alerts is not None and len(alerts):
        alerts = alerts.assign(severity=alerts["severity"].map(lambda v: SEVERITY.get(v, v)))
    meta = result.metadata()
    return PlanOutput(
        lines=lines,
        forecasts=result.forecasts,
        alerts=alerts,
        kpis=kpis,
        input_hash=result.input_hash,
        versions={
            **result.versions,
            "stages": meta["stages"],
            "as_of": meta["as_of"],
            "scenario_input_hash": result.scenario_input_hash,
        },
    )
