"""The job worker: claims queued jobs, runs their handler with a heartbeat, records the end.

Run it inside ``stockpilot serve`` (a thread) or as its own process (``stockpilot worker``,
the production set-up next to gunicorn). Several workers may run at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.db.models import Job
from api.jobs import queue
from api.services.uow import read_only

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    """What a handler gets: its job, the database, and a progress reporter that also checks
    for cancellation (raises :class:`~api.jobs.queue.JobCancelled`)."""

    job_id: int
    kind: str
    params: dict
    payload: bytes | None
    created_by: str
    sessions: sessionmaker[Session]
    config: dict

    def progress(self, fraction: float, message: str | None = None) -> None:
        queue.report_progress(self.sessions, self.job_id, fraction, message)


Handler = Callable[[JobContext], dict | None]


def default_handlers() -> dict[str, Handler]:
    from api.jobs.import_job import run_import
    from api.jobs.plan_job import run_plan_job

    return {"plan_run": run_plan_job, "scenario_run": run_plan_job, "import": run_import}


class Worker:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        config: dict | None = None,
        handlers: dict[str, Handler] | None = None,
        worker_id: str | None = None,
    ):
        self.sessions = sessions
        self.config = dict(config or {})
        self.handlers = handlers or default_handlers()
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.heartbeat_s = float(self.config.get("JOBS_HEARTBEAT_S", 5.0))
        self.stale_s = float(self.config.get("JOBS_STALE_S", 30.0))

    def recover(self) -> list[int]:
        ids = queue.recover_stale(self.sessions, self.stale_s)
        if ids:
            log.warning("marked stale jobs as failed: %s", ids)
        return ids

    def run_once(self) -> int | None:
        """Claim and run one job; its id, or None if the queue is empty."""
        job_id = queue.claim_next(self.sessions, self.worker_id, tuple(self.handlers))
        if job_id is None:
            return None
        with read_only(self.sessions) as s:
            job = s.scalars(select(Job).where(Job.id == job_id)).one()
            ctx = JobContext(
                job.id,
                job.kind,
                dict(job.params or {}),
                job.payload,
                job.created_by,
                self.sessions,
                self.config,
            )
        stop = threading.Event()
        beat = threading.Thread(target=self._beat, args=(job_id, stop), daemon=True)
        beat.start()
        try:
            result = self.handlers[ctx.kind](ctx)
            self._finish(job_id, result)
        except queue.JobCancelled as exc:
            queue.mark_ended(self.sessions, job_id, "cancelled", None, str(exc))
        except Exception as exc:  # noqa: BLE001 - a job's failure is recorded, the worker goes on
            log.exception("job %s failed", job_id)
            detail = str(exc) or exc.__class__.__name__
            error = {"type": exc.__class__.__name__, "detail": detail[:4000]}
            if hasattr(exc, "issues"):  # DataValidationError: every issue, as the API reports them
                from api.errors import data_issues

                error["issues"] = data_issues(exc)[:1000]
            else:
                error["trace"] = traceback.format_exc(limit=5)[-2000:]
            queue.mark_ended(self.sessions, job_id, "failed", error, f"failed: {detail}"[:1000])
        finally:
            stop.set()
            beat.join(timeout=5)
        return job_id

    def _finish(self, job_id: int, result: dict | None) -> None:
        from api.services.uow import unit_of_work

        with unit_of_work(self.sessions) as s:
            queue.mark_succeeded(s, job_id, result or {})  # no-op if the handler already did it

    def _beat(self, job_id: int, stop: threading.Event) -> None:
        while not stop.wait(self.heartbeat_s):
            try:
                queue.heartbeat(self.sessions, job_id)
            except Exception:  # noqa: BLE001 - a missed beat is retried; staleness is judged later
                log.warning("heartbeat for job %s failed", job_id, exc_info=True)

    def run_forever(self, stop: threading.Event, poll_s: float = 1.0) -> None:
        self.recover()
        beats = 0
        while not stop.is_set():
            try:
                ran = self.run_once()
                beats += 1
                if beats % 30 == 0:
                    self.recover()
            except Exception:  # noqa: BLE001 - e.g. database briefly down: wait and retry
                log.exception("worker loop error")
                ran = None
            if ran is None:
                stop.wait(poll_s)


def start_worker_thread(app) -> tuple[threading.Thread, threading.Event]:
    ext = app.extensions["stockpilot"]
    worker = Worker(ext.sessions, dict(app.config))
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run_forever,
        args=(stop, float(app.config["JOBS_POLL_S"])),
        name="stockpilot-jobs",
        daemon=True,
    )
    thread.start()
    return thread, stop
