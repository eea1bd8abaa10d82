"""Report reads (history pages, statistics, summaries) shared by every web replica.

An answer is kept in Redis for ``ttl_s`` under the cache's generation, which the core
moves whenever a trade lands (``publisher.py``): a new trade makes every kept report
unreachable at once. One computation per key at a time: the first asker takes a
short lock and computes; the others wait for its answer (or compute themselves if
the lock's holder goes away without one).
"""

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from arbig.host.wire import BusKeys
from arbig.ticks.redis_conn import UNAVAILABLE, when_ready

LOCK_MS = 15_000
POLL_S = 0.01


class ReportCache:
    def __init__(
        self,
        redis: Redis,
        keys: BusKeys,
        ttl_s: float,
        *,
        counted: Callable[[str], None] = lambda result: None,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl_ms = int(ttl_s * 1000)
        self._counted = counted  # "hit" or "miss"

    @property
    def enabled(self) -> bool:
        return self._ttl_ms > 0

    async def get(
        self, name: str, args: bytes, compute: Callable[[], Awaitable[tuple[bytes, bool]]]
    ) -> bytes:
        """The kept answer for ``name(args)``, or ``compute``'s, kept when it says so
        (a refusal is not kept)."""
        digest = hashlib.sha256(name.encode() + b"\0" + args).hexdigest()[:32]
        try:
            generation = int(await when_ready(self._redis.get(self._keys.cache_generation)) or 0)
            key = self._keys.cache(generation, f"{name}:{digest}")
            lock = self._keys.cache_lock(generation, f"{name}:{digest}")
            found: Any = await when_ready(self._redis.get(key))
            if found is not None:
                self._counted("hit")
                return bytes(found)
            deadline = time.monotonic() + LOCK_MS / 1000
            while not await when_ready(self._redis.set(lock, b"1", nx=True, px=LOCK_MS)):
                await asyncio.sleep(POLL_S)
                found = await when_ready(self._redis.get(key))
                if found is not None:
                    self._counted("hit")
                    return bytes(found)
                if time.monotonic() > deadline:
                    break
            # The holder before us may have kept its answer and let go just now.
            found = await when_ready(self._redis.get(key))
            if found is not None:
                self._counted("hit")
                await self._redis.delete(lock)
                return bytes(found)
        except (*UNAVAILABLE, ResponseError):
            self._counted("miss")
            return (await compute())[0]
        self._counted("miss")
        try:
            answer, keep = await compute()
            if keep:
                try:
                    await when_ready(self._redis.set(key, answer, px=self._ttl_ms))
                except (*UNAVAILABLE, ResponseError):
                    pass  # answered, only not kept
            return answer
        finally:
            try:
                await self._redis.delete(lock)
            except (*UNAVAILABLE, ResponseError):
                pass  # it expires by itself
