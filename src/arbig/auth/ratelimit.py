"""Login attempt limiting: a progressive delay per client address.

From the ``free_failures``-th wrong password within the window on, each makes the
address wait before its next attempt, twice as long as the one before (1 s, 2 s,
4 s ...), never more than ``max_delay_s``. A fixed lock would let anyone who
shares the operator's address (or guesses from it) lock the operator out for the
whole window; the delay keeps guessing slow while the operator waits seconds.
A success clears the address's record.
"""

import time
from collections import defaultdict, deque
from typing import Protocol


class Limiter(Protocol):
    """What the login route asks: this process's ``LoginLimiter`` or a shared one."""

    async def wait_s(self, client: str) -> float: ...

    async def record_failure(self, client: str) -> None: ...

    async def record_success(self, client: str) -> None: ...


class LoginLimiter:
    def __init__(
        self, free_failures: int = 5, window_s: float = 300.0, max_delay_s: float = 30.0
    ) -> None:
        self.free_failures = free_failures
        self.window_s = window_s
        self.max_delay_s = max_delay_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures[client]
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        if not failures:
            del self._failures[client]  # no record kept for an address with none
            return deque()
        return failures

    def delay(self, count: int) -> float:
        """The wait after ``count`` recent failures."""
        over = count - self.free_failures
        return 0.0 if over < 0 else min(2.0**over, self.max_delay_s)

    def retry_after(self, client: str, now: float | None = None) -> float:
        """Seconds until ``client`` may try again; 0 when it may now."""
        now = time.monotonic() if now is None else now
        failures = self._recent(client, now)
        if not failures:
            return 0.0
        return max(0.0, failures[-1] + self.delay(len(failures)) - now)

    def failed(self, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        failures = self._recent(client, now)
        if not failures:
            failures = self._failures[client]
        failures.append(now)

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)

    # The shape the login route uses, which a shared limiter has as well.

    async def wait_s(self, client: str) -> float:
        return self.retry_after(client)

    async def record_failure(self, client: str) -> None:
        self.failed(client)

    async def record_success(self, client: str) -> None:
        self.succeeded(client)
