"""Planner: the data tables (items, locations, suppliers, sourcing, lanes, stock, sales, events,
presales) — list, bulk upsert (JSON or CSV, validated exactly like ``stockpilot import``), and
large multi-file imports as a background job."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import fields

from api.auth.guard import PLANNER_READ, PLANNER_WRITE, current_principal, roles
from api.blueprints import sessions
from api.blueprints.schemas import JobSchema, PageArgs
from api.errors import BadRequest, NotFound, UnsupportedMediaType
from api.jobs import queue
from api.jobs.import_job import pack_files
from api.services import data_tables as svc
from api.services.uow import unit_of_work

blp = Blueprint(
    "data", __name__, url_prefix="/api/v1", description="Planner: data tables and imports"
)

TABLE_PARAM = {
    "in": "path",
    "name": "table",
    "required": True,
    "schema": {"type": "string", "enum": list(svc.TABLES)},
}


class RowsSchema(ma.Schema):
    table = fields.String(required=True)
    items = fields.List(fields.Dict(), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


class ImportReportSchema(ma.Schema):
    inserted = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    updated = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    unchanged = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


UPSERT_BODY = {
    "required": True,
    "description": 'rows as JSON (an array of objects, or {"rows": [...]}) or as CSV text '
    "with a header "
    "row; the columns are those of the data file (see `stockpilot schema`)",
    "content": {
        "application/json": {
            "schema": {
                "oneOf": [
                    {"type": "array", "items": {"type": "object"}},
                    {
                        "type": "object",
                        "required": ["rows"],
                        "properties": {"rows": {"type": "array", "items": {"type": "object"}}},
                    },
                ]
            }
        },
        "text/csv": {"schema": {"type": "string"}},
    },
}

IMPORT_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {name: {"type": "string", "format": "binary"} for name in svc.TABLES},
            }
        }
    },
}


def _table(table: str) -> str:
    if table not in svc.TABLES:
        raise NotFound(f"no data table {table!r}; one of {', '.join(svc.TABLES)}")
    return table


@blp.route("/data/<string:table>")
@roles(*PLANNER_READ)
@blp.arguments(PageArgs, location="query")
@blp.response(200, RowsSchema)
@blp.alt_response(404, description="No such table")
@blp.doc(parameters=[TABLE_PARAM])
def list_rows(args, table):
    """Rows of one data table, in key order."""
    return svc.list_rows(sessions(), _table(table), args["limit"], args["offset"])


@blp.route("/data/<string:table>", methods=["POST"])
@roles(*PLANNER_WRITE)
@blp.response(200, ImportReportSchema)
@blp.alt_response(404, description="No such table")
@blp.alt_response(413, description="Too many rows for a synchronous upload")
@blp.alt_response(415, description="Neither JSON nor CSV")
@blp.doc(parameters=[TABLE_PARAM], requestBody=UPSERT_BODY)
def upsert_rows(table):
    """Insert or update rows of one table (all or nothing; every problem reported at once)."""
    name = _table(table)
    mimetype = request.mimetype
    if mimetype == "application/json":
        payload = request.get_json(silent=True)
        if isinstance(payload, dict) and "rows" in payload:
            payload = payload["rows"]
        if not isinstance(payload, list):
            raise BadRequest(
                'send a JSON array of row objects (or {"rows": [...]})',
                errors=[
                    {"pointer": "", "location": "json", "detail": "expected an array of objects"}
                ],
            )
        raw = svc.frame_from_records(payload, name)
    elif mimetype in ("text/csv", "application/csv", "text/plain"):
        raw = svc.frame_from_csv(request.get_data(), name)
    else:
        raise UnsupportedMediaType(
            f"send application/json or text/csv (got {mimetype or 'nothing'})"
        )
    return svc.upsert(
        sessions(),
        name,
        raw,
        current_principal().actor,
        int(current_app.config["MAX_SYNC_UPLOAD_ROWS"]),
    )


@blp.route("/imports", methods=["POST"])
@roles(*PLANNER_WRITE)
@blp.response(202, JobSchema, headers={"Location": {"schema": {"type": "string"}}})
@blp.alt_response(415, description="Not multipart/form-data")
@blp.doc(requestBody=IMPORT_BODY)
def start_import():
    """Import several data files (CSV, optionally gzipped) as one all-or-nothing job; answers
    202 with the job's URL. Validation problems end the job as failed, listing every issue."""
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType(
            "send the files as multipart/form-data, one part per table (items=@items.csv)"
        )
    files = {}
    for name, storage in request.files.items():
        if name not in svc.TABLES:
            raise BadRequest(
                f"unknown data table {name!r}; one of {', '.join(svc.TABLES)}",
                errors=[{"pointer": f"/{name}", "location": "files", "detail": "unknown table"}],
            )
        files[name] = storage.read()
    if not files:
        raise BadRequest(
            "no files: send one part per table, named like the table (items, sales, ...)",
            errors=[{"pointer": "", "location": "files", "detail": "no files"}],
        )
    principal = current_principal()
    with unit_of_work(sessions()) as s:
        job = queue.info(
            queue.enqueue(
                s, "import", {"tables": sorted(files)}, principal.actor, pack_files(files)
            )
        )
    return job, 202, {"Location": job.url}
