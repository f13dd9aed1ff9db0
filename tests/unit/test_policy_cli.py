"""``stockpilot policy ...``: each calculator prints one JSON object with --json, reproducing the
textbook examples cited in the policy tests (Snyder & Shen 2nd ed. Examples 3.1, 3.9, 4.1, 4.7,
5.8; Chopra & Meindl's Lego fill-rate example), and bad input ends in one ``error:`` line."""

from __future__ import annotations

import json

import pytest

from api.cli.main import main


def _run(argv, capsys):
    code = main(argv)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


@pytest.mark.parametrize("argv, expected", [
    (["policy", "eoq", "--demand-rate", "1300", "--order-cost", "8", "--holding-cost", "0.225"],
     {"order_quantity": 304.0467800264368, "cost": 68.41052550594829}),
    (["policy", "newsvendor", "--demand-mean", "50", "--demand-std", "8", "--holding-cost", "0.18",
      "--stockout-cost", "0.70"], {"quantity": 56.60395592743389, "expected_cost": 1.9976051931766445}),
    (["policy", "ss", "--poisson-mean", "6", "--holding-cost", "1", "--stockout-cost", "4", "--order-cost", "5"],
     {"s": 4, "S": 10, "cost": 8.034111561471642}),
    (["policy", "rq", "--poisson-mean", "1.5", "--lead-time", "2", "--holding-cost", "20", "--stockout-cost", "150",
      "--order-cost", "100"], {"reorder_point": 3, "order_quantity": 5, "cost": 107.92358063314975}),
    (["policy", "lot-sizing", "--demand", "90,120,80,70", "--order-cost", "500", "--holding-cost", "2"],
     {"order_quantities": [210, 0, 150, 0], "cost": 1380}),
    (["policy", "lot-sizing", "--demand", "90,120,80,70", "--order-cost", "500", "--holding-cost", "2",
      "--method", "silver-meal"], {"order_quantities": [290, 0, 0, 70], "cost": 1560}),
])
def test_calculators_print_one_json_object(argv, expected, capsys):
    code, out, _ = _run([*argv, "--json"], capsys)
    assert code == 0
    got = json.loads(out)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-9)


def test_safety_stock_fill_rate_and_csl(capsys):
    code, out, _ = _run(["policy", "safety-stock", "--demand-mean", "2500", "--demand-std", "500", "--lead-time", "2",
                         "--fill-rate", "0.975", "--order-quantity", "10000", "--json"], capsys)
    got = json.loads(out)
    assert code == 0 and round(got["safety_stock"]) == 67
    assert set(got) >= {"safety_stock", "reorder_point", "order_up_to"}
    code, out, _ = _run(["policy", "safety-stock", "--demand-mean", "2500", "--demand-std", "500", "--lead-time", "7",
                         "--lead-time-std", "7", "--cycle-service-level", "0.9", "--json"], capsys)
    assert round(json.loads(out)["safety_stock"]) == 22491


def test_lot_sizing_per_period_costs(capsys):
    code, out, _ = _run(["policy", "lot-sizing", "--demand", "10,0,10", "--order-cost", "5,100,5",
                         "--holding-cost", "1", "--unit-cost", "1,1,1", "--json"], capsys)
    got = json.loads(out)
    assert got["order_quantities"] == [10, 0, 10] and got["cost"] == 5 + 10 + 5 + 10


@pytest.mark.parametrize("argv, message", [
    (["policy", "safety-stock", "--demand-mean", "10", "--demand-std", "2", "--lead-time", "1"],
     "exactly one of --cycle-service-level or --fill-rate"),
    (["policy", "safety-stock", "--demand-mean", "10", "--demand-std", "2", "--lead-time", "-1",
      "--cycle-service-level", "0.9"], "lead_time must be >= 0"),
    (["policy", "newsvendor", "--poisson-mean", "5", "--demand-mean", "5", "--holding-cost", "1",
      "--stockout-cost", "2"], "either --demand-mean"),
    (["policy", "lot-sizing", "--demand", "10,-5", "--order-cost", "5", "--holding-cost", "1"],
     r"demand[period 2] must be >= 0"),
    (["policy", "eoq", "--demand-rate", "100", "--order-cost", "5", "--holding-cost", "0"], "holding_cost must be > 0"),
])
def test_bad_input_one_line_error(argv, message, capsys):
    code, out, err = _run(argv, capsys)
    assert code == 1 and out == ""
    assert err.startswith("error: ") and message in err and "Traceback" not in err
