"""A web replica following the core's event stream: ``CoreClient.events()`` over Redis.

It reads after the id of the last entry it yielded, so a broken connection or a slow
reader never yields an entry twice. When it cannot know what it missed it yields a
``Gap`` (the relay then re-reads every subscribed topic as a snapshot) and says which
way it resumed: Redis restarted (its ``run_id`` changed), the reader fell behind the
trimmed window, or the core wrote a gap marker (it dropped events it could not write).
"""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import structlog
from redis.asyncio import Redis

from arbig.api.events import Event, Gap
from arbig.host.wire import BusKeys, WireError, decode_event
from arbig.ticks.redis_conn import (
    BACKOFF_MAX_S,
    BACKOFF_MIN_S,
    UNAVAILABLE,
    parse_id,
    raise_if_cancelled,
    when_ready,
)

log = structlog.get_logger(__name__)

READ_COUNT = 500
BLOCK_MS = 1000


class EventFollower:
    def __init__(self, url: str, keys: BusKeys) -> None:
        self._key = keys.events
        # Blocking reads need a socket timeout longer than the block.
        self._redis: Redis = Redis.from_url(
            url, socket_connect_timeout=2.0, socket_timeout=BLOCK_MS / 1000 + 5.0
        )
        self.last_id = "$"
        self._run_id: str | None = None
        self.resumes = 0

    def __aiter__(self) -> AsyncIterator[Event | Gap]:
        return self._events()

    async def aclose(self) -> None:
        await self._redis.aclose()

    async def _events(self) -> AsyncIterator[Event | Gap]:
        backoff = BACKOFF_MIN_S
        check = True
        try:
            while True:
                try:
                    if check:
                        reason = await self._check_restart()
                        check = False
                        if reason is not None:
                            yield self._gap(reason)
                    if self.last_id == "$":
                        top: Any = await when_ready(self._redis.xrevrange(self._key, count=1))
                        self.last_id = top[0][0].decode() if top else "0-0"
                    reply: Any = await when_ready(
                        self._redis.xread(
                            {self._key: self.last_id}, count=READ_COUNT, block=BLOCK_MS
                        )
                    )
                    backoff = BACKOFF_MIN_S
                except UNAVAILABLE as exc:
                    raise_if_cancelled()
                    log.info("event stream interrupted; resuming", error=str(exc))
                    check = True
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, BACKOFF_MAX_S)
                    continue
                raise_if_cancelled()  # one lost in a read that went well
                if not reply:
                    continue
                entries = reply[0][1]
                if len(entries) >= READ_COUNT and await self._trimmed_past(entries[0][0]):
                    yield self._gap("fell behind the trimmed event stream")
                for entry_id, fields in entries:
                    self.last_id = entry_id.decode()
                    try:
                        event = decode_event(fields)
                    except WireError as exc:
                        log.error("unreadable event skipped", entry=self.last_id, error=str(exc))
                        continue
                    if event is None:
                        yield self._gap("the core dropped events it could not write")
                    else:
                        yield Event(*event)
        finally:
            await self._redis.aclose()

    def _gap(self, reason: str) -> Gap:
        self.resumes += 1
        log.warning("event stream: re-reading snapshots", reason=reason, after=self.last_id)
        return Gap(0)

    async def _check_restart(self) -> str | None:
        info: Any = await when_ready(self._redis.info("server"))
        run_id = str(info.get("run_id", ""))
        previous, self._run_id = self._run_id, run_id
        if previous is not None and previous != run_id:
            # A new Redis: what it holds (restored or empty) is not what came after our
            # last id; the snapshot re-read stands for it, and reading goes on from now.
            self.last_id = "$"
            return "redis restarted"
        if previous is not None:
            log.info("event stream: resumed from the last id", after=self.last_id)
        return None

    async def _trimmed_past(self, first_returned: bytes) -> bool:
        if self.last_id in ("$", "0-0"):
            return False
        still: Any = await when_ready(
            self._redis.xrange(self._key, self.last_id, self.last_id, count=1)
        )
        return not still and parse_id(first_returned) > parse_id(self.last_id)
