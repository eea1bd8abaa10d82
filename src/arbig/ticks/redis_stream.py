"""The Redis Streams tick store: ``market_data:{symbol}``, trimmed to about ``maxlen`` entries.

``add`` only appends to an in-process buffer; one background task drains it in
pipelined batches, so the tick path never waits for Redis. Entry ids are
assigned here, not by Redis: ``<tick ms>-<seq>``, strictly increasing per
stream. That makes a retried batch idempotent (an entry already written is
refused by Redis as "equal or smaller" and counted as a duplicate, never stored
twice) and lets a reader ask for a time range by id.

When Redis is unreachable the writer keeps the ticks, retries with backoff and
reports itself unhealthy; past ``max_pending`` buffered ticks the oldest are
dropped and counted in ``not_stored``. Reads fall back to an in-process mirror
of the recent ticks, so the console keeps its quotes.
"""

import asyncio
import contextlib
from collections import deque
from dataclasses import dataclass
from datetime import datetime

import structlog
from redis.asyncio import Redis

from arbig.domain.tick import Tick
from arbig.ticks.codec import (
    STREAM_PREFIX,
    decode_tick,
    entries_of,
    epoch_ms,
    pack_tick,
    stream_key,
)
from arbig.ticks.memory import MemoryTickStore
from arbig.ticks.redis_batch import BatchWriter, Entry
from arbig.ticks.redis_conn import (
    BACKOFF_MAX_S,
    BACKOFF_MIN_S,
    UNAVAILABLE,
    RedisUnavailable,
    check_redis,
    parse_id,
    safe_url,
)

log = structlog.get_logger(__name__)

__all__ = ["RedisTickStore", "RedisUnavailable", "WriterStats", "check_redis"]


@dataclass(frozen=True, slots=True)
class WriterStats:
    """What the writer has done since start; ``not_stored`` ticks never reached Redis."""

    stored: int
    duplicates: int
    not_stored: int
    pending: int
    write_errors: int
    reconnects: int
    healthy: bool


