"""``stockpilot replenish`` / ``allocate`` on the database: proposals stored with reasons,
re-runs replace only proposals, approved lines are kept."""

from __future__ import annotations

from sqlalchemy import func, select, update

from api.cli.main import main
from api.db.models import OperationPlan
from api.db.session import transaction


def test_replenish_stores_proposed_pos_and_keeps_approved(db, tmp_path, capsys):
    assert main(["sample", str(tmp_path / "s")]) == 0
    assert main(["import", "--quiet", str(tmp_path / "s")]) == 0
    assert main(["replenish", "--horizon", "4"]) == 0
    assert "proposed PO line(s) stored" in capsys.readouterr().out
    with transaction(db) as s:
        lines = s.scalars(select(OperationPlan).where(OperationPlan.type == "PO")).all()
        assert lines, "no purchase orders proposed for the sample"
        assert all(line.status == "proposed" and line.supplier_id for line in lines)
        assert all(line.due_date >= line.order_date for line in lines)
        assert all(line.reasons.get("reason") for line in lines)
        kept = lines[0].id
        s.execute(update(OperationPlan).where(OperationPlan.id == kept).values(status="approved"))
    assert main(["replenish", "--horizon", "4"]) == 0
    with transaction(db) as s:
        assert s.get(OperationPlan, kept).status == "approved"
        runs = set(s.scalars(select(OperationPlan.plan_run_id).where(OperationPlan.status == "proposed")))
        assert len(runs) == 1  # the first run's proposals were replaced, not added to
        assert s.scalar(select(func.count()).select_from(OperationPlan).where(OperationPlan.type != "PO")) == 0


def test_replenish_on_an_empty_database_says_what_to_do(db, capsys):
    assert main(["replenish"]) == 1
    assert "run `stockpilot import DIR` first" in capsys.readouterr().err


def test_presale_plan_from_the_database_stores_its_lines(db, tmp_path, capsys):
    assert main(["sample", str(tmp_path / "s")]) == 0
    assert main(["import", "--quiet", str(tmp_path / "s")]) == 0
    args = ["presale", "plan", "PS-NEW01-3", "--scenarios", "100", "--no-sweep", "--json"]
    assert main(args) == 0
    assert main(args) == 0  # a re-plan replaces the campaign's proposals
    out = capsys.readouterr()
    assert "stored" in out.err and "proposed line(s)" in out.err
    with transaction(db) as s:
        lines = s.scalars(select(OperationPlan).where(OperationPlan.source == "presale:PS-NEW01-3")).all()
    assert lines and all(line.type in ("MO", "PO") and line.item_id == "NEW01" for line in lines)
    assert len({line.plan_run_id for line in lines}) == 1
    assert all(line.reasons.get("campaign_id") == "PS-NEW01-3" for line in lines)
