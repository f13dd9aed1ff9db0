"""The planning run — stockpilot's main job.

``load → apply scenario → forecast → presale plan → replenishment → allocation/transfers →
simulate → KPIs → alerts → publish``

:func:`run_plan` takes the loaded :class:`~scenarios.datasets.planning_data.PlanningData` and a
:class:`PlanRequest` and returns a :class:`PlanResult` (frames and dicts, nothing written);
:func:`scenarios.publish.publish` writes it to a folder atomically. Callers (CLI, API jobs)
load the data, call these two and store what they need.

Stages
------
* **apply scenario** — :func:`scenarios.spec.apply` (validated against the data first).
* **forecast** — :func:`forecasting.forecast` on the sales up to ``as_of`` (item × sales
  location, the data's bucket), buckets relabelled to start on the day after ``as_of`` (the
  forecasting package labels a week by its ISO Monday), then
  :func:`scenarios.spec.adjust_forecast`.
* **presale / replenishment / allocation** — ``scenarios.presale``, ``scenarios.replenish``
  and ``scenarios.allocate`` when those modules exist; a missing one is reported as
  ``skipped: not available`` and nothing is put in its place.
* **simulate** — the proposed purchase orders (none when replenishment is skipped: then the
  run evaluates the stock on hand alone, and says so) replayed day by day over the horizon at
  item × warehouse level against ``n_reps`` demand paths drawn from the forecast quantiles
  (:mod:`scenarios.simulation.montecarlo`); each sales location's demand goes to its cheapest open warehouse that
  day (a closed warehouse's stores move to the next one, as in the backtest).
  Stock at the start is the ``buffers`` file. Transfers (allocation) are not simulated yet; the
  stage report says how many were left out.
* **KPIs** — :func:`scenarios.simulation.summarize` per replication, mean and confidence
  interval per KPI.
* **alerts** — :func:`scenarios.alerts.compute_alerts` with the run's forecasts.

Reproducible: the result records the input hash (before and after the scenario), the package,
library and solver versions, and the seed; the same inputs and seed give the same plan.
"""

from __future__ import annotations

import importlib
import importlib.util
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scenarios.datasets.planning_data import PlanningData
from scenarios.spec import BASELINE, ScenarioSpec

STAGES = ("apply scenario", "forecast", "presale plan", "replenishment", "allocation", "simulate",
          "kpis", "alerts")
SKIPPED = "skipped: not available"


@dataclass(frozen=True)
class PlanRequest:
    as_of: pd.Timestamp | None = None     # default: the last day of the sales history
    horizon_weeks: int = 8
    spec: ScenarioSpec = BASELINE
    seed: int = 0
    n_reps: int = 100
    service_level: float = 0.95
    forecast_models: str = "auto"
    presale_scenarios: int = 50
    presale_time_limit_s: float = 30.0
    engine: str = "local"                 # local | dask | spark (scenarios.engines)
    engine_address: str | None = None     # Dask scheduler or Spark master; None: local cluster

    def __post_init__(self):
        if not isinstance(self.horizon_weeks, int) or not 1 <= self.horizon_weeks <= 104:
            raise ValueError(f"horizon_weeks must be a whole number of weeks in 1..104, got {self.horizon_weeks!r}")
        if self.n_reps < 2:
            raise ValueError("n_reps must be at least 2")
        if not 0 < self.service_level < 1:
            raise ValueError("service_level must be in (0, 1)")


@dataclass
class StageReport:
    name: str
    status: str          # "ok", "skipped: not available", or "ok: <note>"
    seconds: float = 0.0
    detail: str = ""


@dataclass
class PlanResult:
    scenario: ScenarioSpec
    as_of: pd.Timestamp
    horizon_weeks: int
    seed: int
    input_hash: str
    scenario_input_hash: str
    versions: dict
    stages: list[StageReport] = field(default_factory=list)
    forecasts: pd.DataFrame | None = None
    purchase_orders: pd.DataFrame | None = None
    transfers: pd.DataFrame | None = None
    presale_plan: pd.DataFrame | None = None
    allocation: dict | None = None           # the allocation stage's other frames (targets, flows, ...)
    kpis: dict = field(default_factory=dict)
    kpi_intervals: pd.DataFrame | None = None
    series_kpis: pd.DataFrame | None = None
    projection: pd.DataFrame | None = None   # date, on_hand p10/p50/p90 (all series, value)
    alerts: pd.DataFrame | None = None

    def stage(self, name: str) -> StageReport:
        return next(s for s in self.stages if s.name == name)

    def metadata(self) -> dict:
        return {"scenario": self.scenario.to_dict(), "as_of": str(self.as_of.date()),
                "horizon_weeks": self.horizon_weeks, "seed": self.seed, "input_hash": self.input_hash,
                "scenario_input_hash": self.scenario_input_hash, "versions": self.versions,
                "stages": [{"name": s.name, "status": s.status, "seconds": round(s.seconds, 3),
                            "detail": s.detail} for s in self.stages]}


