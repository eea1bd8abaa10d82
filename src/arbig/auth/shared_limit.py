"""The login delay shared by every web replica through Redis (split deployment).

The same rule as ``LoginLimiter`` (ratelimit.py), with the failures of each address
in a Redis sorted set (epoch seconds, trimmed to the window), so that a guesser
cannot spread attempts over the replicas. While Redis cannot be reached the
process's own limiter answers, and the log says so.
"""

import logging
import secrets
import time
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from arbig.auth.ratelimit import LoginLimiter

log = logging.getLogger(__name__)


class SharedLoginLimiter:
    def __init__(self, redis: Redis, prefix: str, rule: LoginLimiter) -> None:
        self._redis = redis
        self._prefix = f"{prefix}login-failures:"
        self._rule = rule  # the delay rule, and the answer while Redis is away

    def _key(self, client: str) -> str:
        return self._prefix + client

    async def wait_s(self, client: str) -> float:
        now = time.time()
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zremrangebyscore(self._key(client), 0, now - self._rule.window_s)
                pipe.zcard(self._key(client))
                pipe.zrange(self._key(client), -1, -1, withscores=True)
                _, count, last = await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("login limiter: redis unavailable, this process's own: %s", exc)
            return await self._rule.wait_s(client)
        if not count:
            return 0.0
        newest: Any = last[0][1]
        return max(0.0, float(newest) + self._rule.delay(int(count)) - now)

    async def record_failure(self, client: str) -> None:
        await self._rule.record_failure(client)
        now = time.time()
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zadd(self._key(client), {f"{now:.6f}:{secrets.token_hex(4)}": now})
                pipe.expire(self._key(client), int(self._rule.window_s) + 1)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("login limiter: redis unavailable, failure kept here only: %s", exc)

    async def record_success(self, client: str) -> None:
        await self._rule.record_success(client)
        try:
            await self._redis.delete(self._key(client))
        except (RedisError, OSError) as exc:
            log.warning("login limiter: redis unavailable: %s", exc)
