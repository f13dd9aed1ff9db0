"""Planner: alerts of the current plan."""

from __future__ import annotations

from flask_smorest import Blueprint

from api.auth.guard import PLANNER_READ, roles
from api.blueprints import sessions
from api.blueprints.plan_runs import AlertArgs, AlertPageSchema, _page
from api.services import plan_runs as svc

blp = Blueprint(
    "alerts",
    __name__,
    url_prefix="/api/v1/alerts",
    description="Planner: alerts of the current plan",
)


@blp.route("")
@roles(*PLANNER_READ)
@blp.arguments(AlertArgs, location="query")
@blp.response(200, AlertPageSchema)
@blp.alt_response(404, description="No plan published yet")
def list_alerts(args):
    """Alerts of the published plan (filter by severity, type)."""
    return _page(
        svc.alerts(
            sessions(), None, args.get("severity"), args.get("type"), args["limit"], args["offset"]
        ),
        args,
    )
