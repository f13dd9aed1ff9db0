"""``stockpilot presale plan`` and ``stockpilot bench presale``.

Thin: parse options, call :mod:`scenarios.presale` / :mod:`optimizer.presale`, print. The
database variant (``presale plan CAMPAIGN_ID`` without ``--data``) is wired by the service
layer; until then it says so.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys

import click

from api.cli.errors import CliError


@contextlib.contextmanager
def _stdout_to_stderr():
    """Send everything written to file descriptor 1 (HiGHS prints a banner there from C) to
    stderr while solving, so ``--json`` output on stdout stays parseable."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _print_report(out: dict, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(out, indent=2, default=str))
        return
    click.echo(
        f"campaign {out['campaign_id']} (item {out['item_id']}), planned as of {out['as_of']}"
    )
    click.echo(
        f"{'type':4} {'source':8} {'stage':8} {'order':>10} {'due':>10} {'qty':>10} "
        f"{'range':>19} {'prob':>5}"
    )
    for r in out["plan"]:
        rng = f"{r['qty_min_units']:.0f}-{r['qty_max_units']:.0f}"
        click.echo(
            f"{r['type']:4} {r['source_id']:8} {r['stage']:8} {r['order_date']:>10} "
            f"{r['due_date']:>10} "
            f"{r['qty_units']:10.0f} {rng:>19} {r['probability']:5.2f}"
        )
    click.echo(f"committed now: {out['committed_units']:.0f} units")
    click.echo(
        f"expected profit: {out['expected_profit']:.2f} +/- {out['profit_ci95']:.2f} (95% CI), "
        f"std {out['profit_std']:.2f}, p05..p95 {out['profit_p05']:.2f}..{out['profit_p95']:.2f}"
    )
    click.echo(
        f"stock-out probability: {out['stockout_probability']:.3f}; expected leftover: "
        f"{out['expected_leftover_units']:.1f} units; "
        f"turnover: {out['expected_turnover_days']:.1f} days"
    )
    click.echo(
        f"presale share: {out['presale_share']:.3f}; "
        f"recommended presale share: {out['recommended_presale_share']}"
    )
    click.echo(f"value of presale information: {out['value_of_presale_information']}")
    for note in out["notes"]:
        click.echo(f"note: {note}")


