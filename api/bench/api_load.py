"""Load test of the supplier API: gunicorn on PostgreSQL with the sample data, N concurrent
supplier pollers on loopback.

Set-up: a scratch PostgreSQL database is migrated, the bundled sample imported, a plan with
``orders_per_poller`` × N purchase orders (2 lines each, suppliers S1–S4 in turn) published
and released, and one supplier API key made per poller. gunicorn serves ``api.wsgi:app``.

Each poller owns one keep-alive HTTP/1.1 connection (a small asyncio client, so that 200
pollers cost the 2-core machine little next to the server) and loops over a mix of requests:
list the change feed (``list``), list with the last ETag as If-None-Match (``cond_list``,
mostly 304), read one of its orders (``get``), and acknowledge one of its own orders (``ack``:
read the order for its ETag, then POST with If-Match and an Idempotency-Key; once its orders
are answered it replays an earlier acknowledgement, as a retrying client would). Every request
waits for its answer; with ``rate`` a poller paces itself to ``rate`` requests per second.
An error is a transport failure or any status other than 200/201/304.

The reference, run in the same command at the same concurrency, is ``GET /healthz`` (the
framework plus one database round trip): the ratio shows what the API's own work costs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from api.bench.pollers import MIX, run_load


# ------------------------------------------------------------------------------------ set-up
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(
    url: str, clients: int, orders_per_poller: int
) -> tuple[list[str], list[list[str]]]:
    """Migrate, import the sample, publish and release the orders, make one key per poller."""
    import pandas as pd

    from api.auth.keys import Principal, create_key
    from api.db.migrate import upgrade
    from api.db.models import PlanRun
    from api.db.session import session_factory, transaction
    from api.jobs.plan_job import PlanOutput, publish_plan
    from api.repositories import orders as repo
    from api.services import purchase_orders
    from api.services.data_import import import_dir
    from api.services.uow import read_only
    from scenarios.datasets.sample import sample_dir

    upgrade(url)
    with transaction(url) as s:
        import_dir(s, sample_dir(), source="bench")
    suppliers = ["S1", "S2", "S3", "S4"]
    items = {
        "S1": ["OJ01", "OJ04"],
        "S2": ["OJ02", "OJ06"],
        "S3": ["OJ03", "OJ07"],
        "S4": ["OJ08", "OJ07"],
    }
    rows = []
    for p in range(clients):
        sup = suppliers[p % 4]
        for k in range(orders_per_poller):
            ref = f"B{p:04d}-{k}"
            for item in items[sup]:
                rows.append(
                    (
                        "PO",
                        item,
                        "W1",
                        sup,
                        100.0 + k,
                        "2026-12-01",
                        "2026-12-21",
                        ref,
                        {"rule": "bench"},
                    )
                )
    lines = pd.DataFrame(
        rows,
        columns=[
            "type",
            "item_id",
            "location_id",
            "supplier_id",
            "quantity",
            "order_date",
            "due_date",
            "order_ref",
            "reasons",
        ],
    )
    with transaction(url) as s:
        run = PlanRun(status="running", seed=0, versions={}, kpis={}, progress=0.0, published=False)
        s.add(run)
        s.flush()
        publish_plan(s, run.id, PlanOutput(lines=lines))
    sessions = session_factory(url)
    admin = Principal(0, "bench", "bench", "admin")
    with read_only(sessions) as s:
        ids, _ = repo.list_order_ids(s, limit=10**6)
    for oid in ids:
        purchase_orders.change_status(sessions, admin, oid, "approve", None)
        purchase_orders.change_status(sessions, admin, oid, "release", None)
    # publication numbers orders in the frame's order: poller p owns orders p*k .. p*k+k-1
    ordered = sorted(ids, key=lambda x: int(x.rsplit("-", 1)[1]))
    keys, per_poller = (
        [],
        [ordered[p * orders_per_poller : (p + 1) * orders_per_poller] for p in range(clients)],
    )
    with transaction(url) as s:
        for p in range(clients):
            key, _ = create_key(s, "supplier", suppliers[p % 4], name=f"bench poller {p}")
            keys.append(key)
    return keys, per_poller


def start_gunicorn(
    url: str, port: int, workers: int, threads: int, rate_limit: float
) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "STOCKPILOT_RATE_LIMIT_PER_S": str(rate_limit),
        "STOCKPILOT_RATE_LIMIT_BURST": str(max(40, int(rate_limit * 2))),
    }
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--keep-alive",
        "30",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        "api.wsgi:app",
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if b" 200 " in sock.recv(100):
                    return proc
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def run_benchmark(
    clients: int,
    seconds: float,
    rate: float | None,
    database_url: str | None = None,
    workers: int = 4,
    threads: int = 8,
    orders_per_poller: int = 3,
    rate_limit: float = 1000.0,
    reference: bool = True,
    progress=None,
) -> dict:
    """Set up, serve, load, tear down; the JSON-able result."""
    from api.db.scratch import create_scratch_database
    from api.db.session import database_url as normalise
    from api.db.session import dispose_engines

    server = normalise(
        database_url
        or os.environ.get("DATABASE_URL")
        or "postgresql://root@127.0.0.1:5432/postgres"
    )
    if not server.startswith("postgresql"):
        raise ValueError(
            "bench api runs on PostgreSQL: set DATABASE_URL=postgresql://... or --database-url"
        )
    url, drop_database = create_scratch_database(server, "sp_bench")
    name = url.rsplit("/", 1)[1]
    proc = None
    try:
        say = progress or (lambda msg: None)
        say(
            f"preparing {name}: sample data, {clients * orders_per_poller} released orders, "
            f"{clients} keys"
        )
        t0 = time.perf_counter()
        keys, per_poller = prepare_database(url, clients, orders_per_poller)
        setup_s = time.perf_counter() - t0
        dispose_engines()
        port = _free_port()
        say(f"starting gunicorn ({workers} workers × {threads} threads) on 127.0.0.1:{port}")
        proc = start_gunicorn(url, port, workers, threads, rate_limit)
        say(
            f"{clients} pollers for {seconds:g} s"
            + (f" at {rate:g} req/s each" if rate else " unpaced")
        )
        result = run_load("127.0.0.1", port, keys, per_poller, seconds, rate)
        out = {
            "config": {
                "clients": clients,
                "seconds": seconds,
                "rate_per_client": rate,
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "database": "postgresql",
                "orders": clients * orders_per_poller,
                "mix": dict(MIX),
                "rate_limit_per_key": rate_limit,
                "setup_s": round(setup_s, 1),
                "cpus": os.cpu_count(),
            },
            "api": result,
        }
        if reference:
            say("reference: GET /healthz at the same concurrency")
            ref = run_load("127.0.0.1", port, keys, per_poller, seconds, rate, reference=True)
            out["reference_healthz"] = ref
            out["ratios"] = {
                "throughput_vs_healthz": round(result["throughput_rps"] / ref["throughput_rps"], 3)
                if ref["throughput_rps"]
                else None,
                "p99_vs_healthz": round(result["latency_ms"]["p99"] / ref["latency_ms"]["p99"], 3)
                if ref["latency_ms"]["p99"]
                else None,
            }
        if rate:
            out["goal"] = {
                "p99_ms_below": 50,
                "errors": 0,
                "met": bool(result["latency_ms"]["p99"] < 50 and result["errors"] == 0),
            }
        return out
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        drop_database()
