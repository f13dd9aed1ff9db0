"""One blueprint per resource, all under ``/api/v1``."""

from __future__ import annotations

from flask import current_app, g
from werkzeug.routing import BaseConverter


def sessions():
    """The request's sessions (for handing to services): a fresh session per unit of work,
    one shared read session for the request's reads."""
    scoped = g.get("sessions")
    if scoped is None:
        from api.services.uow import RequestSessions

        ext = current_app.extensions["stockpilot"]
        scoped = g.sessions = RequestSessions(ext.sessions, ext.read_sessions)
    return scoped


def close_request_sessions(_exc=None) -> None:
    scoped = g.pop("sessions", None)
    if scoped is not None:
        scoped.close()


class IdConverter(BaseConverter):
    """``<id:name>``: a positive integer id. Digits beyond the id range map to 0, an id that
    never exists, so they answer 404 like any unknown id (never 500 or 405)."""

    regex = r"\d{1,30}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        n = int(value)
        return n if n <= MAX_ID else 0

    def to_url(self, value) -> str:
        return str(int(value))


MAX_ID = 2**31 - 1


def register_blueprints(api) -> None:
    api._app.url_map.converters["id"] = IdConverter
    api.register_converter(
        IdConverter, lambda converter: {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    )
    from api.blueprints import (
        alerts,
        data,
        jobs,
        plan_lines,
        plan_runs,
        purchase_orders,
        scenarios,
        supplier,
        supplier_changes,
    )

    for module in (
        purchase_orders,
        supplier_changes,
        plan_lines,
        plan_runs,
        jobs,
        scenarios,
        data,
        alerts,
        supplier,
    ):
        api.register_blueprint(module.blp)