def versions() -> dict:
    """Versions of stockpilot, its numeric libraries and its solvers."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("stockpilot", "numpy", "pandas", "scipy", "statsforecast", "prophet"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    from optimizer.solver import solver_versions

    out.update({f"solver:{k}": v for k, v in solver_versions().items()})
    return out


def stage_function(module: str, name: str) -> Callable | None:
    """``module.name`` if that module exists in this installation and defines it, else None."""
    if importlib.util.find_spec(module) is None:
        return None
    return getattr(importlib.import_module(module), name, None)


def _freq(data: PlanningData) -> str:
    from scenarios.simulation.network import bucket_days

    width = bucket_days(data.sales)
    return "D" if width == 1 else "W" if width <= 7 else "M"


def _width(data: PlanningData) -> int:
    return {"D": 1, "W": 7, "M": 30}[_freq(data)]


def _relabel(fc: pd.DataFrame, as_of: pd.Timestamp, width: int) -> pd.DataFrame:
    """Bucket k of the forecast starts on ``as_of + 1 + k·width`` days: the forecasting package
    labels weekly buckets by their ISO Monday, a plan counts weeks from the day after as_of."""
    order = sorted(pd.to_datetime(fc["date"]).unique())
    start = as_of + pd.Timedelta(days=1)
    shift = {d: start + pd.Timedelta(days=width * k) for k, d in enumerate(order)}
    return fc.assign(date=pd.to_datetime(fc["date"]).map(shift))


def _forecast(data: PlanningData, req: PlanRequest, as_of: pd.Timestamp) -> pd.DataFrame:
    from forecasting import forecast

    hist = data.sales[data.sales["date"] <= as_of]
    cols = ["item_id", "location_id", "date", "qty"] + [c for c in ("promo",) if c in hist.columns]
    freq = _freq(data)
    per_week = {"D": 7, "W": 1, "M": 0.25}[freq]
    horizon = max(1, int(np.ceil(req.horizon_weeks * per_week)))
    kwargs = dict(horizon=horizon, freq=freq, models=req.forecast_models,
                  categories=data.items[["item_id", "category"]], seed=req.seed)
    if req.engine == "local":
        return forecast(hist[cols], n_jobs=1, **kwargs).forecasts
    from scenarios.engines import engine_mapper

    with engine_mapper(req.engine, req.engine_address) as mapper:
        return forecast(hist[cols], mapper=mapper, **kwargs).forecasts


def _call_stage(fn: Callable, **kwargs):
    """Call a stage function with the keyword arguments it accepts."""
    import inspect

    params = inspect.signature(fn).parameters
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return fn(**kwargs)
    return fn(**{k: v for k, v in kwargs.items() if k in params})


def _presale(fn: Callable, data: PlanningData, fc: pd.DataFrame, req: PlanRequest,
             as_of: pd.Timestamp) -> tuple[pd.DataFrame, str]:
    """Plan every open presale campaign with :func:`scenarios.presale.plan_campaign`."""
    from optimizer.solver import SolverOptions

    open_ids = sorted(data.presales.loc[data.presales["status"] == "open", "campaign_id"])
    if not open_ids:
        return pd.DataFrame(), "no open campaign"
    options = SolverOptions(mip_gap=1e-3, time_limit_s=req.presale_time_limit_s, seed=req.seed)
    parts, shares = [], []
    for cid in open_ids:
        plan = fn(data, cid, options=options, spot_forecast=fc, n_scenarios=req.presale_scenarios,
                  seed=req.seed, with_vpi=False, shares=(), eval_samples=2000)
        parts.append(plan.rows.assign(campaign_id=cid))
        shares.append(f"{cid}: presale share {plan.metrics.get('presale_share', float('nan')):.0%}")
    rows = pd.concat(parts, ignore_index=True)
    return rows, f"{len(open_ids)} campaigns, {len(rows)} lines ({'; '.join(shares)})"


def _replenish_options(req: PlanRequest) -> tuple[dict, str]:
    """The scenario's budget for :func:`scenarios.replenish.plan_replenishment`."""
    note = ""
    if req.spec.service_level_items:
        note = ("; per-item service levels of the scenario are not supported by the replenishment "
                "stage: it used the default level")
    if req.spec.budget_per_week is None:
        return {}, note
    from scenarios.replenish import ReplenishPlanOptions

    return {"options": ReplenishPlanOptions(budget_per_week=req.spec.budget_per_week)}, \
        f"; budget {req.spec.budget_per_week:,.0f} per week" + note


