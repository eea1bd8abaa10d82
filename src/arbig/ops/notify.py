"""Notifications through apprise, never in the trading loop's way.

``Notifier.notify`` is synchronous and only appends to a queue: it is called from
bus handlers. Each channel (one apprise URL) has its own bounded queue and its own
sender task, so a channel that is down delays no other; a full queue drops its
oldest message and counts it. A send is retried with exponential backoff; after
``breaker_failures`` failed sends the channel's circuit breaker opens: messages are
skipped (and counted) until ``breaker_reset_s`` has passed, when one message tries
the channel again and closes the breaker if it gets through.

Which events go to which channel, quiet hours (exchange time; urgent events pass)
and a rate per event kind and minute are settings (``[notify]``).
"""

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as clock_time
from functools import partial

import apprise
import structlog

from arbig.domain.calendar import to_exchange_time
from arbig.ops.metrics import Metrics
from arbig.opsconfig import URGENT, ChannelSettings, NotifyEvent, NotifySettings

log = structlog.get_logger(__name__)
WALL_CLOCK: Callable[[], datetime] = partial(datetime.now, UTC)


@dataclass(frozen=True, slots=True)
class Message:
    event: NotifyEvent
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class ChannelReport:
    """One channel's state, for the console and ``arbig notify test``."""

    name: str
    scheme: str
    events: list[str]
    queued: int
    breaker_open: bool
    sent: int
    failed: int
    last_error: str


class Breaker:
    """Closed until ``threshold`` failures in a row; open for ``reset_s``; then one trial."""

    def __init__(self, threshold: int, reset_s: float, clock: Callable[[], float]) -> None:
        self._threshold = threshold
        self._reset_s = reset_s
        self._clock = clock
        self.failures = 0
        self.opened_at: float | None = None

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None

    def allows(self) -> bool:
        """A send may be tried now (closed, or open long enough for a trial)."""
        return self.opened_at is None or self._clock() - self.opened_at >= self._reset_s

    def succeeded(self) -> None:
        self.failures = 0
        self.opened_at = None

    def failed(self) -> None:
        self.failures += 1
        if self.opened_at is not None or self.failures >= self._threshold:
            self.opened_at = self._clock()  # a failed trial opens it for another period


class Channel:
    def __init__(
        self,
        name: str,
        settings: ChannelSettings,
        notify: NotifySettings,
        metrics: Metrics,
        clock: Callable[[], float],
    ) -> None:
        self.name = name
        self.url = settings.url
        self.events = frozenset(settings.events)
        self._settings = notify
        self._apprise = apprise.Apprise()
        if not self._apprise.add(settings.url):
            raise ValueError(f"notify.channels.{name}.url: apprise cannot use {settings.url!r}")
        self.queue: deque[Message] = deque()
        self.breaker = Breaker(notify.breaker_failures, notify.breaker_reset_s, clock)
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()  # set while nothing is queued or being sent
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self._metrics = metrics
        self._breaker_gauge = metrics.notification_breaker.labels(channel=name)
        self._breaker_gauge.set(0)
        self.sent = self.failed = 0
        self.last_error = ""

    def put(self, message: Message) -> None:
        if len(self.queue) >= self._settings.queue_size:
            self.queue.popleft()
            self._metrics.notifications_dropped.labels(reason="queue_full").inc()
        self.queue.append(message)
        self._idle.clear()
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"notify-{self.name}")

    async def stop(self, drain_s: float) -> None:
        if self._task is None:
            return
        self._wake.set()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(drain_s):
                await self._idle.wait()
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def send_now(self, message: Message) -> bool:
        """Deliver ``message`` once, past the queue and the breaker (the test message)."""
        return await self._attempt(message)

    async def _run(self) -> None:
        while True:
            if not self.queue:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            message = self.queue.popleft()
            if not self.breaker.allows():
                self._count("skipped")
                continue
            await self._deliver(message)

    async def _deliver(self, message: Message) -> None:
        delay = self._settings.retry_initial_s
        trial = self.breaker.is_open  # a half-open breaker gets one attempt
        attempts = 1 if trial else 1 + self._settings.retries
        for attempt in range(attempts):
            if await self._attempt(message):
                self.breaker.succeeded()
                self._breaker_gauge.set(0)
                return
            if attempt + 1 < attempts:
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._settings.retry_max_s)
        self.breaker.failed()
        if self.breaker.is_open:
            self._breaker_gauge.set(1)
            log.warning(
                "notification channel failing: breaker open",
                channel=self.name,
                retry_in_s=self._settings.breaker_reset_s,
            )

    async def _attempt(self, message: Message) -> bool:
        try:
            result = await self._apprise.async_notify(
                body=message.body, title=message.title, timeout=self._settings.timeout_s
            )
            ok = bool(result)
            error = "" if ok else "not delivered (see the apprise log)"
        except Exception as exc:  # a plugin's bug must not end the sender
            ok, error = False, f"{type(exc).__name__}: {exc}"
        self._count("sent" if ok else "failed")
        if ok:
            self.sent += 1
        else:
            self.failed += 1
            self.last_error = error
        return ok

    def _count(self, outcome: str) -> None:
        self._metrics.notifications.labels(channel=self.name, outcome=outcome).inc()

    def report(self) -> ChannelReport:
        return ChannelReport(
            self.name,
            self.url.partition("://")[0],
            sorted(self.events),
            len(self.queue),
            self.breaker.is_open,
            self.sent,
            self.failed,
            self.last_error,
        )


