"""Per-key token-bucket rate limiting (in process memory).

Each API key gets a bucket of ``burst`` tokens refilled at ``rate_per_s``; a request takes one
token or is answered 429 with ``Retry-After`` (seconds until a token is back). Buckets live in
the serving process: under gunicorn with W workers a key may reach up to W × the limit. That is
the documented trade-off for needing no shared store; put a gateway in front for a hard global
limit.
"""

from __future__ import annotations

import math
import threading
import time


class RateLimiter:
    def __init__(self, rate_per_s: float, burst: int, clock=time.monotonic):
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("rate_per_s must be > 0 and burst >= 1")
        self.rate = float(rate_per_s)
        self.burst = int(burst)
        self._clock = clock
        self._buckets: dict[object, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key) -> float:
        """0.0 if the request may go ahead, else the seconds to wait."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate


def retry_after_seconds(wait_s: float) -> int:
    return max(1, math.ceil(wait_s))
