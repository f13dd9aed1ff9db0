"""The load benchmark's statistics (nearest-rank percentiles, error accounting) and the small
LRU cache used for rendered feed pages."""

from __future__ import annotations

import pytest

from api.bench.pollers import Stats, _pct, summarize
from api.services.lru import LruCache


def test_percentiles_nearest_rank():
    values = [i / 1000 for i in range(1, 101)]  # 1 ms .. 100 ms
    assert _pct(values, 0.50) == pytest.approx(51.0)  # index round(0.5 * 99) = 50 → 51 ms
    assert _pct(values, 0.99) == pytest.approx(99.0)
    assert _pct([0.002], 0.99) == pytest.approx(2.0)


def test_summary_counts_errors_and_throughput():
    st = Stats()
    st.add("list", 0.010, 200, True)
    st.add("cond_list", 0.002, 304, True)
    st.add("ack", 0.030, 412, False)
    st.add("get", 0.001, None, False, "get: ConnectionResetError")
    out = summarize(st, seconds=2.0)
    assert out["requests"] == 4 and out["throughput_rps"] == 2.0
    assert out["errors"] == 2
    assert out["error_kinds"] == {"ack answered 412": 1, "get: ConnectionResetError": 1}
    assert out["statuses"]["cond_list:304"] == 1
    assert out["latency_ms"]["max"] == 30.0


def test_lru_evicts_least_recently_used():
    c = LruCache(2)
    c.put("a", 1)
    c.put("b", 2)
    assert c.get("a") == 1  # a is now the most recent
    c.put("c", 3)
    assert c.get("b") is None and c.get("a") == 1 and c.get("c") == 3
