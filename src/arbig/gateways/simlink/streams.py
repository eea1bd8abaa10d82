"""Following a Redis stream from a cursor, the way every sim-link reader does: blocking
reads, a lost connection retried with backoff (and logged), until the owner's stop or
the loop's cancellation."""

import logging
from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis

from arbig.ticks.redis_conn import (
    BACKOFF_MAX_S,
    BACKOFF_MIN_S,
    UNAVAILABLE,
    Stopper,
    raise_if_cancelled,
)

log = logging.getLogger(__name__)

BLOCK_MS = 1000


async def follow(
    redis: Redis, key: str, cursor: bytes | str, *, count: int, what: str, stopper: Stopper
) -> AsyncIterator[tuple[bytes, dict[bytes, bytes]]]:
    """Every entry of ``key`` after ``cursor``, in order, until ``stopper`` is stopped
    (seen within a read's block time) or the caller stops; ``what`` names the stream in
    the retry warnings."""
    delay = BACKOFF_MIN_S
    while not stopper.stopped():
        try:
            answer: Any = await redis.xread({key: cursor}, count=count, block=BLOCK_MS)
        except UNAVAILABLE as exc:
            raise_if_cancelled()
            if stopper.stopped():
                return
            log.warning("sim-link: %s not readable (%s); retrying", what, exc)
            await stopper.pause(delay)
            delay = min(delay * 2, BACKOFF_MAX_S)
            continue
        raise_if_cancelled()  # a cancellation lost in a read that went well
        delay = BACKOFF_MIN_S
        for _stream, entries in answer:
            for entry_id, fields in entries:
                cursor = entry_id
                yield entry_id, fields
