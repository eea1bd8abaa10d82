"""Batches of XADDs on one connection, several in flight: stored in order, once
however often a batch is sent, refusals counted, and a new connection after a
closed one; on the fast path (RESP over the connection's streams, the pinned
redis-py) and on the public one (``send_packed_command``/``read_response``)."""

import sys
from pathlib import Path

import pytest
from redis.asyncio import Redis

from arbig.domain.tick import Tick
from arbig.fastpath import REDIS_RESP
from arbig.ticks.codec import decode_tick, epoch_ms, xadd_command, xadd_head
from arbig.ticks.redis_batch import Batch, XaddPipe

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "ticks"))

from tickkit import SYMBOL, at, tick_run

pytestmark = pytest.mark.integration


@pytest.fixture(params=[True, False], ids=["fast", "public"])
def fast(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


async def test_on_the_pinned_redis_py_the_pipe_takes_the_fast_path(redis_url: str) -> None:
    assert REDIS_RESP.installed() == REDIS_RESP.version
    pipe = XaddPipe(redis_url)
    await pipe.open()
    try:
        assert pipe.fast
        assert pipe._writer is not None  # the streams were found where redis-py keeps them
    finally:
        await pipe.aclose()


def batch_of(key: str, ticks: list[Tick], first_ms: int = 1000) -> Batch:
    head = xadd_head(key, 1000)
    commands = [
        xadd_command(head, f"{first_ms + i}-0", t, epoch_ms(t.datetime))
        for i, t in enumerate(ticks)
    ]
    return Batch("".join(commands).encode(), len(ticks))


async def test_batches_in_flight_are_stored_in_order_and_once(
    redis_url: str, prefix: str, cleanup: Redis, fast: bool
) -> None:
    key = f"{prefix}{SYMBOL}"
    ticks = tick_run(at("2026-11-20 09:00:00"), 30)
    batches = [batch_of(key, ticks[i : i + 10], 1000 + i) for i in range(0, 30, 10)]
    pipe = XaddPipe(redis_url, fast=fast)
    for batch in batches:  # all three sent before any reply is read
        await pipe.send(batch)
    results = [await pipe.replies(batch) for batch in batches]
    assert [(r.stored, r.duplicates, r.refused) for r in results] == [(10, 0, 0)] * 3
    await pipe.send(batches[1])  # sent again, as after a broken connection
    again = await pipe.replies(batches[1])
    assert (again.stored, again.duplicates, again.refused) == (0, 10, 0)
    await pipe.aclose()
    entries = await cleanup.xrange(key)
    assert [decode_tick(SYMBOL, fields) for _, fields in entries] == ticks
    assert entries[0][0] == b"1000-0"


async def test_a_refused_entry_is_counted_and_the_rest_of_the_batch_stored(
    redis_url: str, prefix: str, cleanup: Redis, fast: bool
) -> None:
    await cleanup.set(f"{prefix}not-a-stream", "x")
    ticks = tick_run(at("2026-11-20 09:00:00"), 3)
    good = batch_of(f"{prefix}{SYMBOL}", ticks)
    bad = batch_of(f"{prefix}not-a-stream", ticks[:1])
    batch = Batch(bad.payload + good.payload, 4)
    pipe = XaddPipe(redis_url, fast=fast)
    await pipe.send(batch)
    result = await pipe.replies(batch)
    await pipe.aclose()
    assert (result.stored, result.duplicates, result.refused) == (3, 0, 1)
    assert await cleanup.xlen(f"{prefix}{SYMBOL}") == 3


async def test_a_closed_pipe_connects_again_on_the_next_send(
    redis_url: str, prefix: str, cleanup: Redis, fast: bool
) -> None:
    key = f"{prefix}{SYMBOL}"
    ticks = tick_run(at("2026-11-20 09:00:00"), 4)
    pipe = XaddPipe(redis_url, fast=fast)
    first, second = batch_of(key, ticks[:2], 1000), batch_of(key, ticks[2:], 2000)
    await pipe.send(first)
    await pipe.replies(first)
    await pipe.close()
    await pipe.send(second)
    assert (await pipe.replies(second)).stored == 2
    await pipe.aclose()
    assert await cleanup.xlen(key) == 4
