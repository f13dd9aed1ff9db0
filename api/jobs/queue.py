"""The job queue: enqueue, claim, progress and heartbeat, finish, cancel, recover."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from api.db.base import utcnow
from api.db.models import Job, PlanRun
from api.repositories.orders import aware
from api.services.uow import unit_of_work

TERMINAL = ("succeeded", "failed", "cancelled")


class JobCancelled(Exception):
    """Raised inside a job when its cancellation was requested."""


@dataclass(frozen=True)
class JobInfo:
    id: int
    kind: str
    status: str
    progress: float
    message: str | None
    params: dict
    result: dict
    error: dict | None
    cancel_requested: bool
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def url(self) -> str:
        return f"/api/v1/jobs/{self.id}"


def info(row: Job) -> JobInfo:
    return JobInfo(
        row.id,
        row.kind,
        row.status,
        row.progress,
        row.message,
        dict(row.params or {}),
        dict(row.result or {}),
        row.error,
        row.cancel_requested,
        row.created_by,
        aware(row.created_at),
        aware(row.started_at),
        aware(row.finished_at),
    )


def enqueue(
    session: Session, kind: str, params: dict, created_by: str, payload: bytes | None = None
) -> Job:
    job = Job(
        kind=kind,
        params=params,
        created_by=created_by,
        payload=payload,
        status="queued",
        progress=0.0,
        result={},
        cancel_requested=False,
    )
    session.add(job)
    session.flush()
    return job


def claim_next(
    sessions: sessionmaker[Session], worker_id: str, kinds: tuple[str, ...] | None = None
) -> int | None:
    """Take the oldest queued job (compare-and-set); its id, or None."""
    with unit_of_work(sessions) as s:
        q = select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(1)
        if kinds:
            q = q.where(Job.kind.in_(kinds))
        if s.get_bind().dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        job_id = s.scalar(q)
        if job_id is None:
            return None
        now = utcnow()
        res = s.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(
                status="running",
                worker_id=worker_id,
                started_at=now,
                heartbeat_at=now,
                message="started",
            )
        )
        if res.rowcount != 1:
            return None
        _sync_plan_run(s, job_id, status="running", started_at=now)
        return job_id


def _plan_run_id(s: Session, job_id: int) -> int | None:
    params = s.scalar(select(Job.params).where(Job.id == job_id)) or {}
    return params.get("plan_run_id")


def _sync_plan_run(s: Session, job_id: int, **values) -> None:
    run_id = _plan_run_id(s, job_id)
    if run_id is not None:
        s.execute(update(PlanRun).where(PlanRun.id == run_id).values(**values))


def report_progress(
    sessions: sessionmaker[Session], job_id: int, progress: float, message: str | None
) -> None:
    """Store progress (0..1) and a heartbeat; raise :class:`JobCancelled` if cancel was asked."""
    progress = min(1.0, max(0.0, float(progress)))
    with unit_of_work(sessions) as s:
        s.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "running")
            .values(progress=progress, message=message, heartbeat_at=utcnow())
        )
        _sync_plan_run(s, job_id, progress=progress, message=message)
        cancel = s.scalar(select(Job.cancel_requested).where(Job.id == job_id))
    if cancel:
        raise JobCancelled(f"job {job_id} was cancelled")


def heartbeat(sessions: sessionmaker[Session], job_id: int) -> None:
    with unit_of_work(sessions) as s:
        s.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "running")
            .values(heartbeat_at=utcnow())
        )


def mark_succeeded(s: Session, job_id: int, result: dict) -> bool:
    """In the caller's transaction (so a job's own writes and its success commit together)."""
    res = s.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "running")
        .values(
            status="succeeded",
            progress=1.0,
            result=result,
            finished_at=utcnow(),
            message="succeeded",
        )
    )
    return res.rowcount == 1


def mark_ended(
    sessions: sessionmaker[Session], job_id: int, status: str, error: dict | None, message: str
) -> None:
    with unit_of_work(sessions) as s:
        now = utcnow()
        res = s.execute(
            update(Job)
            .where(Job.id == job_id, Job.status.in_(("running", "queued")))
            .values(status=status, error=error, finished_at=now, message=message)
        )
        if res.rowcount:
            _sync_plan_run(s, job_id, status=status, finished_at=now, message=message)


def request_cancel(sessions: sessionmaker[Session], job_id: int) -> JobInfo | None:
    """Queued jobs are cancelled at once; running ones stop at their next progress report."""
    with unit_of_work(sessions) as s:
        job = s.get(Job, job_id)
        if job is None:
            return None
        if job.status == "queued":
            now = utcnow()
            job.status, job.finished_at, job.message, job.cancel_requested = (
                "cancelled",
                now,
                "cancelled",
                True,
            )
            s.flush()
            _sync_plan_run(
                s, job_id, status="cancelled", finished_at=now, message="cancelled before start"
            )
        elif job.status == "running":
            job.cancel_requested = True
        s.flush()
        return info(job)


def recover_stale(sessions: sessionmaker[Session], stale_after_s: float) -> list[int]:
    """Mark running jobs whose worker stopped sending heartbeats as failed (and their plan
    runs). Their plans were never published: publication commits with the job's success."""
    cutoff = utcnow() - timedelta(seconds=stale_after_s)
    with unit_of_work(sessions) as s:
        ids = list(
            s.scalars(select(Job.id).where(Job.status == "running", Job.heartbeat_at < cutoff))
        )
        for job_id in ids:
            now = utcnow()
            msg = "worker stopped responding (crash or restart); the job was not completed"
            res = s.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == "running", Job.heartbeat_at < cutoff)
                .values(
                    status="failed",
                    finished_at=now,
                    message=msg,
                    error={"type": "worker-lost", "detail": msg},
                )
            )
            if res.rowcount:
                _sync_plan_run(s, job_id, status="failed", finished_at=now, message=msg)
        return ids


def get_job(sessions: sessionmaker[Session], job_id: int) -> JobInfo | None:
    with unit_of_work(sessions) as s:
        job = s.get(Job, job_id)
        return info(job) if job is not None else None


def list_jobs(
    sessions: sessionmaker[Session], status: str | None, kind: str | None, limit: int, offset: int
) -> tuple[list[JobInfo], int]:
    from sqlalchemy import func

    with unit_of_work(sessions) as s:
        conds = []
        if status:
            conds.append(Job.status == status)
        if kind:
            conds.append(Job.kind == kind)
        total = s.scalar(select(func.count()).select_from(Job).where(*conds))
        rows = s.scalars(
            select(Job).where(*conds).order_by(Job.id.desc()).limit(limit).offset(offset)
        ).all()
        return [info(r) for r in rows], int(total or 0)
