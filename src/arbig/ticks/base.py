"""The tick store port."""

from typing import Protocol

from arbig.domain.tick import Tick


class TickStore(Protocol):
    """Keeps the recent ticks of each symbol. ``add`` never blocks the tick path."""

    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def add(self, tick: Tick) -> None: ...

    async def latest(self, symbol: str) -> Tick | None: ...

    async def history(self, symbol: str, count: int) -> list[Tick]:
        """Up to ``count`` most recent ticks, oldest first."""
        ...

    async def clear(self, symbol: str) -> None: ...

    @property
    def healthy(self) -> bool: ...
