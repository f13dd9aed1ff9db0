"""The load generator of ``stockpilot bench api``: supplier pollers on keep-alive HTTP/1.1
connections (one asyncio process) and their statistics. See :mod:`api.bench.api_load`."""

from __future__ import annotations

import asyncio
import json
import random
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
