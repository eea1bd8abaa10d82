"""A Redis that hangs (SIGSTOP: the connection stays open, no answer comes) on a private
redis-server: it is reported unhealthy within 5 s and quote reads answer from memory
within 200 ms."""

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest
from redis_kit import PrivateRedis

from arbig.ticks.redis_stream import RedisTickStore

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "ticks"))

from tickkit import SYMBOL, at, tick_run

pytestmark = pytest.mark.integration


async def test_a_hung_redis_is_unhealthy_within_five_seconds_and_reads_fall_back(
    private_redis: PrivateRedis,
) -> None:
    store = RedisTickStore(private_redis.url)
    await store.start()
    ticks = list(tick_run(at("2026-11-20 09:00:00"), 40))
    for tick in ticks[:20]:
        store.add(tick)
    async with asyncio.timeout(10):
        while store.pending:
            await asyncio.sleep(0.01)
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
    async with asyncio.timeout(15):
        while not (store.healthy and store.pending == 0):
            await asyncio.sleep(0.05)
    assert store.not_stored == 0
    await store.stop()
