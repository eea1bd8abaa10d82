"""The core's lease: one active core at a time, with a fencing token.

The active core holds a Redis hash ``<prefix>core:lease`` (``token``, ``holder``) that
expires after ``ttl_s`` unless renewed. Taking it draws a new token from the counter
``<prefix>core:fence`` (INCR), so every holder has a larger token than the one before:
whoever receives a write or an order (the book's SQL writer, the simulated exchange's
order intake) compares the token it carries with the current one and refuses an old
leader's (docs/deployment.md, "One core at a time").

Each step is one Lua script, so no other client sees half of it. The holder also keeps
a local deadline on the monotonic clock: the time of its last successful renewal's
request plus the TTL, less a margin for clock rate drift. Past that deadline it stops
sending at once, without asking Redis: a process paused (SIGSTOP, a long GC, a VM
freeze) and resumed after its lease ran out finds its deadline gone before anything
else runs.
"""

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from redis.asyncio import Redis

from arbig.ticks.redis_conn import UNAVAILABLE

log = structlog.get_logger(__name__)

# The local deadline ends this share of the TTL early: clocks run at slightly different
# rates on different hosts, and Redis counts the TTL from when it ran the script.
DRIFT_SHARE = 0.02

_ACQUIRE = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return nil
end
local token = redis.call('INCR', KEYS[2])
if token <= tonumber(ARGV[3]) then
  token = tonumber(ARGV[3]) + 1
  redis.call('SET', KEYS[2], token)
