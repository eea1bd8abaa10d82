"""The in-memory tick store: the embedded default when no Redis is configured."""

from collections import deque

from arbig.domain.tick import Tick


class MemoryTickStore:
    name = "memory"

    def __init__(self, maxlen: int = 1000) -> None:
        self._maxlen = maxlen
        self._ticks: dict[str, deque[Tick]] = {}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def add(self, tick: Tick) -> None:
        ticks = self._ticks.get(tick.symbol)
        if ticks is None:
            ticks = self._ticks[tick.symbol] = deque(maxlen=self._maxlen)
        ticks.append(tick)

    async def latest(self, symbol: str) -> Tick | None:
        ticks = self._ticks.get(symbol)
        return ticks[-1] if ticks else None

    async def history(self, symbol: str, count: int) -> list[Tick]:
        ticks = self._ticks.get(symbol)
        if not ticks or count <= 0:
            return []
        return list(ticks)[-count:]

    async def clear(self, symbol: str) -> None:
        self._ticks.pop(symbol, None)

    @property
    def healthy(self) -> bool:
        return True
