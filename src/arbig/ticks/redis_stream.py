"""The Redis Streams tick store: ``market_data:{symbol}``, trimmed to about ``maxlen`` entries.

``add`` only appends to an in-process buffer; one background task drains it in
pipelined batches (several in flight on one connection, see ``redis_batch``), so
the tick path never waits for Redis. Entry ids are
assigned here, not by Redis: ``<tick ms>-<seq>``, strictly increasing per
stream. That makes a retried batch idempotent (an entry already written is
refused by Redis as "equal or smaller" and counted as a duplicate, never stored
twice) and lets a reader ask for a time range by id.

When Redis is unreachable the writer keeps the ticks, retries with backoff and
reports itself unhealthy; past ``max_pending`` buffered ticks the oldest are
dropped and counted in ``not_stored``. Reads fall back to an in-process mirror
of the recent ticks, so the console keeps its quotes: at once while the store is
unhealthy, and after ``READ_TIMEOUT_S`` when Redis does not answer a read. A Redis
that hangs (it keeps the connection and never answers) is unhealthy as soon as
work has waited ``STALL_S`` without an answer.
"""

import asyncio
import contextlib
import time
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
    stream_key,
    xadd_command,
    xadd_head,
)
from arbig.ticks.memory import MemoryTickStore
from arbig.ticks.redis_batch import Batch, XaddPipe
from arbig.ticks.redis_conn import (
    BACKOFF_MAX_S,
    BACKOFF_MIN_S,
    UNAVAILABLE,
    RedisUnavailable,
    check_redis,
    parse_id,
    raise_if_cancelled,
    raise_if_not_ready,
    safe_url,
    when_ready,
)

log = structlog.get_logger(__name__)

