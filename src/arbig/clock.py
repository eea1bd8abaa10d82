"""The clock port: the time now, and timers (at a time, after a delay, periodic).

The kernel and the gateways read time and set timers only through a ``Clock``
handed to their constructors (after NautilusTrader's live and test clocks):

- ``LiveClock`` is the wall clock; its timers run on the asyncio event loop.
- ``DrivenClock`` stands still until it is moved; moving it fires the timers that
  fall due, in time order, each seeing the clock at its own due time. Tests drive
  the kernel with it, with no event-loop timer at all (and backtests on recorded
  data, once they exist, will too).

Timer callbacks are plain functions that return quickly, as the gateway
listener's do. One that raises is logged and a periodic timer keeps going: a
failed snapshot or bar close must not stop the next one.
"""

import asyncio
import heapq
import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Protocol

import structlog

log = structlog.get_logger(__name__)

Callback = Callable[[], None]


class Timer(Protocol):
    """A scheduled callback; ``cancel`` stops it (and every later run of a periodic one)."""

    def cancel(self) -> None: ...

    @property
    def cancelled(self) -> bool: ...


class Clock(Protocol):
    """The time now and timers. Every datetime is timezone-aware (UTC)."""

    def now(self) -> datetime: ...

    def call_at(self, when: datetime, callback: Callback) -> Timer:
        """Run ``callback`` once at ``when`` (at once if that has passed)."""
        ...

    def call_later(self, delay_s: float, callback: Callback) -> Timer:
        """Run ``callback`` once, ``delay_s`` seconds from now."""
        ...

    def call_every(self, interval_s: float, callback: Callback) -> Timer:
        """Run ``callback`` every ``interval_s`` seconds, the first time one interval
        from now, until the timer is cancelled."""
        ...


async def sleep(clock: Clock, delay_s: float) -> None:
    """Wait ``delay_s`` seconds of ``clock``'s time: on the event loop for a live clock,
    until the clock is moved past the delay for a driven one."""
    woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def wake() -> None:
        if not woken.done():
            woken.set_result(None)

    timer = clock.call_later(delay_s, wake)
    try:
        await woken
    finally:
        timer.cancel()  # a cancelled sleep leaves no timer behind


def _run(callback: Callback) -> None:
    try:
        callback()
    except Exception:
        log.exception("timer callback failed", callback=repr(callback))


def _positive(interval_s: float) -> float:
    if not interval_s > 0:
        raise ValueError(f"a periodic timer needs a positive interval, got {interval_s}")
    return interval_s


# --- live --------------------------------------------------------------------------


class _LiveTimer:
    """A one-shot or periodic timer on the event loop."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, callback: Callback, interval_s: float | None
    ) -> None:
        self._loop = loop
        self._callback = callback
        self._interval = interval_s
        self._handle: asyncio.TimerHandle | None = None
        self._due = 0.0
        self.cancelled = False

    def schedule(self, due: float) -> None:
        self._due = due
        self._handle = self._loop.call_at(due, self._fire)

    def cancel(self) -> None:
        self.cancelled = True
        if self._handle is not None:
            self._handle.cancel()

    def _fire(self) -> None:
        if self._interval is not None:
            # The next run keeps to the schedule rather than to this run's (late) start,
            # so the pace does not drift; far behind (a suspended laptop), it skips the
            # missed runs instead of catching up in a burst.
            due = self._due + self._interval
            now = self._loop.time()
            if due < now - self._interval:
                due = now + self._interval
            self.schedule(due)
        _run(self._callback)


class LiveClock:
    """The wall clock in UTC; timers on the running asyncio event loop."""

    def __init__(self) -> None:
        # A partial rather than a method: the kernel reads the clock several times per
        # order, and a partial calls datetime.now without a Python frame.
        self.now: Callable[[], datetime] = partial(datetime.now, UTC)

    def call_at(self, when: datetime, callback: Callback) -> Timer:
        return self.call_later((when - self.now()).total_seconds(), callback)

    def call_later(self, delay_s: float, callback: Callback) -> Timer:
        loop = asyncio.get_running_loop()
        timer = _LiveTimer(loop, callback, None)
        timer.schedule(loop.time() + max(delay_s, 0.0))
        return timer

    def call_every(self, interval_s: float, callback: Callback) -> Timer:
        loop = asyncio.get_running_loop()
        timer = _LiveTimer(loop, callback, _positive(interval_s))
        timer.schedule(loop.time() + interval_s)
        return timer


# --- driven ------------------------------------------------------------------------


class _DrivenTimer:
    def __init__(self, callback: Callback, interval: timedelta | None) -> None:
        self.callback = callback
        self.interval = interval
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class DrivenClock:
    """A clock that moves only when told to; see the module docstring.

    ``advance`` and ``advance_to`` fire every timer due up to the new time, oldest
    due time first (timers due at the same time in the order they were set), with
    ``now()`` at each timer's due time while it runs. Time never goes back.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock's time must be timezone-aware")
        self._now = start
        self._queue: list[tuple[datetime, int, _DrivenTimer]] = []
        self._order = itertools.count()

    def now(self) -> datetime:
        return self._now

    def call_at(self, when: datetime, callback: Callback) -> Timer:
        return self._push(max(when, self._now), _DrivenTimer(callback, None))

    def call_later(self, delay_s: float, callback: Callback) -> Timer:
        return self.call_at(self._now + timedelta(seconds=delay_s), callback)

    def call_every(self, interval_s: float, callback: Callback) -> Timer:
        interval = timedelta(seconds=_positive(interval_s))
        return self._push(self._now + interval, _DrivenTimer(callback, interval))

    @property
    def next_due(self) -> datetime | None:
        """When the earliest timer that is still set falls due; None when none is set."""
        while self._queue and self._queue[0][2].cancelled:
            heapq.heappop(self._queue)
        return self._queue[0][0] if self._queue else None

    def advance(self, seconds: float) -> datetime:
        """Move the clock ``seconds`` forward, firing the timers due on the way."""
        return self.advance_to(self._now + timedelta(seconds=seconds))

    def advance_to(self, when: datetime, *, skip_missed: bool = False) -> datetime:
        """Move the clock to ``when``, firing the timers due on the way; returns ``when``.

        With ``skip_missed`` a periodic timer due several times on the way runs once, at
        its first due time, and then keeps to its schedule after ``when``, as the live
        clock's does when far behind (a replay over a night or a weekend)."""
        if when < self._now:
            raise ValueError(f"a driven clock does not go back: {when} is before {self._now}")
        while (due := self.next_due) is not None and due <= when:
            _, _, timer = heapq.heappop(self._queue)
            self._now = due
            interval = timer.interval
            if interval is not None:
                upcoming = due + interval
                if skip_missed and upcoming <= when:
                    upcoming = due + interval * ((when - due) // interval + 1)
                self._push(upcoming, timer)
            _run(timer.callback)
        self._now = when
        return when

    def _push(self, when: datetime, timer: _DrivenTimer) -> _DrivenTimer:
        heapq.heappush(self._queue, (when, next(self._order), timer))
        return timer
