"""Login attempt limiting: a sliding window of failures per client address."""

import time
from collections import defaultdict, deque


class LoginLimiter:
    def __init__(self, max_failures: int = 5, window_s: float = 300.0) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures[client]
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        return failures

    def retry_after(self, client: str, now: float | None = None) -> float:
        """Seconds until ``client`` may try again; 0 when it may now."""
        now = time.monotonic() if now is None else now
        failures = self._recent(client, now)
        if len(failures) < self.max_failures:
            return 0.0
        return max(0.0, failures[0] + self.window_s - now)

    def failed(self, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._recent(client, now).append(now)

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)
