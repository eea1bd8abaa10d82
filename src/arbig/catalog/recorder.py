"""The live recorder: every tick and 1-minute bar on the core's bus into the catalog.

It listens to ``EventType.TICK`` and ``EventType.BAR`` (ticks that passed the core's
hygiene, from whichever gateway runs) and only appends them to a list there. Every
``flush_interval_s`` a worker thread appends what came to one journal segment per
contract, kind and trading day, flushed and synced, so a killed process loses at
most the last interval. When a contract's trading day changes the previous day's
segments are closed and compacted into its Parquet files, in a thread of its own so
that the flushes go on meanwhile; at stop every segment is closed and compacted.
"""

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Protocol

from arbig.api.events import EventType
from arbig.catalog.catalog import Catalog
from arbig.catalog.journal import SegmentWriter
from arbig.catalog.layout import OPEN_SEGMENT, Kind
from arbig.catalog.schema import BARS, TICKS
from arbig.domain.bar import Bar
from arbig.domain.calendar import EXCHANGE_TZ
from arbig.domain.tick import Tick

log = logging.getLogger(__name__)

Handler = Callable[[EventType, Any], None]
_Key = tuple[Kind, str, date]


class Bus(Protocol):
    """The core's event bus, as far as the recorder uses it."""

    def subscribe(self, event_type: EventType, handler: Handler) -> None: ...

    def unsubscribe(self, event_type: EventType, handler: Handler) -> None: ...