class RedisTickStore:
    """A ``TickStore`` on Redis Streams. See the module docstring for the guarantees."""

    name = "redis"

    def __init__(
        self,
        url: str,
        *,
        maxlen: int = 1000,
        batch_size: int = 500,
        max_pending: int = 200_000,
        prefix: str = STREAM_PREFIX,
    ) -> None:
        self.url = url
        self.maxlen = maxlen
        self.prefix = prefix
        self._batch_size = batch_size
        self._max_pending = max_pending
        self._redis: Redis = Redis.from_url(url, socket_connect_timeout=2.0, socket_timeout=5.0)
        self._writer = BatchWriter(self._redis, maxlen)
        self._pending: deque[Tick] = deque()
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()  # one write at a time: a clear must not overtake a batch
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._last_id: dict[str, tuple[int, int]] = {}
        self._to_clear: set[str] = set()
        self._mirror = MemoryTickStore(maxlen)
        self._healthy = False
        self.stored = self.duplicates = self.not_stored = 0
        self.write_errors = self.reconnects = 0

    # --- lifecycle ------------------------------------------------------------------

    async def start(self) -> None:
        """Start the writer. An unreachable Redis is logged, not raised: the writer retries."""
        try:
            await self._redis.ping()
            self._healthy = True
        except UNAVAILABLE as exc:
            log.warning("redis tick store unreachable; will retry", url=self._safe_url, error=exc)
        self._task = asyncio.create_task(self._run(), name="redis-tick-writer")

    async def stop(self, timeout_s: float = 3.0) -> None:
        """Write what is buffered (waiting at most ``timeout_s``), then close."""
        if self._task is not None:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout_s
            # Polling is fine here: it runs once, at shutdown.
            while self._pending and self._healthy and loop.time() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            self._stopping = True  # ends the loop even if redis-py swallows the cancel
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._task, 6.0)
            self._task = None
        self.not_stored += len(self._pending)
        self._pending.clear()
        await self._redis.aclose()

    # --- the tick path --------------------------------------------------------------

    def add(self, tick: Tick) -> None:
        """Buffer ``tick`` for the writer; O(1), never waits."""
        if len(self._pending) >= self._max_pending:
            self._pending.popleft()
            self.not_stored += 1
        self._pending.append(tick)
        self._mirror.add(tick)
        self._wake.set()

    # --- reads ----------------------------------------------------------------------

    async def latest(self, symbol: str) -> Tick | None:
        """The newest tick (XREVRANGE COUNT 1); the in-process one if Redis is down."""
        try:
            entries = entries_of(await self._redis.xrevrange(self.key(symbol), count=1))
        except UNAVAILABLE:
            return await self._mirror.latest(symbol)
        return decode_tick(symbol, entries[0][1]) if entries else None

    async def history(self, symbol: str, count: int) -> list[Tick]:
        """Up to ``count`` most recent ticks, oldest first."""
        if count <= 0:
            return []
        try:
            entries = entries_of(await self._redis.xrevrange(self.key(symbol), count=count))
        except UNAVAILABLE:
            return await self._mirror.history(symbol, count)
        return [decode_tick(symbol, fields) for _, fields in reversed(entries)]

    async def between(
        self, symbol: str, start: datetime, end: datetime, count: int = 1000
    ) -> list[Tick]:
        """Ticks stamped in [start, end] still in the window (XRANGE by id), oldest first."""
        entries = entries_of(
            await self._redis.xrange(
                self.key(symbol), min=f"{epoch_ms(start)}-0", max=f"{epoch_ms(end)}", count=count
            )
        )
        return [decode_tick(symbol, fields) for _, fields in entries]

    async def clear(self, symbol: str) -> None:
        """Delete ``symbol``'s stream, after any batch already on its way."""
        self._pending = deque(t for t in self._pending if t.symbol != symbol)
        await self._mirror.clear(symbol)
        self._to_clear.add(symbol)
        with contextlib.suppress(*UNAVAILABLE):
            async with self._lock:
                await self._flush_clears()

    def key(self, symbol: str) -> str:
        return stream_key(symbol, self.prefix)

    @property
    def healthy(self) -> bool:
        return self._healthy

    @property
    def pending(self) -> int:
        return len(self._pending)

    def stats(self) -> WriterStats:
        return WriterStats(
            stored=self.stored,
            duplicates=self.duplicates,
            not_stored=self.not_stored,
            pending=len(self._pending),
            write_errors=self.write_errors,
            reconnects=self.reconnects,
            healthy=self._healthy,
        )

    @property
    def _safe_url(self) -> str:
        return safe_url(self.url)  # never log a password

    # --- the writer -----------------------------------------------------------------

    async def _run(self) -> None:
        backoff = BACKOFF_MIN_S
        batch: list[Entry] = []
        while not self._stopping:
            if not batch and not self._pending and not self._to_clear:
                self._wake.clear()
                await self._wake.wait()
                continue
            try:
                async with self._lock:
                    await self._flush_clears()
                    if not batch:
                        batch = await self._take_batch()
                    await self._write(batch)
                batch = []
                if not self._healthy:
                    self.reconnects += 1
                    log.info("redis tick store reconnected", url=self._safe_url)
                self._healthy = True
                backoff = BACKOFF_MIN_S
            except UNAVAILABLE as exc:
                if self._healthy:
                    log.warning("redis tick store lost; retrying", url=self._safe_url, error=exc)
                self._healthy = False
                self.write_errors += 1
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_S)
            except Exception:  # a bug must not end the writer: log, drop the batch, go on
                log.exception("redis tick writer failed; batch dropped", size=len(batch))
                self.not_stored += len(batch)
                batch = []

    async def _take_batch(self) -> list[Entry]:
        """Up to ``batch_size`` buffered ticks with their entry ids, encoded once.

        Ids are fixed here, so that a retried batch carries the same ids."""
        count = min(self._batch_size, len(self._pending))
        ticks = [self._pending.popleft() for _ in range(count)]
        try:
            await self._seed({t.symbol for t in ticks} - self._last_id.keys())
        except BaseException:
            self._pending.extendleft(reversed(ticks))  # not taken after all
            raise
        batch = []
        last_id = self._last_id
        for tick in ticks:
            ms = epoch_ms(tick.datetime)
            last_ms, last_seq = last_id[tick.symbol]
            # A tick stamped no later than the stream's top (same millisecond, or a
            # clock step back) goes right after it: ids must grow.
            new = (ms, 0) if ms > last_ms else (last_ms, last_seq + 1)
            last_id[tick.symbol] = new
            entry_id = f"{new[0]}-{new[1]}"
            batch.append((self.key(tick.symbol), entry_id, pack_tick(tick, ms)))
        return batch

    async def _seed(self, symbols: set[str]) -> None:
        """Learn each new stream's top id, so ours continue above it."""
        if not symbols:
            return
        ordered = sorted(symbols)
        async with self._redis.pipeline(transaction=False) as pipe:
            for symbol in ordered:
                pipe.xrevrange(self.key(symbol), count=1)
            tops = await pipe.execute()
        for symbol, top in zip(ordered, tops, strict=True):
            entries = entries_of(top)
            self._last_id[symbol] = parse_id(entries[0][0]) if entries else (0, 0)

    async def _write(self, batch: list[Entry]) -> None:
        result = await self._writer.write(batch)
        self.stored += result.stored
        self.duplicates += result.duplicates  # written before a connection broke
        self.not_stored += result.refused

    async def _flush_clears(self) -> None:
        while self._to_clear:
            symbol = next(iter(self._to_clear))
            await self._redis.delete(self.key(symbol))
            self._to_clear.discard(symbol)
