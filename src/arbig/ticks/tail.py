"""Following a tick stream live (XREAD BLOCK), across interruptions, without duplicates.

The reader remembers the id of the last entry it yielded and always asks for
what comes after it, so a broken connection, a Redis restart or a slow consumer
never yields an entry twice. What it cannot get back it says: a ``TailGap`` is
yielded before the entries that follow a hole:

- the reader fell more than the trimmed window behind (its last entry was
  trimmed away, and the stream's first entry lies beyond it);
- Redis restarted (its ``run_id`` changed), so entries written to the old
  instance after the reader's last one may be gone.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import structlog
from redis.asyncio import Redis

from arbig.domain.tick import Tick
from arbig.ticks.codec import STREAM_PREFIX, decode_tick, entries_of, stream_key
from arbig.ticks.redis_conn import (
    BACKOFF_MAX_S,
    BACKOFF_MIN_S,
    UNAVAILABLE,
    parse_id,
    raise_if_cancelled,
    when_ready,
)

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class TailTick:
    """One tick as read from the stream, with its entry id."""

    entry_id: str
    tick: Tick


@dataclass(frozen=True, slots=True)
class TailGap:
    """Entries after ``last_id`` may be missing; reading goes on from ``resumed_after``."""

    symbol: str
    last_id: str
    resumed_after: str
    reason: str


TailEvent = TailTick | TailGap


class StreamTail:
    """An async iterator over a symbol's stream, starting after ``after``.

    ``after="$"`` starts with the next tick written; ``"0-0"`` with the oldest still
    kept; any entry id resumes after that entry. ``interruptions`` counts the
    connection failures ridden out.
    """

    def __init__(
        self,
        url: str,
        symbol: str,
        *,
        after: str = "$",
        block_ms: int = 1000,
        count: int = 100,
        prefix: str = STREAM_PREFIX,
    ) -> None:
        self.symbol = symbol
        self.key = stream_key(symbol, prefix)
        self.last_id = after
        self.interruptions = 0
        self._block_ms = block_ms
        self._count = count
        # Blocking reads need a socket timeout longer than the block.
        self._redis: Redis = Redis.from_url(
            url, socket_connect_timeout=2.0, socket_timeout=block_ms / 1000 + 5.0
        )
        self._run_id: str | None = None
        self._closed = False

    def __aiter__(self) -> AsyncIterator[TailEvent]:
        return self._events()

    def closed(self) -> bool:
        return self._closed

    async def aclose(self) -> None:
        """End the iteration (a read in progress ends with it) and close the connection.

        Prefer this to cancelling the reading task: redis-py may swallow a cancellation
        that arrives while it tears a connection down."""
        self._closed = True
        await self._redis.aclose()

    async def _events(self) -> AsyncIterator[TailEvent]:
        backoff = BACKOFF_MIN_S
        check = False
        while not self._closed:
            try:
                gap = await self._connect_check() if check or self._run_id is None else None
                if self.last_id == "$":
                    top = entries_of(await when_ready(self._redis.xrevrange(self.key, count=1)))
                    self.last_id = top[0][0] if top else "0-0"
                if gap is not None:
                    yield gap
                check = False
                reply: Any = await when_ready(
                    self._redis.xread(
                        {self.key: self.last_id}, count=self._count, block=self._block_ms
                    )
                )
                backoff = BACKOFF_MIN_S
            except UNAVAILABLE as exc:
                raise_if_cancelled()
                if self.closed():  # a method call: mypy must not assume the loop's narrowing
                    return
                self.interruptions += 1
                log.info("tick tail interrupted; resuming", key=self.key, error=str(exc))
                check = True
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_S)
                continue
            raise_if_cancelled()  # one lost in a read that went well
            if not reply:
                continue
            entries = entries_of(reply[0][1])
            # A full batch means the reader is behind; only then can the window have
            # moved past its last entry.
            if len(entries) >= self._count:
                lost = await self._trimmed_past(entries[0][0])
                if lost is not None:
                    yield lost
            for entry_id, fields in entries:
                self.last_id = entry_id
                yield TailTick(entry_id, decode_tick(self.symbol, fields))

    async def _connect_check(self) -> TailGap | None:
        """After (re)connecting: a new ``run_id`` means Redis restarted under us."""
        info = await when_ready(self._redis.info("server"))
        run_id = str(info.get("run_id", ""))
        previous, self._run_id = self._run_id, run_id
        if previous is None or previous == run_id or self.last_id in ("$", "0-0"):
            return None
        return TailGap(self.symbol, self.last_id, self.last_id, "redis restarted")

    async def _trimmed_past(self, first_returned: str) -> TailGap | None:
        """A gap if the reader's last entry was trimmed and the stream starts after it."""
        if self.last_id in ("$", "0-0"):
            return None
        still_there = await when_ready(
            self._redis.xrange(self.key, self.last_id, self.last_id, count=1)
        )
        if still_there or parse_id(first_returned) <= parse_id(self.last_id):
            return None
        return TailGap(self.symbol, self.last_id, first_returned, "fell behind the trimmed window")
