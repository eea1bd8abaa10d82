"""Recorded ticks as a tick source: a backtest's market.

``ReplayTicks`` plays an iterator of ticks in time order (a catalog's reader, a list),
each snapshot at its own timestamp on the clock it is started on, one timer at a time:
a year of ticks is never held in memory at once. Plugged into the simulated exchange
(``SimGateway(source=...)``), the recorded market meets the same matching engine as the
simulator's own random walk.
"""

from collections.abc import Collection, Iterable, Iterator
from datetime import datetime

from arbig.clock import Callback, Clock, Timer
from arbig.domain.tick import Tick
from arbig.gateways.ticksource import TimerChain


class ReplayTicks:
    """Ticks from ``ticks`` (time order, as a catalog gives them), each due at its
    timestamp. ``played`` counts the ticks handed out, ``skipped`` those the exchange
    did not take (outside its sessions); ``last_time`` is the newest one's timestamp."""

    def __init__(self, ticks: Iterable[Tick]) -> None:
        self._ticks: Iterator[Tick] = iter(ticks)
        self._next: Tick | None = next(self._ticks, None)
        self.played = 0
        self.skipped = 0  # not taken: stamped outside the exchange's sessions
        self.last_time: datetime | None = None

    @property
    def next_time(self) -> datetime | None:
        """When the next tick is due; None once every tick has been played."""
        return self._next.datetime if self._next is not None else None

    def start(self, clock: Clock, due: Callback) -> Timer:
        chain = TimerChain()

        def fire() -> None:
            due()
            # Outside the trading sessions the exchange takes no snapshot: what it did
            # not take is passed over, or the chain would wait on it for ever.
            upcoming = self._next
            if upcoming is not None and upcoming.datetime <= clock.now():
                self._pass_over(clock.now())
            schedule()

        def schedule() -> None:
            upcoming = self._next
            if not chain.cancelled and upcoming is not None:
                chain.current = clock.call_at(upcoming.datetime, fire)

        schedule()
        return chain

    def snapshot(self, now: datetime, symbols: Collection[str]) -> list[Tick]:
        """The ticks stamped up to ``now``, in order; those of symbols not asked for are
        passed over (a market does not send what nobody subscribed)."""
        due: list[Tick] = []
        tick = self._next
        while tick is not None and tick.datetime <= now:
            if tick.symbol in symbols:
                due.append(tick)
            self.played += 1
            self.last_time = tick.datetime
            tick = next(self._ticks, None)
        self._next = tick
        return due

    def _pass_over(self, now: datetime) -> None:
        tick = self._next
        while tick is not None and tick.datetime <= now:
            self.skipped += 1
            tick = next(self._ticks, None)
        self._next = tick
