"""Marshmallow schemas shared by several blueprints (orders, lines, pages, jobs).
The OpenAPI document is generated from these same schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.db.models.plans import OPERATIONPLAN_STATUSES, OPERATIONPLAN_TYPES


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class OrderLineSchema(ma.Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    order_ref = fields.String(allow_none=True)
    type = fields.String(required=True, validate=validate.OneOf(OPERATIONPLAN_TYPES))
    status = fields.String(required=True, validate=validate.OneOf(OPERATIONPLAN_STATUSES))
    item_id = fields.String(required=True)
    location_id = fields.String(required=True)
    origin_id = fields.String(allow_none=True)
    supplier_id = fields.String(allow_none=True)
    quantity_proposed = fields.Float(required=True)
    quantity_confirmed = fields.Float(allow_none=True)
    quantity_shipped = fields.Float(allow_none=True)
    quantity_received = fields.Float(allow_none=True)
    order_date = fields.Date(required=True)
    due_date = fields.Date(required=True)
    confirmed_date = fields.Date(allow_none=True)
    unit_cost = fields.Float(allow_none=True)
    revision = fields.Integer(required=True)
    plan_run_id = fields.Integer(allow_none=True)
    updated_at = fields.DateTime(required=True)


class PlannerLineSchema(OrderLineSchema):
    reasons = fields.Dict(
        required=True, metadata={"description": "why the plan proposes this line"}
    )


class SupplierLineSchema(OrderLineSchema):
    class Meta:
        exclude = ("plan_run_id",)


class OrderSchema(ma.Schema):
    id = fields.String(required=True, metadata={"description": "order reference (lines share it)"})
    type = fields.String(required=True)
    supplier_id = fields.String(allow_none=True)
    location_id = fields.String(required=True)
    status = fields.String(
        required=True, metadata={"description": "least advanced status of its live lines"}
    )
    revision = fields.Integer(required=True)
    etag = fields.String(required=True)
    updated_at = fields.DateTime(required=True)
    lines = fields.List(fields.Nested(PlannerLineSchema), required=True)


class SupplierOrderSchema(OrderSchema):
    lines = fields.List(fields.Nested(SupplierLineSchema), required=True)


class PageArgs(StrictSchema):
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 10**9))


class OrderPageSchema(ma.Schema):
    items = fields.List(fields.Nested(OrderSchema), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


class LinePageSchema(ma.Schema):
    items = fields.List(fields.Nested(PlannerLineSchema), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


class JobSchema(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True)
    progress = fields.Float(required=True)
    message = fields.String(allow_none=True)
    params = fields.Dict(required=True)
    result = fields.Dict(required=True)
    error = fields.Dict(allow_none=True)
    cancel_requested = fields.Boolean(required=True)
    created_by = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    url = fields.String(required=True)


IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "the order's ETag as last seen; a stale one answers 412",
}
IF_MATCH_REQUIRED = {
    **IF_MATCH,
    "required": True,
    "description": "the order's ETag (required; stale → 412, missing → 428)",
}
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "ETag of the previous answer; unchanged → 304 with no body",
}
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": True,
    "schema": {"type": "string", "maxLength": 200},
    "description": "unique per logical request; a retry with the same key and body replays "
    "the first answer",
}
ETAG_HEADER = {
    "ETag": {"schema": {"type": "string"}, "description": "the order's current revision tag"}
}
