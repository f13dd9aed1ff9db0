"""Background jobs (plan runs, scenario runs, large imports): a database-backed queue.

A job is ``queued`` until a worker claims it (compare-and-set on the status), then ``running``
with a ``heartbeat_at`` the worker refreshes; it ends ``succeeded``, ``failed`` or
``cancelled``. A running job whose heartbeat is stale (its worker died) is marked ``failed``
by the next worker that looks — never left running.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, utcnow

JOB_KINDS = ("plan_run", "scenario_run", "import")
JOB_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")


class Job(Base):
    __tablename__ = "job"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)  # e.g. gzipped upload of an import
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[dict | None] = mapped_column(JSON)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(100))
    worker_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        CheckConstraint("kind IN ('plan_run','scenario_run','import')", name="kind_valid"),
        CheckConstraint(
            "status IN ('queued','running','succeeded','failed','cancelled')", name="status_valid"
        ),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress_share"),
        Index("ix_job_status_id", "status", "id"),
    )