end
redis.call('HSET', KEYS[1], 'token', token, 'holder', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return token
"""

_RENEW = """
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""

_RELEASE = """
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def lease_key(prefix: str) -> str:
    """The lease hash's key under the deployment's key ``prefix``."""
    return f"{prefix}core:lease"


def standbys_key(prefix: str) -> str:
    """The sorted set of waiting cores (score: until when each counts, epoch ms)."""
    return f"{prefix}core:standbys"


def fence_key(prefix: str) -> str:
    """The fencing token counter's key."""
    return f"{prefix}core:fence"


@dataclass(frozen=True, slots=True)
class LeaseHolder:
    """Who holds the lease now, as Redis tells it."""

    holder: str
    token: int
    expires_in_s: float


class LeaseLost(RuntimeError):
    """This process does not hold the lease (any more): it must not send or write."""


class CoreLease:
    """One core's claim on the lease; see the module docstring.

    ``holder`` names this core (host and pid) for the health page and the logs.
    """

    def __init__(
        self,
        redis: Redis,
        prefix: str,
        holder: str,
        ttl_s: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_s <= 0:
            raise ValueError(f"the lease TTL must be positive, got {ttl_s}")
        self._redis = redis
        self.key = lease_key(prefix)
        self._fence_key = fence_key(prefix)
        self._standbys_key = standbys_key(prefix)
        # The waiting cores, as the keeper last read them (the health page shows them).
        self.standbys: tuple[str, ...] = ()
        self.holder = holder
        self.ttl_s = ttl_s
        self._ttl_ms = max(int(ttl_s * 1000), 1)
        self._monotonic = monotonic
        self._acquire = redis.register_script(_ACQUIRE)
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)
        self._token: int | None = None
        self._deadline = 0.0

    @property
    def held(self) -> bool:
        """Whether this process took the lease and has not let it go or lost it."""
        return self._token is not None

    def token(self) -> int:
        """The fencing token of the lease held; LeaseLost when none is held."""
        if self._token is None:
            raise LeaseLost("this core holds no lease")
        return self._token

    def valid(self) -> bool:
        """Held, and its local deadline not passed: safe to send and write now."""
        return self._token is not None and self._monotonic() < self._deadline

    def remaining_s(self) -> float:
        """Seconds left until the local deadline (negative when passed, 0 if not held)."""
        if self._token is None:
            return 0.0
        return self._deadline - self._monotonic()

    async def try_acquire(self, floor: int = 0) -> int | None:
        """Take the lease if nobody holds it; returns the new fencing token (above
        ``floor``: the newest token the book has seen, should Redis have lost its
        counter), or None."""
        started = self._monotonic()
        keys = [self.key, self._fence_key]
        token = await self._acquire(keys=keys, args=[self.holder, self._ttl_ms, floor])
        if token is None:
            return None
        self._token = int(token)
        self._extend(started)
        log.info("core lease taken", holder=self.holder, token=self._token, ttl_s=self.ttl_s)
        return self._token

    async def renew(self) -> bool:
        """Extend the lease held; False (and the lease dropped here) when Redis says
        another core holds it or it expired. A Redis that does not answer raises, and
        the local deadline runs on."""
        if self._token is None:
            return False
        started = self._monotonic()
        kept = await self._renew(keys=[self.key], args=[self._token, self._ttl_ms])
        if not kept:
            log.error("core lease lost", holder=self.holder, token=self._token)
            self._token = None
            return False
        if self._token is not None:
            self._extend(started)
        return True

    async def release(self) -> None:
        """Let the lease go (a clean stop), so that a standby takes it at once."""
        token, self._token = self._token, None
        if token is None:
            return
        with contextlib.suppress(*UNAVAILABLE):
            await self._release(keys=[self.key], args=[token])
            log.info("core lease released", holder=self.holder, token=token)

    def drop(self) -> None:
        """Forget the lease locally (it is no longer trusted); Redis lets it expire."""
        self._token = None

    async def current(self) -> LeaseHolder | None:
        """The lease's holder now, whoever it is; None when nobody holds it."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(self.key)
            pipe.pttl(self.key)
            fields, pttl = await pipe.execute()
        if not fields:
            return None
        text = {_text(k): _text(v) for k, v in fields.items()}
        return LeaseHolder(text.get("holder", ""), int(text.get("token", 0)), max(pttl, 0) / 1000)

    async def announce_standby(self, for_s: float) -> None:
        """Be listed as a waiting core for ``for_s`` seconds (a standby calls it as it polls)."""
        now_ms = int(time.time() * 1000)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(self._standbys_key, {self.holder: now_ms + int(for_s * 1000)})
            pipe.zremrangebyscore(self._standbys_key, "-inf", now_ms)
            await pipe.execute()

    async def withdraw_standby(self) -> None:
        with contextlib.suppress(*UNAVAILABLE):
            await self._redis.zrem(self._standbys_key, self.holder)

    async def refresh_standbys(self) -> tuple[str, ...]:
        """Read the waiting cores' names (kept in ``standbys``)."""
        now_ms = int(time.time() * 1000)
        names: Any = await self._redis.zrangebyscore(self._standbys_key, now_ms, "+inf")
        self.standbys = tuple(sorted(_text(name) for name in names))
        return self.standbys

    def _extend(self, started: float) -> None:
        self._deadline = started + self.ttl_s * (1 - DRIFT_SHARE)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class LeaseKeeper:
    """Renews a held lease every ``ttl_s / 3`` and calls ``on_lost`` once, as soon as it
    is lost: refused by Redis, or its local deadline passed without a renewal (Redis
    away, this process paused)."""

    def __init__(self, lease: CoreLease, on_lost: Callable[[str], None]) -> None:
        self._lease = lease
        self._on_lost = on_lost
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="core-lease-keeper")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        lease = self._lease
        every = lease.ttl_s / 3
        while True:
            # A resumed process finds its deadline passed before it renews: the lease
            # may already be another core's, whatever Redis would now answer.
            if not lease.valid():
                lease.drop()
                self._on_lost("the lease's deadline passed without a renewal")
                return
            try:
                # asyncio.timeout, not wait_for: Python 3.11's wait_for drops a cancel that
                # arrives in the turn the renewal answers, and stop() would wait forever.
                async with asyncio.timeout(max(lease.remaining_s(), 0.01)):
                    kept = await lease.renew()
            except (TimeoutError, *UNAVAILABLE) as exc:
                # Tried again soon; the deadline check above ends it if Redis stays away.
                log.warning("core lease not renewed", error=f"{type(exc).__name__}: {exc}")
                await asyncio.sleep(min(every / 3, max(lease.remaining_s(), 0.0)))
                continue
            if not kept:
                lease.drop()
                self._on_lost("another core holds the lease")
                return
            with contextlib.suppress(*UNAVAILABLE):
                await lease.refresh_standbys()
            await asyncio.sleep(min(every, max(lease.remaining_s(), 0.0)))
