"""The bar service: 1-minute bars from the core's ticks, closed on time, pushed and kept.

It listens to ``EventType.TICK`` on the core's bus, feeds one pure ``BarBuilder``
per symbol, and for every finished bar: keeps it in memory (recent history for
the console and strategies), publishes ``EventType.BAR`` on the bus (the
WebSocket topic ``bar:{symbol}`` and the strategy runner listen there), calls the
callbacks given to ``subscribe``, and hands it to ``record`` (the book writer's
``bar``, which queues it and commits it off the tick path).

A timer closes a bar shortly after its minute ends, so the last bar of a
session is not left waiting for the next session's first tick. The timer reads
an estimate of the exchange clock (local time plus the offset seen on the first
tick of the bar in progress), so a few seconds of difference between the
exchange's stamps and this machine's clock neither closes bars early nor late.
The timer is told when the open bars fall due (``Timer.idle_until``): a replay's
driven clock runs it only then, when it closes something, at the very moment, and
in the very order, that running it every 250 ms would; the live clock runs it always.
"""

from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import structlog

from arbig.clock import Clock, Timer
from arbig.domain.bar import Bar, BarBuilder
from arbig.domain.calendar import GOLD_SESSIONS, Session
from arbig.domain.tick import Tick
from arbig.engine.book import Events
from arbig.engine.bus import EventType

log = structlog.get_logger(__name__)

BarCallback = Callable[[Bar], None]

_MICROSECOND = timedelta(microseconds=1)


class BarSource(Protocol):
    """Where stored bars are read back (``arbig.storage.bars.BarRepository``)."""

    async def load(
        self, symbol: str, start: datetime, end: datetime, limit: int = ...
    ) -> list[Bar]: ...


class BarService:
    """Builds, closes, publishes, keeps and saves the 1-minute bars of every symbol."""

    def __init__(
        self,
        bus: Events,
        clock: Clock,
        record: BarCallback | None = None,
        source: BarSource | None = None,
        *,
        sessions: tuple[Session, ...] = GOLD_SESSIONS,
        keep: int = 1440,
        timer_s: float = 0.25,
        grace: timedelta = timedelta(seconds=1),
    ) -> None:
        self._bus = bus
        self._record = record
        self._source = source
        self._sessions = sessions
        self._keep = keep
        self._timer_s = timer_s
        self._grace = grace
        self._clock = clock
        self._builders: dict[str, BarBuilder] = {}
        self._recent: dict[str, deque[Bar]] = {}
        self._callbacks: list[BarCallback] = []
        self._offset = timedelta(0)
        self._timer: Timer | None = None
        self.recorded = 0
        self.record_errors = 0

    async def start(self) -> None:
        self._bus.subscribe(EventType.TICK, self._on_tick)
        self._timer = self._clock.call_every(self._timer_s, self._close_on_timer)
        self._tell_timer()

    async def stop(self) -> None:
        """Stop building; the bar in progress is incomplete and is not recorded."""
        self._bus.unsubscribe(EventType.TICK, self._on_tick)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def subscribe(self, callback: BarCallback) -> Callable[[], None]:
        """Call ``callback`` with every finished bar; returns a function that stops it."""
        self._callbacks.append(callback)
        return lambda: self._callbacks.remove(callback) if callback in self._callbacks else None

    def forget(self, symbol: str) -> None:
        """Drop ``symbol``'s bar in progress (its quotes stopped, e.g. after a switch)."""
        self._builders.pop(symbol, None)

    def recent(self, symbol: str) -> list[Bar]:
        """Finished bars kept in memory, oldest first."""
        return list(self._recent.get(symbol, ()))

    def current(self, symbol: str) -> Bar | None:
        """The bar being built for ``symbol``, as it stands."""
        builder = self._builders.get(symbol)
        return builder.current if builder is not None else None

    async def history(self, symbol: str, start: datetime, end: datetime) -> list[Bar]:
        """Finished bars starting in [start, end): the stored ones and those not yet saved."""
        bars: dict[datetime, Bar] = {}
        if self._source is not None:
            bars.update((b.start, b) for b in await self._source.load(symbol, start, end))
        bars.update((b.start, b) for b in self.recent(symbol) if start <= b.start < end)
        return [bars[key] for key in sorted(bars)]

    @property
    def late_ticks(self) -> int:
        return sum(b.late for b in self._builders.values())

    # --- internals ------------------------------------------------------------------

    def _on_tick(self, _: EventType, tick: Tick) -> None:
        builder = self._builders.get(tick.symbol)
        if builder is None:
            builder = self._builders[tick.symbol] = BarBuilder(
                tick.symbol, self._sessions, grace=self._grace
            )
        opened = builder.opened
        bar = builder.update(tick)
        if builder.opened != opened:
            # Sampled on each bar's first tick rather than on every tick: the offset is
            # the clocks', not the tick's, and subtracting datetimes in two time zones
            # cost more than the bar update itself.
            self._offset = tick.datetime - self._clock.now()
            self._tell_timer()
        if bar is not None:
            self._emit(bar)

    def _tell_timer(self) -> None:
        """Tell the timer from when it has work: the earliest open bar's close."""
        if self._timer is None:
            return
        dues = [due for b in self._builders.values() if (due := b.due_s) is not None]
        if not dues:
            self._timer.idle_until(None)
            return
        # A microsecond early: float rounding must never make the timer late.
        first = datetime.fromtimestamp(min(dues), UTC) - _MICROSECOND
        self._timer.idle_until(first - self._offset)

    def _emit(self, bar: Bar) -> None:
        recent = self._recent.get(bar.symbol)
        if recent is None:
            recent = self._recent[bar.symbol] = deque(maxlen=self._keep)
        recent.append(bar)
        if self._record is not None:
            try:
                self._record(bar)
                self.recorded += 1
            except Exception as exc:  # a full writer queue: the bar stays in memory
                self.record_errors += 1
                log.warning("bar not recorded", symbol=bar.symbol, start=str(bar.start), error=exc)
        self._bus.publish(EventType.BAR, bar)
        for callback in tuple(self._callbacks):
            self._guard(callback, bar)

    @staticmethod
    def _guard(callback: BarCallback, bar: Bar) -> None:
        try:
            callback(bar)
        except Exception:  # one failing listener must not stop the others
            log.exception("bar callback failed", callback=repr(callback), symbol=bar.symbol)

    def _close_on_timer(self) -> None:
        self.close_due(self._clock.now() + self._offset)

    def close_due(self, exchange_now: datetime) -> list[Bar]:
        """Finish every bar whose minute is over at ``exchange_now`` (the timer's step)."""
        closed = []
        for builder in tuple(self._builders.values()):
            bar = builder.close_due(exchange_now)
            if bar is not None:
                self._emit(bar)
                closed.append(bar)
        if closed:
            self._tell_timer()
        return closed

    def stats(self) -> dict[str, Any]:
        return {
            "symbols": sorted(self._builders),
            "recorded": self.recorded,
            "record_errors": self.record_errors,
            "late_ticks": self.late_ticks,
        }
