"""One blueprint per resource, all under ``/api/v1``."""

from __future__ import annotations

from flask import current_app


def sessions():
    """The app's session factory (for handing to services)."""
    return current_app.extensions["stockpilot"].sessions


def register_blueprints(api) -> None:
    from api.blueprints import (alerts, data, jobs, plan_lines, plan_runs, purchase_orders, scenarios,
                                supplier, supplier_changes)

    for module in (purchase_orders, supplier_changes, plan_lines, plan_runs, jobs, scenarios, data, alerts,
                   supplier):
        api.register_blueprint(module.blp)
