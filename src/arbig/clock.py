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

    def idle_until(self, when: datetime | None) -> None:
        """A hint from the timer's owner: the callback has nothing to do before ``when``
        (None: until the next hint). A driven clock skips a periodic timer's runs until
        then; the live clock runs them all."""
        ...


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

    def idle_until(self, when: datetime | None) -> None:
        """Ignored: live, every run happens (a run with nothing to do costs little)."""

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
    __slots__ = ("callback", "cancelled", "entry")
    interval: timedelta | None = None  # one-shot

    def __init__(self, callback: Callback) -> None:
        self.callback = callback
        self.cancelled = False
        self.entry = 0  # its live queue entry's number; other entries of it are stale

    def cancel(self) -> None:
        self.cancelled = True

    def idle_until(self, when: datetime | None) -> None:
        """Ignored: a one-shot timer runs once, when due."""


class _PeriodicTimer(_DrivenTimer):
    __slots__ = ("clock", "hinted", "idle", "interval", "next_run", "order", "set_at")
    interval: timedelta

    def __init__(self, callback: Callback, interval: timedelta, clock: "DrivenClock") -> None:
        super().__init__(callback)
        self.interval = interval
        self.clock = clock
        # The next run on the schedule, how its own previous run set it (when, number),
        # and the owner's hint.
        self.next_run = clock.now() + interval
        self.set_at = clock.now()
        self.order = 0.0
        self.hinted = False
        self.idle: datetime | None = None

    def idle_until(self, when: datetime | None) -> None:
        if not self.cancelled:
            self.hinted, self.idle = True, when
            self.clock._place(self)


# Orders an entry after every other one set at the same instant.
_LAST = float("inf")


class DrivenClock:
    """A clock that moves only when told to; see the module docstring.

    ``advance`` and ``advance_to`` fire every timer due up to the new time, oldest
    due time first (timers due at the same time in the order they were set), with
    ``now()`` at each timer's due time while it runs. Time never goes back.

    A periodic timer whose owner says it is idle until some time (``idle_until``) is
    not run before then: it waits in the queue at its first run from then on, set as
    by its run one interval before, so that the runs that do something happen when,
    and in the order among the other timers, that running every one would give. (By
    rule, not replay, in one case: among timers set at that earlier instant it counts
    as the last; running every beat orders it so unless those timers come from a chain
    set exactly one interval apart that started less than one interval apart.)
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock's time must be timezone-aware")
        self._now = start
        # (due, set at, order, number, timer): timers due together run in the order set.
        self._queue: list[tuple[datetime, datetime, float, int, _DrivenTimer]] = []
        self._numbers = itertools.count(1)

    def now(self) -> datetime:
        return self._now

    def call_at(self, when: datetime, callback: Callback) -> Timer:
        timer = _DrivenTimer(callback)
        now = self._now
        number = timer.entry = next(self._numbers)
        heapq.heappush(self._queue, (when if when > now else now, now, number, number, timer))
        return timer

    def call_later(self, delay_s: float, callback: Callback) -> Timer:
        return self.call_at(self._now + timedelta(seconds=delay_s), callback)

    def call_every(self, interval_s: float, callback: Callback) -> Timer:
        timer = _PeriodicTimer(callback, timedelta(seconds=_positive(interval_s)), self)
        self._set_by_run(timer, self._now)
        return timer

    @property
    def next_due(self) -> datetime | None:
        """When the earliest timer that is still set falls due; None when none is set."""
        queue = self._queue
        while queue and (queue[0][4].cancelled or queue[0][3] != queue[0][4].entry):
            heapq.heappop(queue)
        return queue[0][0] if queue else None

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
        start = self._now
        queue = self._queue
        while queue:
            due, _, _, number, timer = queue[0]
            if timer.cancelled or number != timer.entry:
                heapq.heappop(queue)
                continue
            if due > when:
                break
            heapq.heappop(queue)
            self._now = due
            if isinstance(timer, _PeriodicTimer):
                interval = timer.interval
                first = due
                if skip_missed:
                    # The window's one run is its first due time in it: an idle timer's
                    # entry may stand later, at a run the window skips.
                    first = due - interval * max(0, -((start - due) // interval) - 1)
                    upcoming = first + interval * ((when - first) // interval + 1)
                else:
                    upcoming = due + interval
                timer.next_run = upcoming
                self._set_by_run(timer, first)
                if first < due:
                    continue
            try:
                timer.callback()
            except Exception:
                log.exception("timer callback failed", callback=repr(timer.callback))
        self._now = when
        return when

    def _set_by_run(self, timer: _PeriodicTimer, run: datetime) -> None:
        """Queue a periodic timer for its next run, as its run at ``run`` sets it."""
        timer.set_at, timer.order = run, next(self._numbers)
        self._place(timer)

    def _place(self, timer: _PeriodicTimer) -> None:
        """Queue a periodic timer at its next run on the schedule, or, idle, at its first
        run from the time its owner named on (none while idle with no time named)."""
        upcoming = timer.next_run
        if timer.hinted:
            idle = timer.idle
            if idle is None:
                timer.entry = 0  # every entry of it is stale: it rests
                return
            low = max(idle, self._now)
            if low > upcoming:
                interval = timer.interval
                upcoming += interval * -((upcoming - low) // interval)
                number = next(self._numbers)
                self._enqueue(timer, upcoming, upcoming - interval, _LAST, number)
                return
        self._enqueue(timer, upcoming, timer.set_at, timer.order, next(self._numbers))

    def _enqueue(
        self, timer: _DrivenTimer, due: datetime, set_at: datetime, order: float, number: int
    ) -> None:
        timer.entry = number
        heapq.heappush(self._queue, (due, set_at, order, number, timer))
