"""Jobs: status and progress of plan runs, what-if runs and imports; cancellation."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import fields, validate

from api.auth.guard import PLANNER_READ, PLANNER_WRITE, roles
from api.blueprints import sessions
from api.blueprints.schemas import JobSchema, PageArgs
from api.db.models.jobs import JOB_KINDS, JOB_STATUSES
from api.errors import NotFound
from api.jobs import queue

blp = Blueprint("jobs", __name__, url_prefix="/api/v1/jobs", description="Background jobs")


class JobListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(JOB_STATUSES))
    kind = fields.String(validate=validate.OneOf(JOB_KINDS))


class JobPageSchema(ma.Schema):
    items = fields.List(fields.Nested(JobSchema), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


@blp.route("")
@roles(*PLANNER_READ)
@blp.arguments(JobListArgs, location="query")
@blp.response(200, JobPageSchema)
def list_jobs(args):
    """Jobs, newest first."""
    items, total = queue.list_jobs(
        sessions(), args.get("status"), args.get("kind"), args["limit"], args["offset"]
    )
    return {"items": items, "total": total, "limit": args["limit"], "offset": args["offset"]}


@blp.route("/<id:job_id>")
@roles(*PLANNER_READ)
@blp.response(200, JobSchema)
@blp.alt_response(404, description="No such job")
def get_job(job_id):
    """A job's status, progress (0..1), message, result or error."""
    job = queue.get_job(sessions(), job_id)
    if job is None:
        raise NotFound(f"job {job_id} not found")
    return job


@blp.route("/<id:job_id>/cancel", methods=["POST"])
@roles(*PLANNER_WRITE)
@blp.response(202, JobSchema)
@blp.alt_response(404, description="No such job")
def cancel_job(job_id):
    """Cancel a job: a queued job at once, a running one at its next progress step (its plan
    is then not published). Finished jobs are left as they are."""
    job = queue.request_cancel(sessions(), job_id)
    if job is None:
        raise NotFound(f"job {job_id} not found")
    return job
