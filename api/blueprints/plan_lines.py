"""Planner: every plan line (purchase, transfer, production) and why it is there."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth.guard import PLANNER_READ, roles
from api.blueprints import sessions
from api.blueprints.purchase_orders import AuditEventSchema
from api.blueprints.schemas import LinePageSchema, PageArgs, PlannerLineSchema
from api.db.models.plans import OPERATIONPLAN_STATUSES, OPERATIONPLAN_TYPES
from api.services import plan_lines as svc

blp = Blueprint(
    "plan-lines",
    __name__,
    url_prefix="/api/v1/plan-lines",
    description="Planner: plan lines of every type and their explanation",
)


class LineListArgs(PageArgs):
    type = fields.String(validate=validate.OneOf(OPERATIONPLAN_TYPES))
    status = fields.String(validate=validate.OneOf(OPERATIONPLAN_STATUSES))
    plan_run = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    item = fields.String(validate=validate.Length(1, 64))


class ExplanationSchema(ma.Schema):
    line = fields.Nested(PlannerLineSchema, required=True)
    summary = fields.String(required=True)
    reasons = fields.Dict(required=True)
    item_name = fields.String(allow_none=True)
    supplier_name = fields.String(allow_none=True)
    history = fields.List(fields.Nested(AuditEventSchema), required=True)


@blp.route("")
@roles(*PLANNER_READ)
@blp.arguments(LineListArgs, location="query")
@blp.response(200, LinePageSchema)
def list_lines(args):
    """Plan lines, filtered by type (PO / DO / MO), status, plan run, item."""
    items, total = svc.list_lines(
        sessions(),
        type_=args.get("type"),
        status=args.get("status"),
        plan_run_id=args.get("plan_run"),
        item_id=args.get("item"),
        limit=args["limit"],
        offset=args["offset"],
    )
    return {"items": items, "total": total, "limit": args["limit"], "offset": args["offset"]}


@blp.route("/<id:line_id>/explanation")
@roles(*PLANNER_READ)
@blp.response(200, ExplanationSchema)
@blp.alt_response(404, description="No such line")
def explain_line(line_id):
    """Why the plan proposes this line: its recorded reasons in words, and its history."""
    return svc.explain(sessions(), line_id)
