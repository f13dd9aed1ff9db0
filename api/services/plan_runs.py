"""Plan runs and what-if scenario runs: start one (a queued job), read runs and their results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.auth.keys import Principal
from api.db.models import Alert, Forecast, PlanRun, Scenario
from api.errors import Conflict, NotFound
from api.jobs import queue
from api.repositories import orders as repo
from api.services.uow import read_only, unit_of_work


@dataclass(frozen=True)
class RunInfo:
    id: int
    scenario_id: int | None
    status: str
    as_of: date | None
    horizon_weeks: int | None
    seed: int
    progress: float
    message: str | None
    published: bool
    kpis: dict
    input_hash: str | None
    versions: dict
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def _run(r: PlanRun) -> RunInfo:
    return RunInfo(
        r.id,
        r.scenario_id,
        r.status,
        r.as_of,
        r.horizon_weeks,
        r.seed,
        r.progress,
        r.message,
        bool(r.published),
        dict(r.kpis or {}),
        r.input_hash,
        dict(r.versions or {}),
        repo.aware(r.created_at),
        repo.aware(r.started_at),
        repo.aware(r.finished_at),
    )


def start_run(
    sessions: sessionmaker[Session],
    principal: Principal,
    *,
    as_of: date | None,
    horizon_weeks: int | None,
    seed: int,
    scenario_id: int | None = None,
) -> tuple[queue.JobInfo, RunInfo]:
    """Queue a plan run (baseline) or, with a scenario, a what-if run."""
    kind = "scenario_run" if scenario_id is not None else "plan_run"
    with unit_of_work(sessions) as s:
        if scenario_id is not None and s.get(Scenario, scenario_id) is None:
            raise NotFound(f"scenario {scenario_id} not found")
        run = PlanRun(
            scenario_id=scenario_id,
            status="queued",
            as_of=as_of,
            horizon_weeks=horizon_weeks,
            seed=seed,
            versions={},
            kpis={},
            progress=0.0,
            published=False,
            source=f"api:{principal.actor}"[:64],
        )
        s.add(run)
        s.flush()
        job = queue.enqueue(
            s, kind, {"plan_run_id": run.id, "scenario_id": scenario_id}, principal.actor
        )
        return queue.info(job), _run(run)


def list_runs(sessions, limit: int, offset: int, scenario_id: int | None = None):
    with read_only(sessions) as s:
        conds = [PlanRun.scenario_id == scenario_id] if scenario_id is not None else []
        total = s.scalar(select(func.count()).select_from(PlanRun).where(*conds))
        rows = s.scalars(
            select(PlanRun).where(*conds).order_by(PlanRun.id.desc()).limit(limit).offset(offset)
        )
        return [_run(r) for r in rows], int(total or 0)


def get_run(sessions, run_id: int) -> RunInfo:
    with read_only(sessions) as s:
        run = s.get(PlanRun, run_id)
        if run is None:
            raise NotFound(f"plan run {run_id} not found")
        return _run(run)


def current_run(sessions) -> RunInfo:
    with read_only(sessions) as s:
        run = s.scalars(
            select(PlanRun).where(PlanRun.published.is_(True)).order_by(PlanRun.id.desc())
        ).first()
        if run is None:
            raise NotFound("no plan has been published yet; POST /api/v1/plan-runs")
        return _run(run)


def run_lines(sessions, run_id: int, type_: str, limit: int, offset: int):
    get_run(sessions, run_id)
    with read_only(sessions) as s:
        return repo.list_lines(s, type_=type_, plan_run_id=run_id, limit=limit, offset=offset)


@dataclass(frozen=True)
class ForecastRow:
    item_id: str
    location_id: str
    date: date
    mean: float
    p10: float
    p50: float
    p90: float
    quantiles: dict
    model: str


def run_forecasts(
    sessions, run_id: int, item_id: str | None, location_id: str | None, limit: int, offset: int
):
    get_run(sessions, run_id)
    with read_only(sessions) as s:
        conds = [Forecast.plan_run_id == run_id]
        if item_id:
            conds.append(Forecast.item_id == item_id)
        if location_id:
            conds.append(Forecast.location_id == location_id)
        total = s.scalar(select(func.count()).select_from(Forecast).where(*conds))
        rows = s.scalars(
            select(Forecast)
            .where(*conds)
            .order_by(Forecast.item_id, Forecast.location_id, Forecast.date)
            .limit(limit)
            .offset(offset)
        )
        return [
            ForecastRow(
                r.item_id,
                r.location_id,
                r.date,
                r.mean,
                r.p10,
                r.p50,
                r.p90,
                dict(r.quantiles or {}),
                r.model,
            )
            for r in rows
        ], int(total or 0)


@dataclass(frozen=True)
class AlertRow:
    id: int
    plan_run_id: int | None
    type: str
    severity: str
    item_id: str | None
    location_id: str | None
    message: str
    status: str
    created_at: datetime


def alerts(
    sessions, run_id: int | None, severity: str | None, type_: str | None, limit: int, offset: int
):
    if run_id is None:
        run_id = current_run(sessions).id
    else:
        get_run(sessions, run_id)
    with read_only(sessions) as s:
        conds = [Alert.plan_run_id == run_id]
        if severity:
            conds.append(Alert.severity == severity)
        if type_:
            conds.append(Alert.type == type_)
        total = s.scalar(select(func.count()).select_from(Alert).where(*conds))
        rows = s.scalars(select(Alert).where(*conds).order_by(Alert.id).limit(limit).offset(offset))
        return [
            AlertRow(
                r.id,
                r.plan_run_id,
                r.type,
                r.severity,
                r.item_id,
                r.location_id,
                r.message,
                r.status,
                repo.aware(r.created_at),
            )
            for r in rows
        ], int(total or 0)


@dataclass(frozen=True)
class ScenarioInfo:
    id: int
    name: str
    description: str | None
    spec: dict
    updated_at: datetime


def _scenario(r: Scenario) -> ScenarioInfo:
    return ScenarioInfo(r.id, r.name, r.description, dict(r.spec or {}), repo.aware(r.updated_at))


def create_scenario(
    sessions, principal: Principal, name: str, description: str | None, spec: dict
) -> ScenarioInfo:
    with unit_of_work(sessions) as s:
        if s.scalars(select(Scenario).where(Scenario.name == name)).first() is not None:
            raise Conflict(f"a scenario named {name!r} exists already")
        row = Scenario(
            name=name, description=description, spec=spec, source=f"api:{principal.actor}"[:64]
        )
        s.add(row)
        s.flush()
        return _scenario(row)


def list_scenarios(sessions, limit: int, offset: int):
    with read_only(sessions) as s:
        total = s.scalar(select(func.count()).select_from(Scenario))
        rows = s.scalars(select(Scenario).order_by(Scenario.id).limit(limit).offset(offset))
        return [_scenario(r) for r in rows], int(total or 0)


def get_scenario(sessions, scenario_id: int) -> ScenarioInfo:
    with read_only(sessions) as s:
        row = s.get(Scenario, scenario_id)
        if row is None:
            raise NotFound(f"scenario {scenario_id} not found")
        return _scenario(row)
