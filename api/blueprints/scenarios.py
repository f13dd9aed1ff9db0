"""Planner: what-if scenarios and their runs (jobs)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth.guard import PLANNER_READ, PLANNER_WRITE, current_principal, roles
from api.blueprints import sessions
from api.blueprints.plan_runs import RunPageSchema, RunStartedSchema, RunStartSchema, _page, started
from api.blueprints.schemas import PageArgs, StrictSchema
from api.services import plan_runs as svc

blp = Blueprint(
    "scenarios", __name__, url_prefix="/api/v1/scenarios", description="Planner: what-if scenarios"
)


class ScenarioInSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    description = fields.String(validate=validate.Length(0, 5000))
    spec = fields.Dict(
        required=True, metadata={"description": "overrides on the baseline (see the scenario docs)"}
    )


class ScenarioSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    description = fields.String(allow_none=True)
    spec = fields.Dict(required=True)
    updated_at = fields.DateTime(required=True)


class ScenarioPageSchema(ma.Schema):
    items = fields.List(fields.Nested(ScenarioSchema), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


@blp.route("")
@roles(*PLANNER_READ)
@blp.arguments(PageArgs, location="query")
@blp.response(200, ScenarioPageSchema)
def list_scenarios(args):
    """Stored scenarios."""
    return _page(svc.list_scenarios(sessions(), args["limit"], args["offset"]), args)


@blp.route("", methods=["POST"])
@roles(*PLANNER_WRITE)
@blp.arguments(ScenarioInSchema)
@blp.response(201, ScenarioSchema)
@blp.alt_response(409, description="Name taken")
def create_scenario(body):
    """Store a scenario (a named set of overrides on the baseline)."""
    return svc.create_scenario(
        sessions(), current_principal(), body["name"], body.get("description"), body["spec"]
    )


@blp.route("/<id:scenario_id>")
@roles(*PLANNER_READ)
@blp.response(200, ScenarioSchema)
@blp.alt_response(404, description="No such scenario")
def get_scenario(scenario_id):
    """One scenario."""
    return svc.get_scenario(sessions(), scenario_id)


@blp.route("/<id:scenario_id>/runs", methods=["POST"])
@roles(*PLANNER_WRITE)
@blp.arguments(RunStartSchema)
@blp.response(202, RunStartedSchema, headers={"Location": {"schema": {"type": "string"}}})
@blp.alt_response(404, description="No such scenario")
def run_scenario(body, scenario_id):
    """Run the scenario against the baseline data (a job; results under its plan run)."""
    job, run = svc.start_run(
        sessions(),
        current_principal(),
        as_of=body.get("as_of"),
        horizon_weeks=body.get("horizon_weeks"),
        seed=body["seed"],
        scenario_id=scenario_id,
    )
    return started(job, run)


@blp.route("/<id:scenario_id>/runs")
@roles(*PLANNER_READ)
@blp.arguments(PageArgs, location="query")
@blp.response(200, RunPageSchema)
@blp.alt_response(404, description="No such scenario")
def list_scenario_runs(args, scenario_id):
    """Runs of this scenario, newest first (KPIs under each)."""
    svc.get_scenario(sessions(), scenario_id)
    return _page(
        svc.list_runs(sessions(), args["limit"], args["offset"], scenario_id=scenario_id), args
    )
