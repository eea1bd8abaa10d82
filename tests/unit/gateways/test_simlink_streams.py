"""A sim-link reader (``follow``) ends when its owner asks, in bounded time, even when
redis-py loses the cancellation of its task: Python 3.11's ``asyncio.wait_for`` (through
which redis-py sends each command) returns the command's result when a cancellation
comes as the command completes, and the blocked XREAD then answers nothing, as on any
quiet second."""

import asyncio
import time
from typing import Any, Literal, cast

import pytest
from redis.asyncio import Redis

from arbig.gateways.simlink.streams import follow
from arbig.ticks.redis_conn import Stopper

Swallow = Literal["lost", "uncancelled", "as a lost connection"]
BLOCK_S = 0.05  # the fake's block time: a read with nothing to read ends after it


class SwallowingRedis:
    """XREAD on a quiet stream, whose first cancellation is swallowed: ``lost`` as by
    ``wait_for`` (the task stays marked as cancelling), ``uncancelled`` as by code that
    also takes the mark back (``uncancel``), ``as a lost connection`` turned into a
    ConnectionError and the mark taken back. ``down``: every read fails at once.

    Only the first: a loop that fails a test still ends with the test's event loop."""

    def __init__(self, swallow: Swallow, *, down: bool = False) -> None:
        self._swallow = swallow
        self._down = down
        self.reads = 0
        self.swallowed = 0

    async def xread(self, streams: dict[str, Any], count: int, block: int) -> list[Any]:
        self.reads += 1
        if self._down:
            raise ConnectionError("Connection refused")
        try:
            await asyncio.sleep(BLOCK_S)
        except asyncio.CancelledError:
            if self.swallowed:
                raise
            self.swallowed += 1
            task = asyncio.current_task()
            assert task is not None
            if self._swallow != "lost":
                task.uncancel()
            if self._swallow == "as a lost connection":
                raise ConnectionError("Connection closed by server.") from None
        return []


async def read_all(redis: SwallowingRedis, stopper: Stopper) -> None:
    async for _entry in follow(
        cast(Redis, redis), "key", "0-0", count=10, what="a test stream", stopper=stopper
    ):
        pass


async def test_a_cancellation_lost_in_a_read_that_went_well_still_ends_the_loop() -> None:
    redis, stopper = SwallowingRedis("lost"), Stopper()
    task = asyncio.create_task(read_all(redis, stopper))
    await asyncio.sleep(BLOCK_S / 2)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=2.0)
    assert done == {task}, "the loop went on reading after its cancellation was lost"
    assert task.cancelled()
    assert redis.reads == 1


@pytest.mark.parametrize("swallow", ["uncancelled", "as a lost connection"])
async def test_the_owners_stop_ends_the_loop_that_cancellation_could_not(
    swallow: Swallow,
) -> None:
    redis, stopper = SwallowingRedis(swallow), Stopper()
    task = asyncio.create_task(read_all(redis, stopper))
    await asyncio.sleep(BLOCK_S / 2)
    task.cancel()
    await asyncio.sleep(10 * BLOCK_S)
    assert not task.done(), "the fake did not swallow the cancellation"
    reads = redis.reads
    started = time.monotonic()
    async with asyncio.timeout(5.0):
        assert await stopper.stop(task, grace_s=2.0)
    assert time.monotonic() - started < 1.0  # seen after the read in progress
    assert task.done() and not task.cancelled()
    assert redis.reads <= reads + 1


async def test_an_interrupting_stop_ends_the_loop_though_its_cancellation_is_lost() -> None:
    redis, stopper = SwallowingRedis("uncancelled"), Stopper()
    task = asyncio.create_task(read_all(redis, stopper))
    await asyncio.sleep(BLOCK_S / 2)
    async with asyncio.timeout(5.0):
        assert await stopper.stop(task, grace_s=2.0, interrupt=True)
    assert redis.swallowed == 1
    assert task.done() and not task.cancelled()
    assert redis.reads == 1


async def test_a_loop_retrying_a_lost_connection_ends_at_the_stop_not_after_its_backoff() -> None:
    redis, stopper = SwallowingRedis("lost", down=True), Stopper()
    task = asyncio.create_task(read_all(redis, stopper))
    # Retried after 0.05, 0.1 and 0.2 s: at 0.5 s it waits 0.4 s more, until 0.75 s.
    await asyncio.sleep(0.5)
    started = time.monotonic()
    assert await stopper.stop(task, grace_s=2.0)
    assert time.monotonic() - started < 0.1
    assert not task.cancelled()