class Notifier:
    """Routes each message to the channels that want its event; see the module docstring."""

    def __init__(
        self,
        settings: NotifySettings,
        metrics: Metrics,
        *,
        clock: Callable[[], datetime] = WALL_CLOCK,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._metrics = metrics
        self._clock = clock
        self._monotonic = monotonic
        self.channels = [
            Channel(name, channel, settings, metrics, monotonic)
            for name, channel in settings.channels.items()
        ]
        self._sent_at: dict[NotifyEvent, deque[float]] = {}
        self._unregister: Callable[[], None] | None = None

    def start(self) -> None:
        for channel in self.channels:
            channel.start()
        self._metrics.notification_queue.set_function(
            lambda: sum(len(channel.queue) for channel in self.channels)
        )

    async def stop(self, drain_s: float = 2.0) -> None:
        """Give the queued messages a moment to go out, then stop the senders."""
        await asyncio.gather(*(channel.stop(drain_s) for channel in self.channels))

    def notify(self, event: NotifyEvent, title: str, body: str = "") -> None:
        """Queue a message for every channel that takes ``event``; never blocks."""
        targets = [channel for channel in self.channels if event in channel.events]
        if not targets:
            return
        if event not in URGENT and self._quiet_now():
            self._metrics.notifications_dropped.labels(reason="quiet_hours").inc()
            return
        if not self._within_rate(event):
            self._metrics.notifications_dropped.labels(reason="rate_limited").inc()
            return
        message = Message(event, f"ARBIG: {title}", body or title)
        for channel in targets:
            channel.put(message)

    async def test(self) -> dict[str, bool]:
        """Send a test message to every channel at once; the result per channel."""
        message = Message(
            NotifyEvent.TEST, "ARBIG: test message", "Notifications from ARBIG reach you here."
        )
        results = await asyncio.gather(*(channel.send_now(message) for channel in self.channels))
        return {channel.name: ok for channel, ok in zip(self.channels, results, strict=True)}

    def reports(self) -> list[ChannelReport]:
        return [channel.report() for channel in self.channels]

    def _quiet_now(self) -> bool:
        start, end = self.settings.quiet_start, self.settings.quiet_end
        if start is None or end is None:
            return False
        now = to_exchange_time(self._clock())
        return in_window(now.time(), start, end)

    def _within_rate(self, event: NotifyEvent) -> bool:
        limit = self.settings.rate_limits.get(event, self.settings.rate_per_minute)
        now = self._monotonic()
        sent = self._sent_at.setdefault(event, deque())
        while sent and now - sent[0] >= 60.0:
            sent.popleft()
        if len(sent) >= limit:
            return False
        sent.append(now)
        return True


def in_window(moment: clock_time, start: clock_time, end: clock_time) -> bool:
    """``moment`` in [start, end); a window past midnight (22:00-07:00) wraps."""
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end
