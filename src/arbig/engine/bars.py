"""The bar service: 1-minute bars from the core's ticks, closed on time, pushed and kept.

It listens to ``EventType.TICK`` on the core's bus, feeds one pure ``BarBuilder``
per symbol, and for every finished bar: keeps it in memory (recent history for
the console and strategies), publishes ``EventType.BAR`` on the bus (the
WebSocket topic ``bar:{symbol}`` and the strategy runner listen there), calls the
callbacks given to ``subscribe``, and saves it through the repository off the
tick path.

A timer closes a bar shortly after its minute ends, so the last bar of a
session is not left waiting for the next session's first tick. The timer reads
an estimate of the exchange clock (local time plus the offset seen on the
latest tick), so a few seconds of difference between the exchange's stamps and
this machine's clock neither closes bars early nor late.
"""

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import structlog

from arbig.domain.bar import Bar, BarBuilder
from arbig.domain.calendar import GOLD_SESSIONS, Session
from arbig.domain.tick import Tick
from arbig.engine.bus import EventBus, EventType

log = structlog.get_logger(__name__)

BarCallback = Callable[[Bar], None]


class BarSink(Protocol):
    """Where finished bars are stored (``arbig.storage.bars.BarRepository``)."""

    async def save(self, bar: Bar) -> None: ...

    async def load(
        self, symbol: str, start: datetime, end: datetime, limit: int = ...
    ) -> list[Bar]: ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


class BarService:
    """Builds, closes, publishes, keeps and saves the 1-minute bars of every symbol."""

    def __init__(
        self,
        bus: EventBus,
        sink: BarSink | None = None,
        *,
        sessions: tuple[Session, ...] = GOLD_SESSIONS,
        keep: int = 1440,
        timer_s: float = 0.25,
        grace: timedelta = timedelta(seconds=1),
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._bus = bus
        self._sink = sink
        self._sessions = sessions
        self._keep = keep
        self._timer_s = timer_s
        self._grace = grace
        self._clock = clock
        self._builders: dict[str, BarBuilder] = {}
        self._recent: dict[str, deque[Bar]] = {}
        self._callbacks: list[BarCallback] = []
        self._offset = timedelta(0)
        self._unsaved: asyncio.Queue[Bar] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self.saved = 0
        self.save_errors = 0

    async def start(self) -> None:
        self._bus.subscribe(EventType.TICK, self._on_tick)
        self._tasks = [
            asyncio.create_task(self._timer(), name="bar-timer"),
            asyncio.create_task(self._saver(), name="bar-saver"),
        ]

    async def stop(self, drain_s: float = 3.0) -> None:
        """Stop building; the bar in progress is incomplete and is not saved."""
        self._bus.unsubscribe(EventType.TICK, self._on_tick)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._unsaved.join(), drain_s)
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

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
        if self._sink is not None:
            bars.update((b.start, b) for b in await self._sink.load(symbol, start, end))
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
        self._offset = tick.datetime - self._clock()
        bar = builder.update(tick)
        if bar is not None:
            self._emit(bar)

    def _emit(self, bar: Bar) -> None:
        recent = self._recent.get(bar.symbol)
        if recent is None:
            recent = self._recent[bar.symbol] = deque(maxlen=self._keep)
        recent.append(bar)
        if self._sink is not None:
            self._unsaved.put_nowait(bar)
        self._bus.publish(EventType.BAR, bar)
        for callback in tuple(self._callbacks):
            self._guard(callback, bar)

    @staticmethod
    def _guard(callback: BarCallback, bar: Bar) -> None:
        try:
            callback(bar)
        except Exception:  # one failing listener must not stop the others
            log.exception("bar callback failed", callback=repr(callback), symbol=bar.symbol)

    async def _timer(self) -> None:
        while True:
            await asyncio.sleep(self._timer_s)
            self.close_due(self._clock() + self._offset)

    def close_due(self, exchange_now: datetime) -> list[Bar]:
        """Finish every bar whose minute is over at ``exchange_now`` (the timer's step)."""
        closed = []
        for builder in tuple(self._builders.values()):
            bar = builder.close_due(exchange_now)
            if bar is not None:
                self._emit(bar)
                closed.append(bar)
        return closed

    async def _saver(self) -> None:
        while True:
            bar = await self._unsaved.get()
            try:
                if self._sink is not None:
                    await self._sink.save(bar)
                    self.saved += 1
            except Exception as exc:  # the database may be down; the bar stays in memory
                self.save_errors += 1
                log.warning("bar not saved", symbol=bar.symbol, start=str(bar.start), error=exc)
            finally:
                self._unsaved.task_done()

    def stats(self) -> dict[str, Any]:
        return {
            "symbols": sorted(self._builders),
            "saved": self.saved,
            "save_errors": self.save_errors,
            "late_ticks": self.late_ticks,
            "unsaved": self._unsaved.qsize(),
        }
