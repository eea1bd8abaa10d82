"""The core's events onto the Redis event stream, for every web replica to follow.

Each bus event is encoded at once (the payloads are immutable values) and queued; one
task writes what is queued as a pipeline of XADDs (MAXLEN ~). While Redis is away the
queue is bounded: what overflows is dropped and a gap marker is written first when
Redis is back, so each replica re-reads its state instead of trusting a hole. A trade
also moves the report cache's generation, so no replica answers a stale report.
"""

import asyncio
import contextlib
from typing import Any

import structlog
from redis.asyncio import Redis

from arbig.api.events import EventType
from arbig.engine.book import Events
from arbig.host.wire import GAP, BusKeys, event_fields
from arbig.ticks.redis_conn import (
    BACKOFF_MAX_S,
    BACKOFF_MIN_S,
    UNAVAILABLE,
    Stopper,
    raise_if_cancelled,
    when_ready,
)

log = structlog.get_logger(__name__)

QUEUE_LIMIT = 50_000
BATCH = 500


class EventPublisher:
    def __init__(self, redis: Redis, keys: BusKeys, bus: Events, *, maxlen: int) -> None:
        self._redis = redis
        self._keys = keys
        self._bus = bus
        self._maxlen = maxlen
        self._queue: list[dict[bytes, bytes]] = []
        self._trades = 0
        self._dropped = 0
        self._wakeup = asyncio.Event()
        self._idle = asyncio.Event()  # set while nothing is queued
        self._task: asyncio.Task[None] | None = None
        self._stopper = Stopper()
        self.written = 0

    def _on_event(self, event_type: EventType, payload: Any) -> None:
        if len(self._queue) >= QUEUE_LIMIT:
            self._dropped += len(self._queue)
            self._queue.clear()
        self._queue.append(event_fields(event_type, payload))
        if event_type is EventType.TRADE:
            self._trades += 1
        self._idle.clear()
        self._wakeup.set()

    async def start(self) -> None:
        for event_type in EventType:
            self._bus.subscribe(event_type, self._on_event)
        self._task = asyncio.create_task(self._run(), name="event-publisher")

    async def stop(self) -> None:
        for event_type in EventType:
            self._bus.unsubscribe(event_type, self._on_event)
        if self._task is not None:
            # What is queued goes out first, within a second.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1.0):
                    await self._idle.wait()
            self._wakeup.set()  # seen with the stop: no await comes between
            await self._stopper.stop(self._task, interrupt=True)

    async def _run(self) -> None:
        backoff = BACKOFF_MIN_S
        while not self._stopper.stopped():
            if not self._queue:
                self._idle.set()
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            batch, self._queue = self._queue[:BATCH], self._queue[BATCH:]
            trades, self._trades = self._trades, 0
            dropped = self._dropped
            try:
                await self._write(batch, trades, gap=dropped > 0)
            except UNAVAILABLE as exc:
                raise_if_cancelled()
                # Kept to be written when Redis is back (bounded by QUEUE_LIMIT).
                self._queue[:0] = batch
                self._trades += trades
                log.warning("event stream unavailable; retrying", error=str(exc))
                await self._stopper.pause(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_S)
                continue
            backoff = BACKOFF_MIN_S
            self._dropped -= dropped
            self.written += len(batch)

    async def _write(self, batch: list[dict[bytes, bytes]], trades: int, *, gap: bool) -> None:
        key = self._keys.events
        async with self._redis.pipeline(transaction=False) as pipe:
            if gap:
                pipe.xadd(key, {b"t": GAP}, maxlen=self._maxlen, approximate=True)
            for fields in batch:
                pipe.xadd(key, fields, maxlen=self._maxlen, approximate=True)  # type: ignore[arg-type]
            if trades:
                pipe.incr(self._keys.cache_generation)
            await when_ready(pipe.execute())
