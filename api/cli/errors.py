"""How the CLI reports failures: one line, non-zero exit, no traceback for user mistakes."""

from __future__ import annotations

import click


class CliError(click.ClickException):
    """A user mistake or bad data: printed as ``error: <message>``, exit code 1."""

    exit_code = 1

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def run_guarded(group: click.Group, argv: list[str]) -> int:
    """Run ``group`` with ``argv``; turn domain errors (the project's validation and solver
    errors, input ValueErrors, missing files) into one-line messages instead of tracebacks."""
    from optimizer.solver import SolverError
    from scenarios.errors import StockpilotError

    try:
        group.main(args=argv, prog_name="stockpilot", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except (StockpilotError, SolverError, ValueError, OSError) as exc:
        # ValueError: the pure packages' input checks (optimizer/, forecasting/) raise
        # ValueError subclasses that name the field and rule.
        click.echo(f"error: {exc}", err=True)
        return 1
    except KeyboardInterrupt:  # pragma: no cover
        click.echo("interrupted", err=True)
        return 130
    return 0

