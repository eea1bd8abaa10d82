"""Following a Redis stream from a cursor, the way every sim-link reader does: blocking
reads, a lost connection retried with backoff (and logged), never the loop's own
cancellation."""

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis

from arbig.ticks.redis_conn import BACKOFF_MAX_S, BACKOFF_MIN_S, UNAVAILABLE, raise_if_cancelled

log = logging.getLogger(__name__)

BLOCK_MS = 1000


async def follow(
    redis: Redis, key: str, cursor: bytes | str, *, count: int, what: str
) -> AsyncIterator[tuple[bytes, dict[bytes, bytes]]]:
    """Every entry of ``key`` after ``cursor``, in order, until the caller stops;
    ``what`` names the stream in the retry warnings."""
    delay = BACKOFF_MIN_S
    while True:
        try:
            answer: Any = await redis.xread({key: cursor}, count=count, block=BLOCK_MS)
        except UNAVAILABLE as exc:
            raise_if_cancelled()
            log.warning("sim-link: %s not readable (%s); retrying", what, exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX_S)
            continue
        delay = BACKOFF_MIN_S
        for _stream, entries in answer:
            for entry_id, fields in entries:
                cursor = entry_id
                yield entry_id, fields
