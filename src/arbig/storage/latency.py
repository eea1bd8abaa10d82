"""A sliding window of latencies with percentiles (fill-to-commit, for health and bench)."""

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LatencyStats:
    """Milliseconds over the window; zeros when nothing has been measured."""

    count: int
    last_ms: float
    min_ms: float
    p50_ms: float
    p99_ms: float
    max_ms: float


class LatencyWindow:
    """The most recent ``size`` samples, in seconds."""

    def __init__(self, size: int = 10_000) -> None:
        self._samples: deque[float] = deque(maxlen=size)

    def add(self, seconds: float) -> None:
        self._samples.append(seconds)

    def clear(self) -> None:
        self._samples.clear()

    def stats(self) -> LatencyStats:
        if not self._samples:
            return LatencyStats(0, 0.0, 0.0, 0.0, 0.0, 0.0)
        ordered = sorted(self._samples)

        def pick(q: float) -> float:
            return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

        return LatencyStats(
            count=len(ordered),
            last_ms=self._samples[-1] * 1000,
            min_ms=ordered[0] * 1000,
            p50_ms=pick(0.50),
            p99_ms=pick(0.99),
            max_ms=ordered[-1] * 1000,
        )
