"""Tools for tests of code built on ARBIG (its own suite uses them too).

After NautilusTrader's test kit: engines take their clock through the
constructor, so a test passes a clock it moves by hand.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from arbig.domain.tick import Tick
from arbig.gateways.sim import SimGateway

# Monday 1 June 2026, 10:00 in Shanghai: inside SHFE gold's morning session.
MONDAY_10AM = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


@dataclass
class ManualClock:
    """A clock that stands still until the test moves it."""

    now: datetime = field(default=MONDAY_10AM)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 0.5) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


class SteppedMarket(ABC):
    """A rig that moves its clock and the simulated exchange (``autotick=False``) by
    hand, one snapshot at a time; each rig says what settling means for it."""

    clock: ManualClock
    gateway: SimGateway

    @abstractmethod
    async def settle(self) -> None:
        """Let what a snapshot set off run to the end (the core's tasks, a strategy)."""

    async def tick(self, count: int = 1) -> list[Tick]:
        """``count`` snapshots half a second apart, each settled before the next."""
        ticks: list[Tick] = []
        for _ in range(count):
            self.clock.advance(0.5)
            ticks += self.gateway.step(self.clock.now)
            await self.settle()
        return ticks
