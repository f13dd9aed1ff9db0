"""A small thread-safe LRU map (rendered feed pages by ETag)."""

from __future__ import annotations

import threading
from collections import OrderedDict


class LruCache:
    def __init__(self, max_entries: int = 1024):
        self.max_entries = max_entries
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)
