"""``stockpilot presale plan``: campaign file and data folder, JSON output, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli.main import main
from scenarios.datasets.files import read_dir
from scenarios.datasets.sample import sample_dir
from scenarios.presale import campaign_problem, operationplan_rows

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "scenarios" / "specs" / "presale_campaign_example.json"
)
# presale plans default to CBC, which solver.py builds through PuLP's PULP_CBC_CMD; PuLP 3.3
# flags that class for its 4.0 rename
pytestmark = pytest.mark.filterwarnings("ignore:PULP_CBC_CMD is deprecated:DeprecationWarning")

KEYS = {
    "plan",
    "stockout_probability",
    "expected_leftover_units",
    "expected_profit",
    "profit_std",
    "profit_ci95",
    "expected_turnover_days",
    "recommended_presale_share",
    "value_of_presale_information",
    "share_sweep",
}


def run_cli(*argv) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "api.cli.main", *argv], capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_plan_from_file_prints_json_with_every_output():
    proc = run_cli(
        "presale",
        "plan",
        "--file",
        str(EXAMPLE),
        "--scenarios",
        "100",
        "--eval-samples",
        "2000",
        "--sweep-scenarios",
        "40",
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)  # stdout is pure JSON (solver banners go to stderr)
    assert KEYS <= set(out)
    assert out["plan"] and {r["type"] for r in out["plan"]} <= {"MO", "PO"}
    assert all(r["qty_units"] > 0 for r in out["plan"])
    assert 0 <= out["stockout_probability"] <= 1 and out["expected_turnover_days"] > 0
    assert [p["presale_share_target"] for p in out["share_sweep"]] == [
        0.0,
        0.1,
        0.2,
        0.3,
        0.4,
        0.5,
        0.6,
    ]
    assert out["recommended_presale_share"] in [
        p["presale_share_target"] for p in out["share_sweep"]
    ]
    assert out["value_of_presale_information"] is not None


def test_plan_from_sample_data_folder(capsys):
    code = main(
        [
            "presale",
            "plan",
            "PS-NEW01-3",
            "--data",
            str(sample_dir()),
            "--scenarios",
            "60",
            "--eval-samples",
            "500",
            "--no-sweep",
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["campaign_id"] == "PS-NEW01-3" and out["plan"]
    assert {r["type"] for r in out["plan"]} == {"PO"}  # the sample sources NEW01 from supplier S1


def test_operationplan_rows_from_sample():
    from optimizer.presale import plan_presale
    from optimizer.solver import SolverOptions

    data = read_dir(sample_dir())
    problem = campaign_problem(data, "PS-NEW02-3", n_scenarios=40)
    assert problem.sources[0].moq_units == 500 and problem.sources[0].case_pack_units == 50
    assert problem.sources[0].lead_time_weeks == 3  # 21 days
    report = plan_presale(
        problem,
        SolverOptions(mip_gap=1e-3, time_limit_s=20),
        n_eval_samples=300,
        with_vpi=False,
        shares=(),
    )
    rows = operationplan_rows(problem, report)
    assert set(rows["type"]) == {"PO"} and (rows["supplier_id"] == "S1").all()
    assert (rows["status"] == "proposed").all() and (rows["due_date"] >= rows["order_date"]).all()
    assert (rows["quantity_proposed"] >= 0).all() and rows["reference"].is_unique
    commits = rows[[r["stage"] == "commit" for r in rows["reasons"]]]
    assert (commits["quantity_proposed"] >= 500 - 1e-6).all()
    assert all(abs(q / 50 - round(q / 50)) < 1e-6 for q in commits["quantity_proposed"])


@pytest.mark.parametrize(
    "argv, message",
    [
        (["presale", "plan"], "give a CAMPAIGN_ID"),
        (
            ["presale", "plan", "NOPE", "--data", "scenarios/sample"],
            "campaign_id='NOPE': no such presale campaign",
        ),
    ],
)
def test_user_mistakes_give_one_line(argv, message, capsys):
    root = Path(__file__).resolve().parents[2]
    argv = [a if a != "scenarios/sample" else str(root / a) for a in argv]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_unknown_campaign_in_the_database_is_one_line(db, capsys):
    assert main(["presale", "plan", "PS-1"]) == 1
    err = capsys.readouterr().err
    assert "campaign_id='PS-1': no such presale campaign" in err and "Traceback" not in err


def test_bad_campaign_file_names_the_field(tmp_path, capsys):
    doc = json.loads(EXAMPLE.read_text())
    doc["campaign"]["conversion_rate"] = 1.3
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    assert main(["presale", "plan", "--file", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: conversion_rate=1.3 (campaign PS-DEMO-1)") and "[0, 1]" in err
    bad.write_text("{not json")
    assert main(["presale", "plan", "--file", str(bad)]) == 1
    assert "not valid JSON" in capsys.readouterr().err


def test_spot_demand_from_a_forecast_frame():
    import pandas as pd

    data = read_dir(sample_dir())
    plain = campaign_problem(data, "PS-NEW01-3", n_scenarios=10)
    launch = pd.Timestamp(plain.campaign.launch_date)
    # forecasting output shape: daily rows for two locations; weekly sums from the launch date
    days = pd.date_range(launch - pd.Timedelta(days=7), periods=7 * 4, freq="D")
    frame = pd.concat(
        [
            pd.DataFrame(
                {
                    "item_id": "NEW01",
                    "location_id": loc,
                    "date": days,
                    "mean": 10.0,
                    "p10": 6.0,
                    "p50": 10.0,
                    "p90": 14.0,
                    "model": "test",
                }
            )
            for loc in ("W1", "W2")
        ]
    )
    problem = campaign_problem(data, "PS-NEW01-3", n_scenarios=10, spot_forecast=frame)
    assert problem.spot.mean_per_week == (140.0, 140.0, 140.0)  # 7 days x 2 locations x 10
    sd = 8.0 / 2.563  # (p90 - p10) / (2 z_0.9) per row, independent rows
    assert problem.spot.std_per_week[0] == pytest.approx((14 * sd**2) ** 0.5)
    assert plain.spot.mean_per_week != problem.spot.mean_per_week
