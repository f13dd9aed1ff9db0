"""Planner: start a plan run (a job) and read runs and their results — purchase orders,
transfers, presale / production plans, forecasts, KPIs, alerts."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth.guard import PLANNER_READ, PLANNER_WRITE, current_principal, roles
from api.blueprints import sessions
from api.blueprints.schemas import JobSchema, LinePageSchema, PageArgs, StrictSchema
from api.services import plan_runs as svc

blp = Blueprint(
    "plan-runs",
    __name__,
    url_prefix="/api/v1/plan-runs",
    description="Planner: plan runs and results",
)


class RunStartSchema(StrictSchema):
    as_of = fields.Date(
        metadata={"description": "plan as of this date (default: the data's last date)"}
    )
    horizon_weeks = fields.Integer(validate=validate.Range(1, 104))
    seed = fields.Integer(load_default=0, validate=validate.Range(0, 2**31 - 1))


class RunSchema(ma.Schema):
    id = fields.Integer(required=True)
    scenario_id = fields.Integer(allow_none=True)
    status = fields.String(required=True)
    as_of = fields.Date(allow_none=True)
    horizon_weeks = fields.Integer(allow_none=True)
    seed = fields.Integer(required=True)
    progress = fields.Float(required=True)
    message = fields.String(allow_none=True)
    published = fields.Boolean(required=True)
    kpis = fields.Dict(required=True)
    input_hash = fields.String(allow_none=True)
    versions = fields.Dict(required=True)
    created_at = fields.DateTime(required=True)
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


class RunStartedSchema(ma.Schema):
    job = fields.Nested(JobSchema, required=True)
    plan_run = fields.Nested(RunSchema, required=True)


class RunPageSchema(ma.Schema):
    items = fields.List(fields.Nested(RunSchema), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


class ForecastArgs(PageArgs):
    item = fields.String(validate=validate.Length(1, 64))
    location = fields.String(validate=validate.Length(1, 64))


class ForecastSchema(ma.Schema):
    item_id = fields.String(required=True)
    location_id = fields.String(required=True)
    date = fields.Date(required=True)
    mean = fields.Float(required=True)
    p10 = fields.Float(required=True)
    p50 = fields.Float(required=True)
    p90 = fields.Float(required=True)
    quantiles = fields.Dict(required=True)
    model = fields.String(required=True)


class ForecastPageSchema(ma.Schema):
    items = fields.List(fields.Nested(ForecastSchema), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


class AlertArgs(PageArgs):
    severity = fields.String(validate=validate.OneOf(("info", "warning", "critical")))
    type = fields.String(validate=validate.Length(1, 32))


class AlertSchema(ma.Schema):
    id = fields.Integer(required=True)
    plan_run_id = fields.Integer(allow_none=True)
    type = fields.String(required=True)
    severity = fields.String(required=True)
    item_id = fields.String(allow_none=True)
    location_id = fields.String(allow_none=True)
    message = fields.String(required=True)
    status = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class AlertPageSchema(ma.Schema):
    items = fields.List(fields.Nested(AlertSchema), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


class KpiSchema(ma.Schema):
    plan_run_id = fields.Integer(required=True)
    kpis = fields.Dict(required=True)


def _page(items_total, args):
    items, total = items_total
    return {"items": items, "total": total, "limit": args["limit"], "offset": args["offset"]}


def started(job, run):
    return {"job": job, "plan_run": run}, 202, {"Location": job.url}


@blp.route("", methods=["POST"])
@roles(*PLANNER_WRITE)
@blp.arguments(RunStartSchema)
@blp.response(
    202,
    RunStartedSchema,
    headers={"Location": {"schema": {"type": "string"}, "description": "the job's URL"}},
)
def start_run(body):
    """Start a plan run. Answers 202 at once with the job's URL (``Location``); poll the job
    for status and progress; its result names the published plan run."""
    job, run = svc.start_run(
        sessions(),
        current_principal(),
        as_of=body.get("as_of"),
        horizon_weeks=body.get("horizon_weeks"),
        seed=body["seed"],
    )
    return started(job, run)


@blp.route("")
@roles(*PLANNER_READ)
@blp.arguments(PageArgs, location="query")
@blp.response(200, RunPageSchema)
def list_runs(args):
    """Plan runs, newest first."""
    return _page(svc.list_runs(sessions(), args["limit"], args["offset"]), args)


@blp.route("/current")
@roles(*PLANNER_READ)
@blp.response(200, RunSchema)
@blp.alt_response(404, description="No plan published yet")
def current_run():
    """The published plan run (the plan planners and suppliers work from)."""
    return svc.current_run(sessions())


@blp.route("/<id:run_id>")
@roles(*PLANNER_READ)
@blp.response(200, RunSchema)
@blp.alt_response(404, description="No such run")
def get_run(run_id):
    """One plan run: status, progress, KPIs, input hash and versions."""
    return svc.get_run(sessions(), run_id)


def _lines_view(segment: str, type_: str, doc: str):
    @roles(*PLANNER_READ)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, LinePageSchema)
    @blp.alt_response(404, description="No such run")
    @blp.doc(summary=doc)
    def view(args, run_id):
        return _page(svc.run_lines(sessions(), run_id, type_, args["limit"], args["offset"]), args)

    view.__name__ = f"run_{segment.replace('-', '_')}"
    view.__doc__ = doc
    blp.route(f"/<id:run_id>/{segment}")(view)


_lines_view("purchase-orders", "PO", "Purchase-order lines of this run (with reasons).")
_lines_view("transfers", "DO", "Transfer (distribution order) lines of this run.")
_lines_view("presale-plans", "MO", "Presale production lines of this run.")


@blp.route("/<id:run_id>/forecasts")
@roles(*PLANNER_READ)
@blp.arguments(ForecastArgs, location="query")
@blp.response(200, ForecastPageSchema)
@blp.alt_response(404, description="No such run")
def run_forecasts(args, run_id):
    """Forecasts of this run (mean and quantiles per item × location × date)."""
    return _page(
        svc.run_forecasts(
            sessions(),
            run_id,
            args.get("item"),
            args.get("location"),
            args["limit"],
            args["offset"],
        ),
        args,
    )


@blp.route("/<id:run_id>/kpis")
@roles(*PLANNER_READ)
@blp.response(200, KpiSchema)
@blp.alt_response(404, description="No such run")
def run_kpis(run_id):
    """KPIs of this run."""
    run = svc.get_run(sessions(), run_id)
    return {"plan_run_id": run.id, "kpis": run.kpis}


@blp.route("/<id:run_id>/alerts")
@roles(*PLANNER_READ)
@blp.arguments(AlertArgs, location="query")
@blp.response(200, AlertPageSchema)
@blp.alt_response(404, description="No such run")
def run_alerts(args, run_id):
    """Alerts raised by this run."""
    return _page(
        svc.alerts(
            sessions(),
            run_id,
            args.get("severity"),
            args.get("type"),
            args["limit"],
            args["offset"],
        ),
        args,
    )