class CatalogRecorder:
    """Ticks and bars from the bus to the catalog's journal, never on the tick path."""

    name = "catalog"

    def __init__(
        self,
        catalog: Catalog,
        *,
        flush_interval_s: float = 1.0,
        fsync: bool = True,
        max_pending: int = 1_000_000,
    ) -> None:
        self.catalog = catalog
        self._interval = flush_interval_s
        self._fsync = fsync
        self._max_pending = max_pending
        self._pending: list[Tick | Bar] = []
        self._writers: dict[_Key, SegmentWriter] = {}
        self._newest_day: dict[tuple[Kind, str], date] = {}
        self._bus: Bus | None = None
        self._task: asyncio.Task[None] | None = None
        self._flushing: asyncio.Future[set[str]] | None = None
        self._compactions: set[asyncio.Task[None]] = set()
        self._segments = 0
        self._failing = False
        self._lock = threading.Lock()  # a cancelled flush's thread may still be writing
        self.written = self.dropped = self.errors = 0

    def attach(self, bus: Bus) -> None:
        """Record every tick and bar published on ``bus`` from now on."""
        bus.subscribe(EventType.TICK, self._on_event)
        bus.subscribe(EventType.BAR, self._on_event)
        self._bus = bus

    def _on_event(self, _: EventType, value: Any) -> None:
        if isinstance(value, Tick | Bar):
            if len(self._pending) >= self._max_pending:
                self.dropped += 1  # the disk cannot keep up: the newest is not kept
                return
            self._pending.append(value)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="catalog-recorder")

    async def stop(self) -> None:
        """Detach, write what is buffered, close every segment and compact."""
        if self._bus is not None:
            self._bus.unsubscribe(EventType.TICK, self._on_event)
            self._bus.unsubscribe(EventType.BAR, self._on_event)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._flushing is not None:  # a batch already taken from the buffer
            await asyncio.gather(self._flushing, return_exceptions=True)
        if self._compactions:
            await asyncio.gather(*self._compactions, return_exceptions=True)
        await asyncio.to_thread(self._close_all)

    @property
    def healthy(self) -> bool:
        return not self._failing

    def stats(self) -> dict[str, int]:
        return {
            "written": self.written,
            "pending": len(self._pending),
            "dropped": self.dropped,
            "errors": self.errors,
        }

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            if self._pending:
                batch, self._pending = self._pending, []
                # Shielded: cancelling this task (stop) must not cancel a write still
                # waiting for its thread, which would lose the batch or run it after
                # the segments were closed; stop waits for it instead.
                self._flushing = asyncio.ensure_future(asyncio.to_thread(self._write, batch))
                rolled = await asyncio.shield(self._flushing)
                self._flushing = None
                for symbol in rolled:
                    task = asyncio.create_task(asyncio.to_thread(self._compact, symbol))
                    self._compactions.add(task)
                    task.add_done_callback(self._compactions.discard)

    # --- the worker threads (one flush at a time: each is awaited) -------------------

    def _write(self, batch: list[Tick | Bar]) -> set[str]:
        """Append ``batch``; the contracts whose previous trading day it closed."""
        with self._lock:
            return self._write_locked(batch)

    def _write_locked(self, batch: list[Tick | Bar]) -> set[str]:
        groups: dict[_Key, list[Any]] = {}
        for value in batch:
            if isinstance(value, Tick):
                key: _Key = (Kind.TICKS, value.symbol, value.trading_day)
            else:
                key = (Kind.BARS, value.symbol, value.trading_day)
            groups.setdefault(key, []).append(value)
        rolled: set[str] = set()
        for key, values in groups.items():
            kind, symbol, day = key
            newest = self._newest_day.get((kind, symbol))
            if newest is None or day > newest:
                self._newest_day[kind, symbol] = day
                rolled |= self._close_days_before(kind, symbol, day)
            try:
                shape = TICKS if kind is Kind.TICKS else BARS
                self._writer(key).append(shape.table(values))
                self.written += len(values)
                if self._failing:
                    log.info("catalog recorder writing again")
                self._failing = False
            except (OSError, ValueError) as exc:
                self._fail(key, len(values), exc)
        return rolled

    def _writer(self, key: _Key) -> SegmentWriter:
        writer = self._writers.get(key)
        if writer is None:
            kind, symbol, day = key
            self._segments += 1
            stamp = datetime.now(EXCHANGE_TZ).strftime("%Y%m%dT%H%M%S%f")
            name = f"{stamp}-{os.getpid()}-{self._segments}{OPEN_SEGMENT}"
            folder = self.catalog.layout.journal_day(kind, symbol, day)
            shape = TICKS if kind is Kind.TICKS else BARS
            writer = SegmentWriter(folder / name, shape.schema, fsync=self._fsync)
            self._writers[key] = writer
        return writer

    def _close_days_before(self, kind: Kind, symbol: str, day: date) -> set[str]:
        closed = set()
        for key in [k for k in self._writers if k[:2] == (kind, symbol) and k[2] < day]:
            self._close(key)
            closed.add(symbol)
        return closed

    def _close(self, key: _Key) -> None:
        writer = self._writers.pop(key)
        try:
            writer.close()
        except OSError as exc:
            writer.abandon()
            self.errors += 1
            log.error("catalog recorder: closing %s failed: %s", writer.path, exc)

    def _fail(self, key: _Key, count: int, exc: Exception) -> None:
        self.dropped += count
        self.errors += 1
        writer = self._writers.pop(key, None)
        if writer is not None:
            writer.abandon()  # its whole batches stay readable; the next flush opens anew
        if not self._failing:
            log.error("catalog recorder: writing %s %s %s failed: %s", *key, exc)
        self._failing = True

    def _compact(self, symbol: str) -> None:
        try:
            self.catalog.compact(symbol)
        except (OSError, ValueError) as exc:
            self.errors += 1
            log.error("catalog recorder: compacting %s failed: %s", symbol, exc)

    def _close_all(self) -> None:
        with self._lock:
            if self._pending:
                batch, self._pending = self._pending, []
                self._write_locked(batch)
            self._close_locked()

    def _close_locked(self) -> None:
        symbols = {key[1] for key in self._writers}
        for key in list(self._writers):
            self._close(key)
        for symbol in sorted(symbols):
            self._compact(symbol)
