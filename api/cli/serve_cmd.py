"""``stockpilot serve`` (the API for local use, with a job worker thread) and ``stockpilot
worker`` (a job worker process, for production next to gunicorn)."""

from __future__ import annotations

import click


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="TCP port.")
@click.option("--no-worker", is_flag=True, help="Do not run plan/import jobs in this process.")
def serve_cmd(host: str, port: int, no_worker: bool) -> None:
    """Serve the API (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs, /healthz).

    For local use (Werkzeug's threaded server). In production run gunicorn with
    'api.wsgi:app' and one 'stockpilot worker' (see docs/readme/api.md)."""
    from api.app import create_app
    from api.cli.errors import CliError
    from api.db.migrate import is_up_to_date

    if not is_up_to_date():
        raise CliError("the database schema is not up to date; run 'stockpilot db upgrade' first")
    app = create_app({"JOBS_WORKER": not no_worker})
    click.echo(f"stockpilot API on http://{host}:{port}/api/v1/docs", err=True)
    app.run(host=host, port=port, threaded=True, use_reloader=False)


@click.command("worker")
@click.option(
    "--poll",
    default=1.0,
    show_default=True,
    type=float,
    help="Seconds between queue polls when idle.",
)
def worker_cmd(poll: float) -> None:
    """Run background jobs (plan runs, what-if runs, imports) until interrupted."""
    import signal
    import threading

    from api.app import create_app
    from api.jobs.worker import Worker

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    app = create_app()  # the same configuration as the API (defaults, STOCKPILOT_* variables)
    worker = Worker(app.extensions["stockpilot"].sessions, dict(app.config))
    click.echo(f"worker {worker.worker_id} polling the job queue", err=True)
    try:
        worker.run_forever(stop, poll)
    except KeyboardInterrupt:
        stop.set()


def register(cli: click.Group, bench: click.Group) -> None:
    cli.add_command(serve_cmd)
    cli.add_command(worker_cmd)