def register(cli: click.Group, bench: click.Group) -> None:
    @cli.group()
    def presale() -> None:
        """Presale (pre-order with deposits) production planning."""

    @presale.command("plan")
    @click.argument("campaign_id", required=False)
    @click.option(
        "--file",
        "file_",
        type=click.Path(exists=True, dir_okay=False),
        help="Campaign JSON document (schema: docs/readme/presale.md).",
    )
    @click.option(
        "--data",
        "data_dir",
        type=click.Path(exists=True, file_okay=False),
        help="Folder of data files (presales, presale_deposits, items, itemsuppliers, ...).",
    )
    @click.option(
        "--scenarios",
        "n_scenarios",
        type=click.IntRange(min=1),
        default=None,
        help="SAA scenarios (default: the document's settings, else 1000).",
    )
    @click.option("--seed", type=int, default=None, help="Sampling seed.")
    @click.option("--backend", default=None, help="Solver backend (cbc, highs, ...; default cbc).")
    @click.option(
        "--eval-samples",
        type=click.IntRange(min=100),
        default=10_000,
        show_default=True,
        help="Fresh Monte Carlo samples for the evaluation.",
    )
    @click.option(
        "--mip-gap",
        type=click.FloatRange(min=0, max=1, max_open=True),
        default=None,
        help="Relative MIP gap (default 0.005).",
    )
    @click.option("--no-sweep", is_flag=True, help="Skip the presale-share sweep (faster).")
    @click.option(
        "--sweep-scenarios",
        type=click.IntRange(min=10),
        default=300,
        show_default=True,
        help="SAA scenarios per point of the presale-share sweep.",
    )
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
    def plan(
        campaign_id,
        file_,
        data_dir,
        n_scenarios,
        seed,
        backend,
        eval_samples,
        mip_gap,
        no_sweep,
        sweep_scenarios,
        as_json,
    ) -> None:
        """Plan production for a presale campaign: commit now, recourse after final payments.

        Give a campaign document with --file, or a CAMPAIGN_ID (read from the database, where
        its plan is stored as proposed MO/PO lines; or from a folder with --data DIR). Prints the plan
        (MO/PO batches per week and source), the stock-out probability, expected leftover,
        expected profit with its spread, turnover days, the recommended presale share and the
        value of presale information. Money is in the campaign's currency, quantities in units.
        """
        from optimizer.presale.analysis import DEFAULT_SHARES
        from optimizer.solver import SolverOptions
        from scenarios.presale import DEFAULT_OPTIONS

        options = SolverOptions(
            backend=backend or DEFAULT_OPTIONS.backend,
            mip_gap=DEFAULT_OPTIONS.mip_gap if mip_gap is None else mip_gap,
            time_limit_s=DEFAULT_OPTIONS.time_limit_s,
        )
        shares = () if no_sweep else DEFAULT_SHARES
        if file_ and (campaign_id or data_dir):
            raise CliError("give either --file CAMPAIGN.json or CAMPAIGN_ID [--data DIR], not both")
        if file_:
            from optimizer.presale import plan_presale, problem_from_dict
            from optimizer.presale.outputs import report_dict

            try:
                with open(file_, encoding="utf-8") as fh:
                    doc = json.load(fh)
            except json.JSONDecodeError as exc:
                raise CliError(f"{file_}: not valid JSON ({exc})") from None
            problem = problem_from_dict(doc, n_scenarios=n_scenarios, seed=seed)
            with _stdout_to_stderr():
                report = plan_presale(
                    problem,
                    options,
                    n_eval_samples=eval_samples,
                    shares=shares,
                    share_scenarios=sweep_scenarios,
                )
            _print_report(report_dict(problem, report), as_json)
            return
        if not campaign_id:
            raise CliError("give a CAMPAIGN_ID (with --data DIR) or --file CAMPAIGN.json")
        kwargs = dict(
            options=options,
            n_scenarios=n_scenarios or 1000,
            seed=seed or 0,
            shares=shares,
            eval_samples=eval_samples,
            share_scenarios=sweep_scenarios,
        )
        if not data_dir:
            # the database: plan and store the lines as proposals (api.services.stage_runs)
            from api.cli.data_cmd import ensure_schema
            from api.services.stage_runs import run_presale

            ensure_schema()
            with _stdout_to_stderr():
                result, stored = run_presale(campaign_id, **kwargs)
            _print_report(result.metrics, as_json)
            click.echo(
                f"stored {stored['lines']} proposed line(s) under plan run {stored['plan_run_id']}",
                err=True,
            )
            return
        from scenarios.datasets.files import read_dir
        from scenarios.presale import plan_campaign

        data = read_dir(data_dir, require=("items", "presales", "itemsuppliers"))
        with _stdout_to_stderr():
            result = plan_campaign(data, campaign_id, **kwargs)
        _print_report(result.metrics, as_json)

    @bench.command("presale")
    @click.option(
        "--data",
        "data_dir",
        type=click.Path(exists=True, file_okay=False),
        default=None,
        help="Folder of data files with presale campaigns (default: the bundled sample).",
    )
    @click.option(
        "--scenarios", "n_scenarios", type=click.IntRange(min=10), default=1000, show_default=True
    )
    @click.option(
        "--sweep-scenarios",
        type=click.IntRange(min=10),
        default=500,
        show_default=True,
        help="SAA scenarios per point of the presale-share sweep.",
    )
    @click.option(
        "--reference-time-limit",
        type=float,
        default=120.0,
        show_default=True,
        help="Time limit (s) of the reference solve.",
    )
    @click.option(
        "--plot",
        "plot_path",
        type=click.Path(dir_okay=False),
        default="presale_share.png",
        show_default=True,
        help="PNG of profit and turnover days against presale share.",
    )
    @click.option(
        "--mip-gap",
        type=click.FloatRange(min=0, max=1, max_open=True),
        default=0.005,
        show_default=True,
        help="Relative MIP gap for HiGHS and the CBC reference.",
    )
    @click.option(
        "--time-limit",
        type=float,
        default=120.0,
        show_default=True,
        help="Time limit (s) of the main solves.",
    )
    @click.option("--backend", default="cbc", show_default=True, help="Backend measured.")
    @click.option(
        "--reference-backend", default="highs", show_default=True, help="Named reference backend."
    )
    def bench_presale(
        data_dir,
        n_scenarios,
        sweep_scenarios,
        reference_time_limit,
        plot_path,
        mip_gap,
        time_limit,
        backend,
        reference_backend,
    ) -> None:
        """SAA solve time at 1,000 scenarios (CBC vs the HiGHS reference, and the SAA vs the
        newsvendor closed form on the single-stage version), and profit / turnover days as the
        presale share goes from 0% to 60%. Prints JSON; writes the PNG."""
        from optimizer.presale.bench import run_presale_bench
        from optimizer.solver import SolverOptions
        from scenarios.datasets.files import read_dir
        from scenarios.datasets.sample import sample_dir
        from scenarios.presale import bench_problems

        folder = data_dir or str(sample_dir())
        data = read_dir(folder, require=("items", "presales", "itemsuppliers"))
        problems = bench_problems(data, n_scenarios=n_scenarios)
        if not problems:
            raise CliError(f"{folder}: no open presale campaign to benchmark")
        with _stdout_to_stderr():
            result = run_presale_bench(
                problems,
                sweep_scenarios=sweep_scenarios,
                reference_time_limit_s=reference_time_limit,
                plot_path=plot_path,
                options=SolverOptions(backend=backend, mip_gap=mip_gap, time_limit_s=time_limit),
                reference_backend=reference_backend,
            )
        result["data"] = folder
        click.echo(json.dumps(result, indent=2, default=str))
