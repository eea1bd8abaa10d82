"""Optional export of ticks and bars to InfluxDB (1.x HTTP API, line protocol).

Off by default; ``ARBIG_INFLUX_URL`` (e.g. ``http://127.0.0.1:8086``) turns it on.
It listens to ``EventType.TICK`` and ``EventType.BAR`` on the core's bus and only
appends the value to a bounded buffer there; a background task formats and
posts batches (``/write?precision=ms``). An unreachable server is retried with
backoff; past ``max_pending`` values the oldest are dropped and counted in
``dropped``. It is a copy for charts and analysis, not a record: InfluxDB keeps
prices as float64.

Measurements: ``tick`` and ``bar``, tagged ``symbol`` and ``exchange``/``trading_day``;
the time is the tick's exchange timestamp or the bar's start.
"""

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

import httpx
import structlog

from arbig.api.events import EventType
from arbig.codec import text_fields
from arbig.domain.bar import Bar
from arbig.domain.tick import Tick
from arbig.ticks.codec import epoch_ms

log = structlog.get_logger(__name__)

BACKOFF_MIN_S = 0.5
BACKOFF_MAX_S = 30.0


# The fields each measurement carries, in the order they are written.
TICK_FIELDS = (
    "last_price",
    "volume",
    "turnover",
    "open_interest",
    "bid_price",
    "bid_volume",
    "ask_price",
    "ask_volume",
    "high_price",
    "low_price",
    "open_price",
)
BAR_FIELDS = ("open", "high", "low", "close", "volume", "turnover", "open_interest")


def _field_set(values: dict[str, Any], names: tuple[str, ...]) -> str:
    # Integers are written with line protocol's ``i``; prices as their exact decimal text.
    return ",".join(
        f"{name}={value}i" if isinstance(value, int) else f"{name}={value}"
        for name, value in ((name, values[name]) for name in names)
    )


def tick_line(tick: Tick) -> str:
    """One tick in line protocol (prices as their exact decimal text)."""
    values = text_fields(tick)
    return (
        f"tick,symbol={tick.symbol},exchange={values['exchange']} "
        f"{_field_set(values, TICK_FIELDS)} {epoch_ms(tick.datetime)}"
    )


def bar_line(bar: Bar) -> str:
    """One 1-minute bar in line protocol, stamped with its start."""
    values = text_fields(bar)
    return (
        f"bar,symbol={bar.symbol},trading_day={values['trading_day']} "
        f"{_field_set(values, BAR_FIELDS)} {epoch_ms(bar.start)}"
    )


Handler = Callable[[EventType, Any], None]


class Bus(Protocol):
    """The core's event bus, as far as the exporter uses it."""

    def subscribe(self, event_type: EventType, handler: Handler) -> None: ...

    def unsubscribe(self, event_type: EventType, handler: Handler) -> None: ...


class InfluxExporter:
    """Ticks and bars from the bus to InfluxDB, in batches, never on the tick path."""

    name = "influxdb"

    def __init__(
        self,
        url: str,
        database: str = "arbig",
        *,
        batch_size: int = 5000,
        interval_s: float = 1.0,
        max_pending: int = 200_000,
        timeout_s: float = 5.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.database = database
        self._batch_size = batch_size
        self._interval_s = interval_s
        self._pending: deque[Tick | Bar] = deque(maxlen=max_pending)
        self._http = httpx.AsyncClient(timeout=timeout_s)
        self._task: asyncio.Task[None] | None = None
        self._bus: Bus | None = None
        self._healthy = False
        self._database_ready = False
        self.written = self.dropped = self.errors = 0

    def attach(self, bus: Bus) -> None:
        """Export every tick and bar published on ``bus`` from now on."""
        bus.subscribe(EventType.TICK, self._on_event)
        bus.subscribe(EventType.BAR, self._on_event)
        self._bus = bus

    def _on_event(self, _: EventType, value: Any) -> None:
        if isinstance(value, Tick | Bar):
            if len(self._pending) == self._pending.maxlen:
                self.dropped += 1  # the deque drops the oldest; say so
            self._pending.append(value)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="influx-exporter")

    async def stop(self, drain_s: float = 3.0) -> None:
        """Detach, post what is buffered (waiting at most ``drain_s``), close."""
        if self._bus is not None:
            self._bus.unsubscribe(EventType.TICK, self._on_event)
            self._bus.unsubscribe(EventType.BAR, self._on_event)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drain(), drain_s)
        self.dropped += len(self._pending)
        self._pending.clear()
        await self._http.aclose()

    @property
    def healthy(self) -> bool:
        return self._healthy

    def stats(self) -> dict[str, Any]:
        return {
            "healthy": self._healthy,
            "written": self.written,
            "pending": len(self._pending),
            "dropped": self.dropped,
            "errors": self.errors,
        }

    async def _run(self) -> None:
        backoff = BACKOFF_MIN_S
        while True:
            await asyncio.sleep(self._interval_s)
            try:
                await self._drain()
                backoff = BACKOFF_MIN_S
            except (httpx.HTTPError, InfluxRefused) as exc:
                if self._healthy:
                    log.warning("influxdb export failing; retrying", url=self.url, error=str(exc))
                self._healthy = False
                self.errors += 1
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_S)

    async def _drain(self) -> None:
        if not self._database_ready:
            await self._post("/query", data={"q": f'CREATE DATABASE "{self.database}"'})
            self._database_ready = True
        while self._pending:
            count = min(self._batch_size, len(self._pending))
            values = [self._pending[i] for i in range(count)]
            body = "\n".join(tick_line(v) if isinstance(v, Tick) else bar_line(v) for v in values)
            response = await self._http.post(
                f"{self.url}/write",
                params={"db": self.database, "precision": "ms"},
                content=body.encode(),
            )
            if response.status_code == 400:  # a verdict on the lines: retrying cannot help
                self.dropped += count
                log.error("influxdb refused a batch", count=count, error=response.text[:200])
            elif response.status_code >= 300:
                raise InfluxRefused(f"/write: HTTP {response.status_code} {response.text[:200]}")
            else:
                self.written += count
            for _ in range(count):  # removed only once answered: a failed post is retried
                self._pending.popleft()
        if not self._healthy:
            log.info("influxdb export running", url=self.url, database=self.database)
        self._healthy = True

    async def _post(self, path: str, **kwargs: Any) -> None:
        response = await self._http.post(f"{self.url}{path}", **kwargs)
        if response.status_code >= 300:
            raise InfluxRefused(f"{path}: HTTP {response.status_code} {response.text[:200]}")


class InfluxRefused(RuntimeError):
    """InfluxDB answered, but refused the request."""
