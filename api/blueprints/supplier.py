"""Supplier: the change feed of released orders, one order, acknowledgements, ship notices,
sell-through. Every route is scoped to the key's own supplier."""

from __future__ import annotations

import marshmallow as ma
from flask import Response, current_app, json, request
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth.guard import SUPPLIER, current_principal, roles
from api.blueprints import sessions
from api.blueprints.schemas import (
    ETAG_HEADER,
    IDEMPOTENCY_KEY,
    IF_MATCH_REQUIRED,
    IF_NONE_MATCH,
    StrictSchema,
    SupplierOrderSchema,
)
from api.services import supplier_portal as svc

blp = Blueprint(
    "supplier",
    __name__,
    url_prefix="/api/v1/supplier",
    description="Supplier integration: polling, acknowledgement, ship notices, sell-through",
)


class FeedArgs(StrictSchema):
    updated_since = fields.AwareDateTime(
        default_timezone=None,
        metadata={"description": "ISO 8601 with offset; orders changed after it"},
    )
    cursor = fields.String(
        validate=validate.Length(1, 500),
        metadata={"description": "next_cursor of the previous page"},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


class FeedSchema(ma.Schema):
    items = fields.List(fields.Nested(SupplierOrderSchema), required=True)
    next_cursor = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "pass as cursor for the next page; null at the end"},
    )


class AckLineSchema(StrictSchema):
    line_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    decision = fields.String(required=True, validate=validate.OneOf(svc.DECISIONS))
    quantity = fields.Float(
        validate=validate.Range(0, 1e12),
        allow_nan=False,
        metadata={"description": "confirmed quantity (accept_with_changes, backorder)"},
    )
    date = fields.Date(
        metadata={"description": "confirmed ship / delivery date (accept_with_changes, backorder)"}
    )
    reason = fields.String(
        validate=validate.Length(1, 1000), metadata={"description": "required for reject"}
    )


class AckSchema(StrictSchema):
    lines = fields.List(
        fields.Nested(AckLineSchema), required=True, validate=validate.Length(1, 1000)
    )
    note = fields.String(validate=validate.Length(0, 2000))


class LineResultSchema(ma.Schema):
    line_id = fields.Integer(required=True)
    decision = fields.String(required=True)
    status = fields.String(required=True)
    needs_review = fields.Boolean(required=True)
    quantity_confirmed = fields.Float(allow_none=True)
    confirmed_date = fields.Date(allow_none=True)


class AckResultSchema(ma.Schema):
    order = fields.Nested(SupplierOrderSchema, required=True)
    results = fields.List(fields.Nested(LineResultSchema), required=True)


class ShipLineSchema(StrictSchema):
    line_id = fields.Integer(required=True, validate=validate.Range(1, 2**31 - 1))
    quantity = fields.Float(
        required=True, validate=validate.Range(0, 1e12, min_inclusive=False), allow_nan=False
    )


class ShipmentInSchema(StrictSchema):
    order_id = fields.String(required=True, validate=validate.Length(1, 64))
    carrier = fields.String(validate=validate.Length(1, 100))
    tracking = fields.String(validate=validate.Length(1, 100))
    expected_arrival = fields.Date(required=True)
    lines = fields.List(
        fields.Nested(ShipLineSchema), required=True, validate=validate.Length(1, 1000)
    )


class ShipmentSchema(ma.Schema):
    id = fields.Integer(required=True)
    order_id = fields.String(required=True, attribute="order_ref")
    carrier = fields.String(allow_none=True)
    tracking = fields.String(allow_none=True)
    expected_arrival = fields.Date(required=True)
    lines = fields.List(fields.Dict(), required=True)
    created_at = fields.DateTime(required=True)


class SellThroughArgs(StrictSchema):
    days = fields.Integer(load_default=28, validate=validate.Range(1, 366))
    as_of = fields.Date()


class SellThroughRowSchema(ma.Schema):
    item_id = fields.String(required=True)
    location_id = fields.String(required=True)
    sold_qty = fields.Float(required=True)
    on_hand = fields.Float(allow_none=True)
    on_order = fields.Float(allow_none=True)


class SellThroughSchema(ma.Schema):
    supplier_id = fields.String(required=True)
    from_date = fields.Date(allow_none=True)
    to_date = fields.Date(allow_none=True)
    rows = fields.List(fields.Nested(SellThroughRowSchema), required=True)


