"""Planner: supplier changes outside tolerance that wait for review."""

from __future__ import annotations

from flask_smorest import Blueprint

from api.auth.guard import PLANNER_READ, roles
from api.blueprints import sessions
from api.blueprints.schemas import LinePageSchema, PageArgs
from api.services import purchase_orders as svc

blp = Blueprint(
    "supplier-changes",
    __name__,
    url_prefix="/api/v1/supplier-changes",
    description="Planner: supplier confirmations outside tolerance, waiting for review",
)


@blp.route("")
@roles(*PLANNER_READ)
@blp.arguments(PageArgs, location="query")
@blp.response(200, LinePageSchema)
def list_changes(args):
    """PO lines in status ``changed``; decide with POST /purchase-orders/{id}/review."""
    items, total = svc.pending_changes(sessions(), args["limit"], args["offset"])
    return {"items": items, "total": total, "limit": args["limit"], "offset": args["offset"]}
