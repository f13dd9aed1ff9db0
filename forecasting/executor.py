"""The parallel seam: map a per-chunk function over chunks, in order, with bounded memory.

:func:`map_chunks` is the only place that knows how work is spread. The default runs on a
local process pool (``fork`` where the platform has it, so workers start in milliseconds and
inherit the loaded modules); at most ``2 × n_jobs`` chunks are in flight, so memory stays flat
however many series stream through. A distributed engine (Dask, Spark) plugs in by passing a
different ``mapper`` with the same signature: ``mapper(fn, chunks) -> iterator of results in
chunk order``.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import partial

Mapper = Callable[[Callable, Iterable], Iterator]


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else (os.cpu_count() or 1))


def serial_map(fn: Callable, chunks: Iterable) -> Iterator:
    for chunk in chunks:
        yield fn(chunk)


def process_pool_map(fn: Callable, chunks: Iterable, n_jobs: int) -> Iterator:
    """Results of ``fn(chunk)`` in chunk order, computed by ``n_jobs`` local processes."""
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=mp.get_context(method)) as pool:
        pending: deque = deque()
        for chunk in chunks:
            pending.append(pool.submit(fn, chunk))
            if len(pending) >= 2 * n_jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def local_mapper(n_jobs: int | None = None) -> Mapper:
    """The default mapper: serial for one job, else a local process pool."""
    n = default_jobs() if n_jobs is None or n_jobs <= 0 else n_jobs
    return serial_map if n == 1 else partial(process_pool_map, n_jobs=n)


def map_chunks(fn: Callable, chunks: Iterable, mapper: Mapper | None = None) -> Iterator:
    """Apply ``fn`` to every chunk with ``mapper`` (default :func:`local_mapper`)."""
    return (mapper or local_mapper())(fn, chunks)
