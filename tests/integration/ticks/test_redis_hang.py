"""A Redis that hangs (SIGSTOP: the connection stays open, no answer comes) on a private
redis-server: it is reported unhealthy within 5 s and quote reads answer from memory
within 200 ms."""

import asyncio
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from redis_kit import PrivateRedis

from arbig.ticks.redis_stream import RedisTickStore

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "ticks"))

from tickkit import SYMBOL, at, tick_run

pytestmark = pytest.mark.integration


async def eventually(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_a_hung_redis_is_unhealthy_within_five_seconds_and_reads_fall_back(
    private_redis: PrivateRedis,
) -> None:
    store = RedisTickStore(private_redis.url)
    await store.start()
    ticks = list(tick_run(at("2026-11-20 09:00:00"), 40))
    for tick in ticks[:20]:
        store.add(tick)
    await eventually(lambda: store.pending == 0)
    assert store.healthy
    assert private_redis.process is not None
    os.kill(private_redis.process.pid, signal.SIGSTOP)
    try:
        stopped = time.monotonic()
        for tick in ticks[20:]:  # ticks keep coming at CTP's pace
            store.add(tick)
            started = time.monotonic()
            latest = await store.latest(SYMBOL)
            assert time.monotonic() - started < 0.2
            assert latest == tick
            if not store.healthy:
                break
            await asyncio.sleep(0.25)
        assert not store.healthy
        assert time.monotonic() - stopped < 5
        started = time.monotonic()
        assert [t.volume for t in await store.history(SYMBOL, 3)] == [
            t.volume for t in ticks[20:][: ticks.index(tick) - 19][-3:]
        ]
        assert time.monotonic() - started < 0.2
    finally:
        os.kill(private_redis.process.pid, signal.SIGCONT)
    await eventually(lambda: store.healthy and store.pending == 0, 15)
    assert store.not_stored == 0
    await store.stop()