def _po_lines(pos: pd.DataFrame | None) -> pd.DataFrame:
    """Purchase-order lines as ``item_id, location_id, order_date, qty`` for the simulation."""
    if pos is None or pos.empty:
        return pd.DataFrame(columns=["item_id", "location_id", "order_date", "qty"])
    qty = next((c for c in ("qty", "quantity", "quantity_proposed") if c in pos.columns), None)
    when = next((c for c in ("order_date", "release_date") if c in pos.columns), None)
    if qty is None or when is None:
        raise ValueError("replenishment output lacks a quantity (qty / quantity_proposed) or an order_date column")
    return pd.DataFrame({"item_id": pos["item_id"], "location_id": pos["location_id"],
                         "order_date": pd.to_datetime(pos[when]).dt.normalize(), "qty": pos[qty].astype(float)})


def _simulate(data: PlanningData, req: PlanRequest, as_of: pd.Timestamp, forecasts: pd.DataFrame,
              pos: pd.DataFrame | None):
    from scenarios.simulation import PlanPolicy, SimulationConfig, forecast_sampler, monte_carlo
    from scenarios.simulation.network import closures, series_setup, serving_ranks

    dates = pd.date_range(as_of + pd.Timedelta(days=1), periods=7 * req.horizon_weeks, freq="D")
    ranks = serving_ranks(data)
    warehouses = sorted(set(ranks["warehouse_id"]))
    items = sorted(set(forecasts["item_id"]))
    keys = pd.DataFrame([(i, w) for i in items for w in warehouses], columns=["item_id", "location_id"])
    # each sales location is served by its cheapest open warehouse, day by day
    shut_wh = dict(zip(warehouses, closures(data, dates, warehouses)))
    serving = {}
    for loc, g in ranks.groupby("location_id"):
        order = list(g.sort_values("rank")["warehouse_id"])
        day = np.array([order[0]] * len(dates), dtype=object)
        taken = np.zeros(len(dates), bool)
        for w in order:
            pick = ~taken & ~shut_wh[w]
            day[pick] = w
            taken |= pick
        serving[loc] = day
    fc = forecasts   # buckets already start the day after as_of (see _relabel)
    setup = series_setup(data, keys, as_of=as_of)
    lines = _po_lines(pos)
    lines = lines[lines["order_date"].between(dates[0], dates[-1])]
    simulated = set(zip(setup["item_id"], setup["location_id"]))
    inside = pd.Series([k in simulated for k in zip(lines["item_id"], lines["location_id"])],
                       index=lines.index, dtype=bool)
    outside = int((~inside).sum())    # e.g. items without a forecast (no sales yet)
    lines = lines[inside]
    policy = PlanPolicy.from_lines(lines, setup, dates)
    shut = closures(data, dates, list(keys["location_id"]))
    cfg = SimulationConfig(mode="lost_sales", review_period_days=1, random_lead_times=True, seed=req.seed)
    sampler = forecast_sampler(fc, setup, dates, serving=serving)
    if req.spec.presale_share is not None:   # that share of the scoped items' demand is presold
        scoped = setup["item_id"].isin(req.spec.presale_items) if req.spec.presale_items else True
        setup = setup.assign(presale_fraction=np.where(scoped, req.spec.presale_share, 0.0))
    mc = monte_carlo(setup, sampler, policy, cfg, n_reps=req.n_reps, dates=dates, closed=shut)
    return mc, setup, dates, len(lines), outside


