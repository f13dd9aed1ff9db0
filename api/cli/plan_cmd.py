"""``stockpilot plan``, ``scenario run|compare``, ``backtest``, ``alerts`` and
``bench backtest`` (thin: parse, call :mod:`scenarios`, print)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import click

from api.cli.errors import CliError

DATE = click.DateTime(formats=["%Y-%m-%d"])
HEADLINE = ("fill_rate", "cycle_service_level", "stockout_days", "lost_sales_units", "turnover_days",
            "slow_moving_rate", "aged_stock_rate", "avg_inventory_value", "avg_working_capital",
            "cycle_time_days", "presale_share", "total_cost")


def _load(data_dir):
    from scenarios.datasets.files import read_dir
    from scenarios.datasets.sample import sample_dir

    return read_dir(data_dir or sample_dir())


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    v = float(v)
    if abs(v) >= 1e5:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:,.1f}"
    return f"{v:.4g}"


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


def _kpi_table(result) -> str:
    ci = result.kpi_intervals.set_index("kpi")
    rows = [[k, _fmt(ci.loc[k, "mean"]), f"[{_fmt(ci.loc[k, 'ci_low'])}, {_fmt(ci.loc[k, 'ci_high'])}]"]
            for k in HEADLINE if k in ci.index]
    return _table(rows, ["KPI", "mean", "95% interval"])


def _progress(stage) -> None:
    click.echo(f"  {stage.name:<15} {stage.status:<24} {stage.seconds:6.1f} s  {stage.detail}", err=True)


def _request(as_of, horizon, spec, seed, reps, engine="local", engine_address=None):
    from scenarios.pipeline import PlanRequest

    return PlanRequest(as_of=as_of, horizon_weeks=horizon, spec=spec, seed=seed, n_reps=reps,
                       engine=engine, engine_address=engine_address)


def _run_one(data, spec, as_of, horizon, seed, reps, out, fmt, engine="local", engine_address=None):
    from scenarios.pipeline import run_plan
    from scenarios.publish import publish

    click.echo(f"plan: scenario {spec.name}, input {data.input_hash()[:12]}, seed {seed}", err=True)
    request = _request(as_of, horizon, spec, seed, reps, engine, engine_address)
    result = run_plan(data, request, progress=_progress)
    if out:
        paths = publish(result, out, fmt, history=data.sales)
        click.echo(f"  publish         ok {'':<21} wrote {len(paths)} files to {out}", err=True)
    return result


def _plan_options(f):
    for opt in reversed([
        click.option("--data", "data_dir", type=click.Path(exists=True, file_okay=False),
                     help="Folder of data files (default: the bundled sample)."),
        click.option("--as-of", type=DATE, help="Plan as of this date (default: end of the sales history)."),
        click.option("--horizon", type=click.IntRange(1, 104), default=8, show_default=True, help="Weeks to plan."),
        click.option("--seed", type=int, default=0, show_default=True, help="Seed of forecasts and simulation."),
        click.option("--reps", type=click.IntRange(2, 10000), default=100, show_default=True,
                     help="Monte Carlo demand paths for the KPIs."),
        click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True),
    ]):
        f = opt(f)
    return f


def register(cli: click.Group, bench: click.Group) -> None:
    @cli.command("plan")
    @_plan_options
    @click.option("--scenario", "scenario_path", type=click.Path(exists=True, dir_okay=False),
                  help="Scenario spec (YAML/JSON) to apply; default: the baseline.")
    @click.option("--out", type=click.Path(file_okay=False), default="plan-out", show_default=True,
                  help="Folder for plan files, kpis.json and charts (replaced atomically).")
    @click.option("--engine", type=click.Choice(["local", "dask", "spark"]), default="local", show_default=True,
                  help="Where the per-series forecasts run (see README: Scale-out).")
    @click.option("--engine-address", default=None,
                  help="Dask scheduler (tcp://host:8786) or Spark master URL; default: a local cluster.")
    def plan_cmd(data_dir, as_of, horizon, seed, reps, fmt, scenario_path, out, engine, engine_address):
        """Run the planning pipeline: forecast, presale, replenishment, allocation, simulation,
        KPIs and alerts; write the plan to --out and print the KPI summary."""
        from scenarios.spec import BASELINE, load_spec

        data = _load(data_dir)
        spec = load_spec(scenario_path) if scenario_path else BASELINE
        result = _run_one(data, spec, as_of, horizon, seed, reps, out, fmt, engine, engine_address)
        skipped = [s.name for s in result.stages if s.status.startswith("skipped")]
        click.echo(_kpi_table(result))
        if skipped:
            click.echo(f"\nskipped (not available in this installation): {', '.join(skipped)}")
        if result.alerts is not None:
            counts = result.alerts["severity"].value_counts().to_dict()
            click.echo(f"alerts: {len(result.alerts)} ({', '.join(f'{v} {k}' for k, v in counts.items())}); "
                       f"see {Path(out) / 'alerts.csv'}")

    @cli.group("scenario")
    def scenario_group() -> None:
        """What-if scenarios: run specs against the same pinned baseline, compare KPIs."""

    @scenario_group.command("run")
    @click.argument("specs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
    @_plan_options
    @click.option("--out", type=click.Path(file_okay=False), default="scenarios-out", show_default=True,
                  help="Each run goes to OUT/<scenario name>/ (baseline included).")
    def scenario_run(specs, data_dir, as_of, horizon, seed, reps, fmt, out):
        """Run the baseline and each SPEC on the same inputs; print KPIs side by side."""
        from scenarios.pipeline import compare
        from scenarios.spec import BASELINE, load_spec, validate_against

        data = _load(data_dir)
        loaded = [load_spec(p) for p in specs]
        for s in loaded:            # every spec checked before anything runs
            validate_against(s, data)
        results = {}
        for s in [BASELINE] + loaded:
            results[s.name] = _run_one(data, s, as_of, horizon, seed, reps, Path(out) / s.name, fmt)
        click.echo(_compare_text(compare(results, HEADLINE)))

    @scenario_group.command("compare")
    @click.argument("runs", nargs=-1, required=True)
    @_plan_options
    @click.option("--png", type=click.Path(dir_okay=False), default="scenario-compare.png", show_default=True)
    def scenario_compare(runs, data_dir, as_of, horizon, seed, reps, fmt, png):
        """Compare RUNS side by side: each a published run folder (with kpis.json), a spec file
        (run now) or the word 'baseline'. Deltas are against the first."""
        import pandas as pd

        from scenarios.pipeline import run_plan
        from scenarios.spec import BASELINE, load_spec

        if len(runs) < 2:
            raise CliError("scenario compare needs at least two runs")
        columns, data = {}, None
        for r in runs:
            p = Path(r)
            if p.is_dir():
                doc_path = p / "kpis.json"
                if not doc_path.exists():
                    raise CliError(f"{r}: no kpis.json in this folder (not a published run)")
                doc = json.loads(doc_path.read_text())
                columns[doc["scenario"]["name"] + ("" if doc["scenario"]["name"] not in columns else f" ({r})")] = doc["kpis"]
                continue
            if r != "baseline" and not p.exists():
                raise CliError(f"{r}: neither a run folder, a spec file nor 'baseline'")
            data = data if data is not None else _load(data_dir)
            spec = BASELINE if r == "baseline" else load_spec(p)
            res = run_plan(data, _request(as_of, horizon, spec, seed, reps), progress=_progress)
            columns[spec.name] = res.kpis
        frame = pd.DataFrame(columns).reindex(list(HEADLINE))
        names = list(columns)
        for n in names[1:]:
            frame[f"Δ {n}"] = frame[n] - frame[names[0]]
        click.echo(_compare_text(frame))
        _compare_png(frame, names, png)
        click.echo(f"chart: {png}")

    @cli.command("backtest")
    @click.option("--data", "data_dir", type=click.Path(exists=True, file_okay=False),
                  help="Folder of data files (default: the bundled sample).")
    @click.option("--start", type=DATE, help="First replayed day (default: 26 weeks into the history).")
    @click.option("--end", type=DATE, help="Last replayed day (default: end of the history).")
    @click.option("--policy", "policies", multiple=True, type=click.Choice(["stockpilot", "minmax", "order_up_to"]),
                  help="Rule(s) to replay (repeatable; default: all three).")
    @click.option("--mode", type=click.Choice(["lost_sales", "backorder"]), default="lost_sales", show_default=True)
    @click.option("--service-level", type=click.FloatRange(0.5, 0.9999), default=0.95, show_default=True,
                  help="stockpilot's target cycle service level.")
    @click.option("--promo-calendar/--no-promo-calendar", default=True, show_default=True,
                  help="Let stockpilot's forecasts see the planned promotions (sales 'promo') ahead.")
    @click.option("--seed", type=int, default=0, show_default=True)
    @click.option("--plot", type=click.Path(dir_okay=False), help="Write the comparison as PNG.")
    def backtest_cmd(data_dir, start, end, policies, mode, service_level, promo_calendar, seed, plot):
        """Replay real sales day by day under each rule, re-planning with only the data known
        then, and print the KPIs side by side."""
        from scenarios.backtest import (
            POLICIES,
            BacktestConfig,
            comparison_table,
            plot_comparison,
            run_backtest,
        )

        data = _load(data_dir)
        cfg = BacktestConfig(start=start, end=end, mode=mode, service_level=service_level, seed=seed,
                             use_promo_calendar=promo_calendar)
        res = run_backtest(data, policies or POLICIES, cfg, progress=lambda n: click.echo(f"  replaying {n} ...", err=True))
        any_r = next(iter(res.values()))
        click.echo(f"backtest {any_r.start.date()} .. {any_r.end.date()}, {len(any_r.series)} item-warehouses, "
                   f"{mode}, first {cfg.warmup_weeks} weeks warm-up")
        table = comparison_table(res, HEADLINE)
        rows = [[k] + [_fmt(table.loc[k, c]) for c in table.columns] for k in table.index]
        click.echo(_table(rows, ["KPI"] + list(table.columns)))
        if plot:
            plot_comparison(res, plot)
            click.echo(f"chart: {plot}")

    @cli.command("alerts")
    @click.option("--data", "data_dir", type=click.Path(exists=True, file_okay=False),
                  help="Folder of data files (default: the bundled sample).")
    @click.option("--as-of", type=DATE, help="Date of the check (default: end of the sales history).")
    @click.option("--severity", type=click.Choice(["high", "medium", "low"]), help="Only this severity and above.")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
    def alerts_cmd(data_dir, as_of, severity, as_json):
        """List alerts: projected stock-outs, excess and slow-moving stock, turnover, new-item
        stalls, supplier confirmations, demand drops."""
        from scenarios.alerts import SEVERITY_ORDER, compute_alerts

        frame = compute_alerts(_load(data_dir), as_of)
        if severity:
            frame = frame[frame["severity"].map(SEVERITY_ORDER) <= SEVERITY_ORDER[severity]]
        if as_json:
            for rec in frame.to_dict("records"):
                click.echo(json.dumps({k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                                       for k, v in rec.items()}))
            return
        rows = [[r.severity, r.type, r.item_id or "", r.location_id or "", r.message] for r in frame.itertuples()]
        click.echo(_table(rows, ["severity", "type", "item", "location", "message"]) if rows else "no alerts")

    @bench.command("backtest")
    @click.option("--sales", type=click.Path(exists=True, dir_okay=False),
                  help="Sales file (sales shape or a shared/data/sales file); default: the bundled sample.")
    @click.option("--seed", type=int, default=7, show_default=True, help="Seed of the supply-side generator and the replay.")
    @click.option("--service-level", type=click.FloatRange(0.5, 0.9999), default=0.95, show_default=True)
    @click.option("--promo-calendar/--no-promo-calendar", default=True, show_default=True,
                  help="Let stockpilot's forecasts see the planned promotions ahead.")
    def bench_backtest_cmd(sales, seed, service_level, promo_calendar):
        """Backtest stockpilot against ERP min/max and periodic order-up-to on real sales; JSON."""
        from scenarios.backtest import BacktestConfig, bench_backtest

        cfg = BacktestConfig(service_level=service_level, seed=seed, use_promo_calendar=promo_calendar)
        out = bench_backtest(sales, seed, cfg,
                             progress=lambda n: click.echo(f"replaying {n} ...", err=True))
        click.echo(json.dumps(out, indent=2))


def _compare_text(frame) -> str:
    rows = [[k] + [_fmt(frame.loc[k, c]) for c in frame.columns] for k in frame.index]
    return _table(rows, ["KPI"] + [str(c) for c in frame.columns])


def _compare_png(frame, names, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    show = [k for k in ("fill_rate", "stockout_days", "turnover_days", "avg_inventory_value", "total_cost",
                        "presale_share") if k in frame.index]
    fig, axes = plt.subplots(1, len(show), figsize=(3 * len(show), 3.6))
    for ax, k in zip(np.atleast_1d(axes), show):
        vals = [frame.loc[k, n] for n in names]
        ax.bar(range(len(names)), [0 if not np.isfinite(v) else v for v in vals])
        ax.set_xticks(range(len(names)), names, rotation=45, ha="right", fontsize=7)
        ax.set_title(k, fontsize=9)
    fig.suptitle("Scenario comparison (KPI means)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
