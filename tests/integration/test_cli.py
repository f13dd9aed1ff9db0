"""The command line: help everywhere, one-line errors and non-zero exits for user mistakes."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from api.cli.main import cli, main


def _all_commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        yield prefix + (name,)
        if isinstance(command, click.Group):
            yield from _all_commands(command, prefix + (name,))


@pytest.mark.parametrize("path", sorted(_all_commands(cli)), ids=" ".join)
def test_every_command_has_help(path, capsys):
    assert main([*path, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Usage: stockpilot " + " ".join(path))


def test_console_script_runs():
    proc = subprocess.run([sys.executable, "-m", "api.cli.main", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "import" in proc.stdout


@pytest.mark.parametrize("argv, message", [
    (["import", "/nonexistent/folder"], "error: /nonexistent/folder: no such folder"),
    (["nosuchcommand"], "No such command 'nosuchcommand'"),
    (["import"], "Missing argument 'FOLDER'"),
])
def test_user_mistakes_give_one_line_and_nonzero_exit(argv, message, capsys, db):
    code = main(argv)
    err = capsys.readouterr().err
    assert code != 0
    assert message in err
    assert "Traceback" not in err


def test_empty_database_gets_its_schema_on_first_import(db, tmp_path, capsys):
    from api.db.migrate import downgrade

    downgrade(db, "base")
    # an empty database gets the schema on first use
    assert main(["sample", str(tmp_path / "s")]) == 0
    assert main(["import", "--quiet", str(tmp_path / "s")]) == 0
    assert main(["db", "current"]) == 0
    assert "current: " in capsys.readouterr().out
