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

import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field

MIX = (("list", 0.3), ("cond_list", 0.4), ("get", 0.2), ("ack", 0.1))


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)

    def add(
        self, op: str, seconds: float, status: int | None, ok: bool, error: str | None = None
    ) -> None:
        self.latencies.setdefault(op, []).append(seconds)
        key = f"{op}:{status}"
        self.statuses[key] = self.statuses.get(key, 0) + 1
        if not ok:
            kind = error or f"{op} answered {status}"
            self.errors[kind] = self.errors.get(kind, 0) + 1


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))
    return s[k] * 1000.0


def summarize(stats: Stats, seconds: float) -> dict:
    everything = [v for vals in stats.latencies.values() for v in vals]
    n = len(everything)
    out = {
        "requests": n,
        "errors": sum(stats.errors.values()),
        "error_kinds": stats.errors,
        "throughput_rps": round(n / seconds, 1),
        "latency_ms": {
            "p50": round(_pct(everything, 0.50), 2),
            "p95": round(_pct(everything, 0.95), 2),
            "p99": round(_pct(everything, 0.99), 2),
            "max": round(max(everything) * 1000, 2) if n else None,
        },
        "by_op": {
            op: {
                "requests": len(v),
                "p50_ms": round(_pct(v, 0.5), 2),
                "p99_ms": round(_pct(v, 0.99), 2),
            }
            for op, v in sorted(stats.latencies.items())
        },
        "statuses": dict(sorted(stats.statuses.items())),
    }
    return out


# ------------------------------------------------------------------------------ HTTP client
class Connection:
    """One keep-alive HTTP/1.1 connection (Content-Length bodies only — what gunicorn sends)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def request(self, method: str, path: str, headers: dict, body: bytes | None = None):
        if self.writer is None:
            await self.open()
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Connection: keep-alive",
        ]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("connection closed by server")
        status = int(status_line.split()[1])
        resp_headers = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            k, _, v = line.decode("latin-1").partition(":")
            resp_headers[k.strip().lower()] = v.strip()
        length = int(resp_headers.get("content-length", "0"))
        data = await self.reader.readexactly(length) if length else b""
        if resp_headers.get("connection", "").lower() == "close":
            await self.close()
        return status, resp_headers, data

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except (ConnectionError, OSError):
                pass
        self.reader = self.writer = None


async def _poller(
    i: int,
    host: str,
    port: int,
    key: str,
    orders: list[str],
    deadline: float,
    rate: float | None,
    stats: Stats,
    reference: bool,
    start: float,
) -> None:
    rng = random.Random(i)
    conn = Connection(host, port)
    auth = {"Authorization": f"Bearer {key}"}
    etag = None
    open_orders = list(orders)
    done_acks: list[tuple[str, bytes, str, str]] = []  # (order, body, key, if-match) for replays
    interval = 1.0 / rate if rate else 0.0
    next_at = start + rng.random() * interval

    async def call(op, method, path, headers=None, body=None, ok=(200,)):
        t0 = time.perf_counter()
        try:
            status, h, data = await conn.request(method, path, {**auth, **(headers or {})}, body)
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
            stats.add(op, time.perf_counter() - t0, None, False, f"{op}: {exc.__class__.__name__}")
            await conn.close()
            return None, {}, b""
        stats.add(op, time.perf_counter() - t0, status, status in ok)
        return status, h, data

    while True:
        if rate:
            now = time.perf_counter()
            if next_at > now:
                await asyncio.sleep(next_at - now)
            next_at += interval
        if time.perf_counter() >= deadline:
            break
        if reference:
            await call("healthz", "GET", "/healthz")
            continue
        r = rng.random()
        op = next(name for name, cum in _cumulative() if r < cum)
        if op == "list":
            status, h, _ = await call("list", "GET", "/api/v1/supplier/purchase-orders?limit=50")
            etag = h.get("etag", etag)
        elif op == "cond_list":
            hdr = {"If-None-Match": etag} if etag else {}
            status, h, _ = await call(
                "cond_list", "GET", "/api/v1/supplier/purchase-orders?limit=50", hdr, ok=(200, 304)
            )
            etag = h.get("etag", etag)
        elif op == "get":
            await call("get", "GET", f"/api/v1/supplier/purchase-orders/{rng.choice(orders)}")
        else:
            if open_orders:
                oid = open_orders.pop()
                status, h, data = await call(
                    "ack_get", "GET", f"/api/v1/supplier/purchase-orders/{oid}"
                )
                if status != 200:
                    continue
                order = json.loads(data)
                body = json.dumps(
                    {
                        "lines": [
                            {"line_id": line["id"], "decision": "accept"} for line in order["lines"]
                        ]
                    }
                ).encode()
                idem = uuid.uuid4().hex
                await call(
                    "ack",
                    "POST",
                    f"/api/v1/supplier/purchase-orders/{oid}/acknowledgements",
                    {"If-Match": h["etag"], "Idempotency-Key": idem},
                    body,
                )
                done_acks.append((oid, body, idem, h["etag"]))
            elif done_acks:
                oid, body, idem, tag = rng.choice(done_acks)
                await call(
                    "ack_replay",
                    "POST",
                    f"/api/v1/supplier/purchase-orders/{oid}/acknowledgements",
                    {"If-Match": tag, "Idempotency-Key": idem},
                    body,
                )
    await conn.close()


_CUM = None


def _cumulative():
    global _CUM
    if _CUM is None:
        acc, out = 0.0, []
        for name, share in MIX:
            acc += share
            out.append((name, acc))
        out[-1] = (out[-1][0], 1.0 + 1e-9)
        _CUM = out
    return _CUM


async def _run_pollers(
    host, port, keys, orders_by_poller, seconds, rate, reference
) -> tuple[Stats, float]:
    stats = Stats()
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(
        *[
            _poller(
                i, host, port, keys[i], orders_by_poller[i], deadline, rate, stats, reference, start
            )
            for i in range(len(keys))
        ]
    )
    return stats, time.perf_counter() - start


def run_load(
    host: str,
    port: int,
    keys: list[str],
    orders_by_poller: list[list[str]],
    seconds: float,
    rate: float | None,
    reference: bool = False,
) -> dict:
    stats, elapsed = asyncio.run(
        _run_pollers(host, port, keys, orders_by_poller, seconds, rate, reference)
    )
    return summarize(stats, elapsed)


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
    from sqlalchemy import create_engine, text

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
    name = f"sp_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
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
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
