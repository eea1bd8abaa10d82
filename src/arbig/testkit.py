"""Tools for tests of code built on ARBIG (its own suite uses them too).

After NautilusTrader's test kit: engines take their clock through the
constructor, so a test passes a clock it moves by hand.
"""

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from arbig.clock import DrivenClock
from arbig.domain.tick import Tick
from arbig.gateways.sim import SimGateway

# Monday 1 June 2026, 10:00 in Shanghai: inside SHFE gold's morning session.
MONDAY_10AM = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def monday_clock() -> DrivenClock:
    """A driven clock that starts at ``MONDAY_10AM``."""
    return DrivenClock(MONDAY_10AM)


async def drive(clock: DrivenClock, until: datetime, settle: Callable[[], Awaitable[None]]) -> None:
    """Move ``clock`` to ``until`` timer by timer, awaiting ``settle`` after each due time,
    so that what one timer set off (posted reports, queued strategy work) has run before
    the next is due. Nothing waits on the event loop's timers."""
    while (due := clock.next_due) is not None and due <= until:
        clock.advance_to(due)
        await settle()
    clock.advance_to(until)


class SteppedMarket(ABC):
    """A rig that moves its driven clock and the simulated exchange (``autotick=False``)
    by hand, one snapshot at a time; each rig says what settling means for it."""

    clock: DrivenClock
    gateway: SimGateway

    @abstractmethod
    async def settle(self) -> None:
        """Let what a snapshot set off run to the end (the core's tasks, a strategy)."""

    async def tick(self, count: int = 1) -> list[Tick]:
        """``count`` snapshots half a second apart, each settled before the next."""
        ticks: list[Tick] = []
        for _ in range(count):
            ticks += self.gateway.step(self.clock.advance(0.5))
            await self.settle()
        return ticks