def _projection(mc, setup: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Projected stock value on hand (all series) per day: p10 / p50 / p90 over replications."""
    tr = mc.trace
    value = tr.on_hand * tr.setup["unit_cost"].to_numpy()[:, None]
    reps = tr.setup["rep"].to_numpy()
    per_rep = np.stack([value[reps == r].sum(axis=0) for r in np.unique(reps)])
    q = np.quantile(per_rep, [0.1, 0.5, 0.9], axis=0)
    return pd.DataFrame({"date": dates, "stock_value_p10": q[0], "stock_value_p50": q[1], "stock_value_p90": q[2]})


def run_plan(data: PlanningData, req: PlanRequest = PlanRequest(),
             progress: Callable[[StageReport], None] | None = None) -> PlanResult:
    """Run every available stage; ``progress`` is called with each finished stage's report."""
    from scenarios import spec as spec_mod
    from scenarios.alerts import compute_alerts
    from scenarios.simulation.network import history_end

    as_of = pd.Timestamp(req.as_of) if req.as_of is not None else history_end(data)
    first = data.sales["date"].min() if not data.sales.empty else None
    if first is None or as_of < first:
        raise ValueError(f"as_of {as_of.date()}: before the first sales date"
                         + (f" ({first.date()})" if first is not None else " (no sales history)"))
    result = PlanResult(scenario=req.spec, as_of=as_of, horizon_weeks=req.horizon_weeks, seed=req.seed,
                        input_hash=data.input_hash(), scenario_input_hash="", versions=versions())

    def done(name, t0, status="ok", detail=""):
        rep = StageReport(name, status, time.perf_counter() - t0, detail)
        result.stages.append(rep)
        if progress is not None:
            progress(rep)

    t = time.perf_counter()
    scen = spec_mod.apply(req.spec, data)
    result.scenario_input_hash = scen.input_hash()
    done("apply scenario", t, detail=req.spec.name)

    t = time.perf_counter()
    fc = _relabel(_forecast(scen, req, as_of), as_of, _width(scen))
    fc = spec_mod.adjust_forecast(req.spec, fc, scen, bucket_days=_width(scen))
    result.forecasts = fc
    done("forecast", t, detail=f"{fc[['item_id', 'location_id']].drop_duplicates().shape[0]} series, "
                                f"{fc['date'].nunique()} buckets")

    t = time.perf_counter()
    fn = stage_function("scenarios.presale", "plan_campaign")
    if fn is None:
        done("presale plan", t, SKIPPED, "scenarios.presale.plan_campaign is not in this installation")
    else:
        result.presale_plan, note = _presale(fn, scen, fc, req, as_of)
        done("presale plan", t, detail=note)

    service_level = req.spec.service_level_default or req.service_level
    common = dict(data=scen, forecasts=fc, as_of=as_of, horizon_weeks=req.horizon_weeks, seed=req.seed,
                  service_level=service_level, spec=req.spec)
    for stage, module, fname, attr in (("replenishment", "scenarios.replenish", "plan_replenishment", "purchase_orders"),
                                       ("allocation", "scenarios.allocate", "plan_allocation", "transfers")):
        t = time.perf_counter()
        fn = stage_function(module, fname)
        if fn is None:
            done(stage, t, SKIPPED, f"{module}.{fname} is not in this installation")
            continue
        extra, note = {}, ""
        if stage == "replenishment":
            extra, note = _replenish_options(req)
        out = _call_stage(fn, **common, **extra, purchase_orders=result.purchase_orders)
        if isinstance(out, dict):      # allocation: targets, flows, ..., transfers
            result.allocation = {k: v for k, v in out.items() if k != "transfers"}
            out = out.get("transfers")
        setattr(result, attr, out)
        done(stage, t, detail=f"{0 if out is None else len(out)} lines{note}")

    t = time.perf_counter()
    mc, setup, dates, n_lines, outside = _simulate(scen, req, as_of, fc, result.purchase_orders)
    note = (f"{n_lines} purchase-order lines, {req.n_reps} demand paths" if result.purchase_orders is not None
            else f"stock on hand only, no purchase orders (replenishment {SKIPPED}); {req.n_reps} demand paths")
    if outside:
        note += f"; {outside} lines for items without a forecast not simulated"
    if result.transfers is not None and len(result.transfers):
        note += f"; {len(result.transfers)} transfer lines not simulated"
    done("simulate", t, "ok", note)

    t = time.perf_counter()
    result.kpi_intervals = mc.summary
    result.kpis = dict(zip(mc.summary["kpi"], mc.summary["mean"]))
    from scenarios.simulation.summary import series_kpis

    sk = series_kpis(mc.trace)
    result.series_kpis = (sk.groupby(["item_id", "location_id"], as_index=False)
                          [["fill_rate", "stockout_days", "lost_units", "mean_on_hand", "turnover_days"]].mean())
    result.projection = _projection(mc, setup, dates)
    done("kpis", t, detail=f"{len(result.kpis)} KPIs, {int(mc.confidence * 100)}% intervals")

    t = time.perf_counter()
    result.alerts = compute_alerts(scen, as_of, forecasts=fc)
    done("alerts", t, detail=f"{len(result.alerts)} alerts")
    return result


def compare(results: dict[str, PlanResult], kpis=None) -> pd.DataFrame:
    """KPI × scenario table; for every scenario after the first, a ``Δ <name>`` column with its
    difference to the first (the baseline)."""
    names = list(results)
    frame = pd.DataFrame({n: results[n].kpis for n in names})
    if kpis:
        frame = frame.loc[[k for k in kpis if k in frame.index]]
    base = names[0]
    for n in names[1:]:
        frame[f"Δ {n}"] = frame[n] - frame[base]
    return frame
