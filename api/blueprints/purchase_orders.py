"""Planner: purchase orders — list, read, edit proposed lines, approve, release, cancel,
review supplier changes, receive, history."""

from __future__ import annotations

import marshmallow as ma
from flask import request
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth.guard import PLANNER_READ, PLANNER_WRITE, current_principal, roles
from api.blueprints import sessions
from api.blueprints.schemas import (
    ETAG_HEADER,
    IF_MATCH,
    IF_MATCH_REQUIRED,
    OrderPageSchema,
    OrderSchema,
    PageArgs,
    StrictSchema,
)
from api.db.models.plans import OPERATIONPLAN_STATUSES
from api.services import purchase_orders as svc

blp = Blueprint(
    "purchase-orders",
    __name__,
    url_prefix="/api/v1/purchase-orders",
    description="Planner: the purchase-order life-cycle",
)


class OrderListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(OPERATIONPLAN_STATUSES))
    supplier = fields.String(validate=validate.Length(1, 64))
    item = fields.String(validate=validate.Length(1, 64))
    plan_run = fields.Integer(validate=validate.Range(1, 2**31 - 1))


class LineEditSchema(StrictSchema):
    line_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    quantity = fields.Float(validate=validate.Range(0, 1e12), allow_nan=False)
    due_date = fields.Date()


class EditSchema(StrictSchema):
    lines = fields.List(
        fields.Nested(LineEditSchema), required=True, validate=validate.Length(1, 1000)
    )


class ReviewLineSchema(StrictSchema):
    line_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    decision = fields.String(required=True, validate=validate.OneOf(("accept", "refuse")))
    note = fields.String(validate=validate.Length(0, 1000))


class ReviewSchema(StrictSchema):
    lines = fields.List(
        fields.Nested(ReviewLineSchema), required=True, validate=validate.Length(1, 1000)
    )


class ReceiptLineSchema(StrictSchema):
    line_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    quantity = fields.Float(
        required=True, validate=validate.Range(0, 1e12, min_inclusive=False), allow_nan=False
    )
    received_on = fields.Date()


class ReceiptSchema(StrictSchema):
    lines = fields.List(
        fields.Nested(ReceiptLineSchema), required=True, validate=validate.Length(1, 1000)
    )


class AuditEventSchema(ma.Schema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    entity_type = fields.String(required=True)
    entity_id = fields.String(required=True)
    action = fields.String(required=True)
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    detail = fields.Dict(required=True)


ORDER_ID = {"order_id": {"description": "order reference", "schema": {"type": "string"}}}


def _with_etag(order):
    return order, 200, {"ETag": order.etag}


@blp.route("")
@roles(*PLANNER_READ)
@blp.arguments(OrderListArgs, location="query")
@blp.response(200, OrderPageSchema)
def list_orders(args):
    """List purchase orders (filter by line status, supplier, item, plan run)."""
    return svc.list_orders(
        sessions(),
        status=args.get("status"),
        supplier_id=args.get("supplier"),
        item_id=args.get("item"),
        plan_run_id=args.get("plan_run"),
        limit=args["limit"],
        offset=args["offset"],
    )


@blp.route("/<string:order_id>")
@roles(*PLANNER_READ)
@blp.response(200, OrderSchema, headers=ETAG_HEADER)
@blp.alt_response(404, description="No such order")
def get_order(order_id):
    """One purchase order with its lines, revision and reasons."""
    return _with_etag(svc.get_order(sessions(), order_id))


@blp.route("/<string:order_id>", methods=["PATCH"])
@roles(*PLANNER_WRITE)
@blp.arguments(EditSchema)
@blp.response(200, OrderSchema, headers=ETAG_HEADER)
@blp.alt_response(404, description="No such order")
@blp.alt_response(409, description="A line is not proposed any more")
@blp.alt_response(412, description="Stale If-Match")
@blp.alt_response(428, description="If-Match missing")
@blp.doc(parameters=[IF_MATCH_REQUIRED])
def edit_order(body, order_id):
    """Edit quantities / due dates of proposed lines."""
    return _with_etag(
        svc.edit_lines(
            sessions(),
            current_principal(),
            order_id,
            body["lines"],
            request.headers.get("If-Match"),
        )
    )


def _transition_view(action: str, doc: str):
    @roles(*PLANNER_WRITE)
    @blp.response(200, OrderSchema, headers=ETAG_HEADER)
    @blp.alt_response(404, description="No such order")
    @blp.alt_response(409, description="Illegal status transition")
    @blp.alt_response(412, description="Stale If-Match")
    @blp.doc(parameters=[IF_MATCH], summary=doc)
    def view(order_id):
        return _with_etag(
            svc.change_status(
                sessions(), current_principal(), order_id, action, request.headers.get("If-Match")
            )
        )

    view.__name__ = f"{action}_order"
    view.__doc__ = doc
    blp.route(f"/<string:order_id>/{action}", methods=["POST"])(view)


_transition_view("approve", "Approve a proposed order (proposed → approved).")
_transition_view("release", "Release an approved order to its supplier (approved → released).")
_transition_view("cancel", "Cancel every open line of an order.")
_transition_view("close", "Close a received or rejected order.")


@blp.route("/<string:order_id>/review", methods=["POST"])
@roles(*PLANNER_WRITE)
@blp.arguments(ReviewSchema)
@blp.response(200, OrderSchema, headers=ETAG_HEADER)
@blp.alt_response(404, description="No such order")
@blp.alt_response(409, description="A line does not wait for review")
@blp.alt_response(412, description="Stale If-Match")
@blp.doc(parameters=[IF_MATCH])
def review_order(body, order_id):
    """Accept or refuse supplier changes outside tolerance (lines in status changed)."""
    return _with_etag(
        svc.review_changes(
            sessions(),
            current_principal(),
            order_id,
            body["lines"],
            request.headers.get("If-Match"),
        )
    )


@blp.route("/<string:order_id>/receipts", methods=["POST"])
@roles(*PLANNER_WRITE)
@blp.arguments(ReceiptSchema)
@blp.response(200, OrderSchema, headers=ETAG_HEADER)
@blp.alt_response(404, description="No such order")
@blp.alt_response(409, description="A line cannot be received")
@blp.alt_response(412, description="Stale If-Match")
@blp.doc(parameters=[IF_MATCH])
def receive_order(body, order_id):
    """Record goods received (accepted or shipped lines → received)."""
    return _with_etag(
        svc.receive(
            sessions(),
            current_principal(),
            order_id,
            body["lines"],
            request.headers.get("If-Match"),
        )
    )


@blp.route("/<string:order_id>/history")
@roles(*PLANNER_READ)
@blp.response(200, AuditEventSchema(many=True))
@blp.alt_response(404, description="No such order")
def order_history(order_id):
    """Audit trail of the order's lines: who, when, from → to."""
    return svc.order_history(sessions(), order_id)
