"""The tick-source seam: where a gateway's market comes from.

A ``TickSource`` says when snapshots are due (``start`` sets timers on the clock)
and what each one holds (``snapshot``). The simulated exchange's own random walk
is one (``arbig.gateways.sim.market.RandomWalk``); ``ScriptedTicks`` plays a list
of ticks at their own times (tests); a replay of recorded data for backtests
will plug in the same way. The gateway matches its working orders against whatever the source
gives, so the kernel behind it cannot tell the sources apart.
"""

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Protocol

from arbig.clock import Callback, Clock, Timer
from arbig.domain.tick import Tick


class TickSource(Protocol):
    """Ticks for a gateway: when they are due and what they are."""

    def start(self, clock: Clock, due: Callback) -> Timer:
        """Set timers on ``clock`` that call ``due`` whenever a snapshot is due; the
        returned timer stops them."""
        ...

    def snapshot(self, now: datetime, symbols: Collection[str]) -> list[Tick]:
        """The ticks of ``symbols`` due at ``now`` (a source with ticks of its own gives
        those it holds for these symbols), in time order."""
        ...


class TimerChain:
    """One timer at a time, each set by the previous one; cancelling stops the chain
    (the tick sources' way to play ticks at their own times)."""

    def __init__(self) -> None:
        self.current: Timer | None = None
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True
        if self.current is not None:
            self.current.cancel()

    def idle_until(self, when: datetime | None) -> None:
        """Ignored: each timer of the chain runs once, when a snapshot is due."""


class ScriptedTicks:
    """A list of ticks, each delivered at its own timestamp (tests, replays of a few)."""

    def __init__(self, ticks: Iterable[Tick]) -> None:
        self._ticks = sorted(ticks, key=lambda tick: tick.datetime)
        self._next = 0

    @property
    def remaining(self) -> int:
        return len(self._ticks) - self._next

    def start(self, clock: Clock, due: Callback) -> Timer:
        """One timer per distinct timestamp, each set when the previous one fires."""
        chain = TimerChain()
        times = sorted({tick.datetime for tick in self._ticks[self._next :]})
        position = 0

        def fire() -> None:
            nonlocal position
            position += 1
            due()
            schedule()

        def schedule() -> None:
            if not chain.cancelled and position < len(times):
                chain.current = clock.call_at(times[position], fire)

        schedule()
        return chain

    def snapshot(self, now: datetime, symbols: Collection[str]) -> list[Tick]:
        """The ticks stamped up to ``now``, in order; those of other symbols are dropped,
        as a market does not send what nobody subscribed."""
        due: list[Tick] = []
        while self._next < len(self._ticks) and self._ticks[self._next].datetime <= now:
            tick = self._ticks[self._next]
            self._next += 1
            if tick.symbol in symbols:
                due.append(tick)
        return due