READ_TIMEOUT_S = 0.15  # a quote read answers within 200 ms, from the mirror if need be
STALL_S = 2.0  # work waiting this long without an answer: Redis is not answering

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
        in_flight: int = 4,
        max_pending: int = 200_000,
        prefix: str = STREAM_PREFIX,
    ) -> None:
        self.url = url
        self.maxlen = maxlen
        self.prefix = prefix
        self._batch_size = batch_size
        self._max_in_flight = max(1, in_flight)
        self._max_pending = max_pending
        self._redis: Redis = Redis.from_url(url, socket_connect_timeout=2.0, socket_timeout=5.0)
        # Quote reads give up quickly: the mirror answers instead.
        self._reads: Redis = Redis.from_url(
            url, socket_connect_timeout=READ_TIMEOUT_S, socket_timeout=READ_TIMEOUT_S
        )
        self._pipe = XaddPipe(url)
        self._pending: deque[Tick] = deque()
        # Batches sent and not yet answered, oldest first; and batches to send again,
        # before any new one, after a connection broke under them.
        self._in_flight: deque[Batch] = deque()
        self._resend: deque[Batch] = deque()
        self._heads: dict[str, str] = {}
        self._wake = asyncio.Event()
        # Held while batches are in flight (released only with none unanswered): a
        # clear must not overtake a batch.
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._last_id: dict[str, tuple[int, int]] = {}
        self._to_clear: set[str] = set()
        self._mirror = MemoryTickStore(maxlen)
        self._healthy = False
        self._answered_at = 0.0  # loop time of the last answer, or of work arriving idle
        self.stored = self.duplicates = self.not_stored = 0
        self.write_errors = self.reconnects = 0

    # --- lifecycle ------------------------------------------------------------------

    async def start(self) -> None:
        """Start the writer. An unreachable Redis is logged, not raised: the writer retries."""
        self._answered_at = time.monotonic()
        try:
            await when_ready(self._redis.ping())
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
            while self.pending and self._healthy and loop.time() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            self._stopping = True  # ends the loop even if redis-py swallows the cancel
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._task, 6.0)
            self._task = None
        # Unanswered batches may or may not have been stored: counted as not stored,
        # so that nothing is ever claimed that was not confirmed.
        self.not_stored += self.pending
        self._pending.clear()
        self._in_flight.clear()
        self._resend.clear()
        await self._pipe.aclose()
        await self._redis.aclose()
        await self._reads.aclose()

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
        """The newest tick (XREVRANGE COUNT 1); the in-process one if Redis is down or
        slow to answer."""
        if not self.healthy:
            return await self._mirror.latest(symbol)
        try:
            reply = await when_ready(self._reads.xrevrange(self.key(symbol), count=1))
        except UNAVAILABLE:  # a read timeout among them
            return await self._mirror.latest(symbol)
        entries = entries_of(reply)
        return decode_tick(symbol, entries[0][1]) if entries else None

    async def history(self, symbol: str, count: int) -> list[Tick]:
        """Up to ``count`` most recent ticks, oldest first."""
        if count <= 0:
            return []
        if not self.healthy:
            return await self._mirror.history(symbol, count)
        try:
            reply = await when_ready(self._reads.xrevrange(self.key(symbol), count=count))
        except UNAVAILABLE:  # a read timeout among them
            return await self._mirror.history(symbol, count)
        entries = entries_of(reply)
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
        """Delete ``symbol``'s stream, after any batch already on its way (batches waiting
        to be sent again after a lost connection included: the writer sends them first)."""
        self._pending = deque(t for t in self._pending if t.symbol != symbol)
        await self._mirror.clear(symbol)
        self._to_clear.add(symbol)
        self._wake.set()
        with contextlib.suppress(*UNAVAILABLE):
            async with self._lock:
                if not self._resend:
                    await self._flush_clears()

    def key(self, symbol: str) -> str:
        return stream_key(symbol, self.prefix)

    @property
    def healthy(self) -> bool:
        """Reachable, and answering: nothing waits ``STALL_S`` for a reply."""
        if not self._healthy:
            return False
        if not self.pending:
            return True
        return time.monotonic() - self._answered_at < STALL_S

    @property
    def pending(self) -> int:
        """Ticks not yet confirmed stored: buffered, or in batches awaiting an answer."""
        unanswered = sum(batch.size for batch in self._in_flight)
        return len(self._pending) + unanswered + sum(batch.size for batch in self._resend)

    def stats(self) -> WriterStats:
        return WriterStats(
            stored=self.stored,
            duplicates=self.duplicates,
            not_stored=self.not_stored,
            pending=self.pending,
            write_errors=self.write_errors,
            reconnects=self.reconnects,
            healthy=self.healthy,
        )

    @property
    def _safe_url(self) -> str:
        return safe_url(self.url)  # never log a password

    # --- the writer -----------------------------------------------------------------

    async def _run(self) -> None:
        backoff = BACKOFF_MIN_S
        while not self._stopping:
            if not self._pending and not self._resend and not self._to_clear:
                self._wake.clear()
                await self._wake.wait()
                self._answered_at = time.monotonic()
                continue
            try:
                async with self._lock:
                    # With a clear waiting, the first pump only finishes the batches on
                    # their way, so that they land before the stream is deleted.
                    await self._pump()
                    await self._flush_clears()
                    await self._pump()
                if not self._healthy:
                    self.reconnects += 1
                    log.info("redis tick store reconnected", url=self._safe_url)
                self._healthy = True
                backoff = BACKOFF_MIN_S
            except UNAVAILABLE as exc:
                raise_if_cancelled()
                if self._healthy:
                    log.warning("redis tick store lost; retrying", url=self._safe_url, error=exc)
                self._healthy = False
                self.write_errors += 1
                await self._broken()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_S)
            except Exception:  # a bug must not end the writer: log it and go on
                # The batches in flight are not to blame (a batch that cannot be taken is
                # counted in _take_batch) and their ids make sending them again safe; the
                # connection, though, may be out of step with its replies: a new one.
                log.exception("redis tick writer failed; unanswered batches go again")
                self.write_errors += 1
                await self._broken()
                await asyncio.sleep(backoff)  # never in a hot loop, whatever keeps failing
                backoff = min(backoff * 2, BACKOFF_MAX_S)

    async def _pump(self) -> None:
        """Send batches, up to ``in_flight`` ahead of their replies, until the buffer is
        empty and every batch is answered. While a clear waits, only the batches already
        on their way (in flight, or to be sent again) go."""
        pipe, in_flight = self._pipe, self._in_flight
        while True:
            while len(in_flight) < self._max_in_flight:
                if self._resend:
                    batch = self._resend.popleft()
                elif self._pending and not self._to_clear:
                    batch = await self._take_batch()
                else:
                    break
                in_flight.append(batch)  # first: a failed send leaves it to be sent again
                await pipe.send(batch)
                # Encoding a batch holds the event loop for a few milliseconds, and a send
                # into a socket with room does not yield: let the tick path run between.
                await asyncio.sleep(0)
            if not in_flight:
                return
            result = await pipe.replies(in_flight[0])
            self._answered_at = time.monotonic()
            in_flight.popleft()
            self.stored += result.stored
            self.duplicates += result.duplicates  # written before a connection broke
            self.not_stored += result.refused

    async def _broken(self) -> None:
        """After a connection error: every unanswered batch goes again, in order."""
        self._resend.extendleft(reversed(self._in_flight))
        self._in_flight.clear()
        await self._pipe.close()

    async def _take_batch(self) -> Batch:
        """Up to ``batch_size`` buffered ticks with their entry ids, encoded once.

        Ids are fixed here, so that a batch sent again carries the same ids."""
        pending = self._pending
        count = min(self._batch_size, len(pending))
        ticks = [pending.popleft() for _ in range(count)]
        try:
            await self._seed({t.symbol for t in ticks} - self._last_id.keys())
            return self._encode(ticks)
        except UNAVAILABLE:
            pending.extendleft(reversed(ticks))  # not taken after all: sent when Redis is back
            raise
        except Exception:
            # Not transient: keeping the ticks would fail the same way forever. Counted,
            # never hidden.
            self.not_stored += count
            raise
        except BaseException:
            pending.extendleft(reversed(ticks))  # cancelled: stop() counts what is left
            raise

    def _encode(self, ticks: list[Tick]) -> Batch:
        commands = []
        last_id, heads = self._last_id, self._heads
        for tick in ticks:
            symbol = tick.symbol
            try:
                ms = epoch_ms(tick.datetime)
                head = heads.get(symbol)
                if head is None:
                    head = heads[symbol] = xadd_head(self.key(symbol), self.maxlen)
                last_ms, last_seq = last_id[symbol]
                # A tick stamped no later than the stream's top (same millisecond, or a
                # clock step back) goes right after it: ids must grow.
                if ms > last_ms:
                    entry = (ms, 0)
                    entry_id = f"{ms}-0"
                else:
                    entry = (last_ms, last_seq + 1)
                    entry_id = f"{last_ms}-{last_seq + 1}"
                commands.append(xadd_command(head, entry_id, tick, ms))
                last_id[symbol] = entry
            except Exception:  # one malformed tick must not cost the batch
                self.not_stored += 1
                log.exception("tick cannot be encoded for redis; not stored", symbol=symbol)
        return Batch("".join(commands).encode(), len(commands))

    async def _seed(self, symbols: set[str]) -> None:
        """Learn each new stream's top id, so ours continue above it."""
        if not symbols:
            return
        ordered = sorted(symbols)
        async with self._redis.pipeline(transaction=False) as pipe:
            for symbol in ordered:
                pipe.xrevrange(self.key(symbol), count=1)
            tops = await pipe.execute(raise_on_error=False)
        for symbol, top in zip(ordered, tops, strict=True):
            if isinstance(top, UNAVAILABLE):
                raise top
            if isinstance(top, Exception):
                # A "not yet" reply is retried: a stream read as empty would start our
                # ids below its top, and Redis would refuse every tick as a duplicate.
                raise_if_not_ready(top)
                # Anything else means not a stream (WRONGTYPE): its XADDs will be refused
                # and counted one by one, while the other symbols' ticks are stored.
                log.error("cannot read the top of a tick stream", key=self.key(symbol), error=top)
                top = None
            entries = entries_of(top)
            self._last_id[symbol] = parse_id(entries[0][0]) if entries else (0, 0)

    async def _flush_clears(self) -> None:
        while self._to_clear:
            symbol = next(iter(self._to_clear))
            await when_ready(self._redis.delete(self.key(symbol)))
            self._to_clear.discard(symbol)