def _if_none_match_hit(etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    return bool(header) and (
        header.strip() == "*" or etag in [t.strip() for t in header.split(",")]
    )


@blp.route("/purchase-orders")
@roles(*SUPPLIER)
@blp.arguments(FeedArgs, location="query")
@blp.response(200, FeedSchema, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(304, description="Not modified since the ETag sent in If-None-Match")
@blp.doc(parameters=[IF_NONE_MATCH])
def feed(args):
    """Change feed of this supplier's released orders: oldest change first, ``next_cursor`` for
    the next page. Send the ETag back as If-None-Match: 304 while nothing changed."""
    principal = current_principal()
    etag = svc.feed_etag(
        sessions(), principal, args.get("updated_since"), args.get("cursor"), args["limit"]
    )
    if _if_none_match_hit(etag):
        return Response(status=304, headers={"ETag": etag})
    # the ETag names the page's content exactly (supplier, query, count, latest change, sum of
    # revisions), so a page rendered for it can be served again to every poller that asks
    cache = current_app.extensions["stockpilot"].feed_cache
    body = cache.get(etag)
    if body is None:
        page = svc.feed(
            sessions(), principal, args.get("updated_since"), args.get("cursor"), args["limit"]
        )
        body = json.dumps(FeedSchema().dump(page))
        cache.put(etag, body)
    return Response(body, status=200, mimetype="application/json", headers={"ETag": etag})


@blp.route("/purchase-orders/<string:order_id>")
@roles(*SUPPLIER)
@blp.response(200, SupplierOrderSchema, headers=ETAG_HEADER)
@blp.alt_response(304, description="Not modified (If-None-Match)")
@blp.alt_response(404, description="No such order for this supplier")
@blp.doc(parameters=[IF_NONE_MATCH])
def get_order(order_id):
    """One released order of this supplier, with its revision (ETag) and lines."""
    order = svc.get_order(sessions(), current_principal(), order_id)
    if _if_none_match_hit(order.etag):
        return Response(status=304, headers={"ETag": order.etag})
    return order, 200, {"ETag": order.etag}


@blp.route("/purchase-orders/<string:order_id>/acknowledgements", methods=["POST"])
@roles(*SUPPLIER)
@blp.arguments(AckSchema)
@blp.response(200, AckResultSchema, headers=ETAG_HEADER)
@blp.alt_response(400, description="Idempotency-Key missing")
@blp.alt_response(404, description="No such order for this supplier")
@blp.alt_response(409, description="A line is not open for acknowledgement")
@blp.alt_response(412, description="Stale If-Match: the order changed since it was read")
@blp.alt_response(428, description="If-Match missing")
@blp.doc(parameters=[IF_MATCH_REQUIRED, IDEMPOTENCY_KEY])
def acknowledge(body, order_id):
    """Answer a released order line by line: accept, accept_with_changes (quantity / date),
    backorder (date), reject (reason). Changes within the planner's tolerance are accepted
    at once; others wait for planner review (status ``changed``)."""
    cfg = current_app.config
    answer = svc.acknowledge(
        sessions(),
        current_principal(),
        order_id,
        body,
        request.get_data(),
        request.path,
        request.headers.get("Idempotency-Key"),
        request.headers.get("If-Match"),
        float(cfg["ACK_QTY_TOLERANCE"]),
        int(cfg["ACK_DATE_TOLERANCE_DAYS"]),
        render=lambda result: AckResultSchema().dump(result),
    )
    return _raw(answer)


@blp.route("/shipments", methods=["POST"])
@roles(*SUPPLIER)
@blp.arguments(ShipmentInSchema)
@blp.response(201, ShipmentSchema)
@blp.alt_response(404, description="No such order for this supplier")
@blp.alt_response(409, description="A line is not accepted (cannot ship)")
@blp.doc(parameters=[{**IDEMPOTENCY_KEY, "required": False}])
def ship(body):
    """Advance ship notice: lines, quantities, carrier, tracking, expected arrival."""
    answer = svc.ship(
        sessions(),
        current_principal(),
        body,
        request.get_data(),
        request.path,
        request.headers.get("Idempotency-Key"),
        render=lambda s: ShipmentSchema().dump(s),
    )
    return _raw(answer)


@blp.route("/sell-through")
@roles(*SUPPLIER)
@blp.arguments(SellThroughArgs, location="query")
@blp.response(200, SellThroughSchema)
def sell_through(args):
    """Sales over the last ``days`` days and current stock of this supplier's items, by location."""
    return svc.sell_through(sessions(), current_principal(), args["days"], args.get("as_of"))


def _raw(answer) -> Response:
    """An answer whose body is already rendered (stored for idempotent replays)."""
    resp = Response(json.dumps(answer.body), status=answer.status_code, mimetype="application/json")
    for k, v in answer.headers.items():
        resp.headers[k] = v
    if answer.replayed:
        resp.headers["Idempotent-Replayed"] = "true"
    return resp
