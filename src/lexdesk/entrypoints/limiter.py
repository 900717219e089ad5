"""A rate limiter for the public doors that anyone may knock on (``/verify`` and
``POST /api/v1/verifications``): so many lookups per client address per window, counted in
this process. Enough to make guessing verification codes (60 bits) hopeless and to keep a
scraper from turning the page into an oracle; a deployment with many processes puts a shared
limit in front (the proxy), as docs/adr/0018-documents.md says."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_for(self, key: str) -> float:
        """Count one request from ``key``: 0 if it may go ahead, else the seconds to wait."""
        now = self._clock()
        with self._lock:
            if len(self._seen) > 10_000:  # forget clients that went quiet
                self._seen = {
                    k: q for k, q in self._seen.items() if q and q[-1] > now - self.window
                }
            times = self._seen.setdefault(key, deque())
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) >= self.limit:
                return max(times[0] + self.window - now, 0.001)
            times.append(now)
            return 0.0
