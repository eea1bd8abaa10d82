"""Redis connection matters shared by the tick writer and readers: which errors mean
"Redis is not there right now", the retry backoff, how an owner stops a loop on Redis,
entry ids, and the start-up check."""

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import Any, TypeVar

import structlog
from redis.asyncio import Redis
from redis.exceptions import BusyLoadingError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Errors that mean "Redis is not there right now": retried, never raised to the tick path.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)
# Replies of a Redis that is there but cannot serve yet: loading its data after a
# restart, running a long script, a replica without its primary. Retried as well.
_NOT_YET = ("LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN")
T = TypeVar("T")
log = structlog.get_logger(__name__)

# How long an owner waits for a loop asked to stop, before cancelling it: a blocking read
# (one second) ends and the stop is seen.
STOP_GRACE_S = 2.0


def raise_if_cancelled() -> None:
    """In a loop on Redis, after each call: redis-py may turn a task's cancellation into
    a ConnectionError, or lose it (Python 3.11's ``asyncio.wait_for``, which sends its
    commands, returns the command's result when the cancellation comes as it completes).
    The loop must not go on (it would never end): while the task is being cancelled
    this raises the cancellation."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class Stopper:
    """An owner's explicit stop for its loops on Redis, so that ending them does not
    rest on cancellation alone (redis-py may swallow it, see ``raise_if_cancelled``).

    A loop checks ``stopped()`` between its blocking calls and waits out its retry backoff
    with ``pause``; the owner calls ``stop`` with the loops' tasks."""

    def __init__(self) -> None:
        self._asked = asyncio.Event()

    def stopped(self) -> bool:
        """Whether a stop is asked (a method: a loop's narrowing must not stick to it)."""
        return self._asked.is_set()

    async def pause(self, seconds: float) -> bool:
        """Sleep ``seconds``, or less when a stop is asked meanwhile; whether it is."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._asked.wait()
        return self.stopped()

    async def stop(
        self,
        *tasks: asyncio.Task[Any] | None,
        grace_s: float = STOP_GRACE_S,
        interrupt: bool = False,
    ) -> bool:
        """Ask the loops to stop and wait for ``tasks``: up to ``grace_s``, then cancelled
        (a call stuck on a silent connection) and up to ``grace_s`` more. ``interrupt``:
        cancelled at once, for loops whose call in progress may be cut short (a read);
        a cancellation lost meanwhile is made up for by the stop. Whether they all ended;
        one that fails meanwhile is logged here (one that had ended before is the owner's
        to see)."""
        self._asked.set()
        waited = {task for task in tasks if task is not None and not task.done()}
        running = waited
        if running and not interrupt:
            _, running = await asyncio.wait(running, timeout=grace_s)
        for task in running:
            task.cancel()
        if running:
            _, running = await asyncio.wait(running, timeout=grace_s)
        for task in waited - running:
            if not task.cancelled() and (error := task.exception()) is not None:
                log.error("loop on redis failed", task=task.get_name(), exc_info=error)
        if running:
            log.error("loop on redis did not stop", tasks=[task.get_name() for task in running])
        return not running


def not_ready(reply: Exception) -> bool:
    """Whether an error reply (redis-py's, or a raw hiredis one) says "try again later"."""
    return isinstance(reply, BusyLoadingError) or str(reply).startswith(_NOT_YET)


def raise_if_not_ready(reply: Exception) -> None:
    """Raise a "not yet" reply as a lost connection (UNAVAILABLE), so that every caller
    retries it, or falls back, as it does when Redis is away."""
    if not_ready(reply):
        raise RedisConnectionError(f"redis not ready: {reply}") from reply


async def when_ready(call: Awaitable[T]) -> T:
    """``call``'s result, a "not yet" reply raised as a lost connection."""
    try:
        return await call
    except ResponseError as exc:
        raise_if_not_ready(exc)
        raise


BACKOFF_MIN_S = 0.05
BACKOFF_MAX_S = 2.0


def parse_id(entry_id: bytes | str) -> tuple[int, int]:
    """``b"1700000000000-3"`` as ``(1700000000000, 3)``."""
    text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


def safe_url(url: str) -> str:
    """The URL without its credentials, for messages and logs."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.split('@')[-1]}" if sep else url.split("@")[-1]


class RedisUnavailable(RuntimeError):
    """Redis cannot be used; the message is one line fit for the operator."""


async def check_redis(url: str, timeout_s: float = 2.0, *, required: bool = False) -> None:
    """Ping the Redis at ``url``; RedisUnavailable says why not, in one line (offering to
    go without Redis unless it is ``required``, as the split deployment's roles need it).

    A Redis that answers but cannot serve yet (loading its data, busy with a script) is
    there and configured right: it passes, and the tick writer waits for it."""
    shown = safe_url(url)
    try:
        client: Redis = Redis.from_url(url, socket_connect_timeout=timeout_s)
    except ValueError as exc:
        raise RedisUnavailable(
            f"Redis URL {shown!r} is not usable ({exc}); e.g. redis://127.0.0.1:6379/0"
        ) from None
    try:
        await client.ping()
    except ResponseError as exc:
        if not not_ready(exc):
            raise RedisUnavailable(
                f"Redis at {shown} refused PING ({exc}): check ARBIG_REDIS_URL"
            ) from None
    except UNAVAILABLE as exc:
        raise RedisUnavailable(
            f"cannot reach Redis at {shown} ({type(exc).__name__}: {exc}): check ARBIG_REDIS_URL "
            "and that the server is running"
            + ("" if required else ", or unset it to keep ticks in memory")
        ) from None
    finally:
        await client.aclose()
