"""Execution engines for the embarrassingly parallel work (per-series forecasts, per-supplier
or per-item optimization): one seam, three engines, the same results.

An engine is a *mapper*: ``mapper(fn, chunks) -> iterator of fn(chunk), in chunk order``, the
signature :func:`forecasting.executor.map_chunks` takes. Chunks stream: at most a bounded number
are in flight, and results come back one chunk at a time, so the driver's memory does not grow
with the number of series.

* ``local`` — a process pool on this machine (the default; what CI uses).
* ``dask`` — a ``dask.distributed`` client: ``address`` of a running scheduler
  (``tcp://host:8786``), or a local cluster (one single-threaded worker process per core) when
  no address is given. Install with ``pip install "stockpilot[dask]"``.
* ``spark`` — an existing Spark cluster (``address`` is the master URL, e.g. ``spark://host:7077``
  or ``local[2]``); chunks go out as one partition each and come back in order through
  ``toLocalIterator``. Install with ``pip install "stockpilot[spark]"``; workers need
  ``PYSPARK_PYTHON`` to point at an interpreter with stockpilot installed.

Worker environments: Prophet's cmdstan writes its model files to the temp directory, so every
worker needs a writable *and executable* ``TMPDIR`` (not mounted ``noexec``).

Results are identical on every engine because each chunk's computation depends only on the chunk
and the seed it carries (the forecasting package derives per-series seeds from the series key),
never on which worker ran it or in which order.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

ENGINES = ("local", "dask", "spark")


def dask_map(fn: Callable, chunks: Iterable, client, in_flight: int) -> Iterator:
    """``fn`` over ``chunks`` on a Dask client, in order, at most ``in_flight`` chunks queued."""
    pending: deque = deque()
    for chunk in chunks:
        pending.append(client.submit(fn, chunk, pure=False))
        if len(pending) >= in_flight:
            future = pending.popleft()
            yield future.result()
            future.release()
    while pending:
        future = pending.popleft()
        yield future.result()
        future.release()


def spark_map(fn: Callable, chunks: Iterable, spark, batch: int) -> Iterator:
    """``fn`` over ``chunks`` on Spark, ``batch`` chunks (one partition each) per job, in order."""
    sc = spark.sparkContext
    buffer: list = []

    def flush():
        rdd = sc.parallelize(buffer, numSlices=len(buffer)).map(fn)
        yield from rdd.toLocalIterator()

    for chunk in chunks:
        buffer.append(chunk)
        if len(buffer) >= batch:
            yield from flush()
            buffer = []
    if buffer:
        yield from flush()


@contextmanager
def engine_mapper(engine: str = "local", address: str | None = None, n_jobs: int | None = None):
    """A mapper for ``engine``; the context closes whatever cluster it started."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if engine == "local":
        from forecasting.executor import local_mapper

        yield local_mapper(n_jobs)
        return
    if engine == "dask":
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ValueError('the dask engine needs dask.distributed: pip install "stockpilot[dask]"') from exc
        from forecasting.executor import default_jobs

        cluster = None
        if address:
            client = Client(address)
        else:
            workers = n_jobs or default_jobs()
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=40)
            client = Client(cluster)
        try:
            slots = max(1, sum(client.nthreads().values()))
            yield lambda fn, chunks: dask_map(fn, chunks, client, in_flight=2 * slots)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        return
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ValueError('the spark engine needs pyspark: pip install "stockpilot[spark]"') from exc
    # workers must run an interpreter that has stockpilot: default to this one (local mode,
    # or a cluster whose nodes share this path); set PYSPARK_PYTHON yourself otherwise
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("stockpilot").master(address or "local[2]")
    spark = builder.config("spark.ui.enabled", "false").getOrCreate()
    try:
        slots = spark.sparkContext.defaultParallelism
        yield lambda fn, chunks: spark_map(fn, chunks, spark, batch=4 * slots)
    finally:
        if address is None:
            spark.stop()
