"""CLI of the API: serve refuses an un-migrated database with a one-line error; the worker
and the API benchmark document themselves."""

from __future__ import annotations

from click.testing import CliRunner

from api.cli.main import cli, main


def test_serve_refuses_unmigrated_database(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    assert main(["serve", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "stockpilot db upgrade" in err and "Traceback" not in err


def test_help_of_api_commands():
    runner = CliRunner()
    for args in (
        ["serve", "--help"],
        ["worker", "--help"],
        ["keys", "create", "--help"],
        ["bench", "api", "--help"],
    ):
        r = runner.invoke(cli, args)
        assert r.exit_code == 0, (args, r.output)
    assert "--clients" in runner.invoke(cli, ["bench", "api", "--help"]).output


def test_unknown_supplier_key_is_a_one_line_error(db, sample_db, capsys):
    assert main(["keys", "create", "--role", "supplier", "--supplier", "NOPE"]) == 1
    assert capsys.readouterr().err.strip() == "error: supplier 'NOPE' does not exist"
