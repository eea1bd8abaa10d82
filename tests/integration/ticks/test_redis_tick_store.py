"""The Redis Streams tick store on a real Redis: write, trim, latest, history, clear."""

import asyncio
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from redis.asyncio import Redis

from arbig.ticks.redis_stream import RedisTickStore

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "ticks"))

from tickkit import SYMBOL, at, make_tick, tick_run

pytestmark = pytest.mark.integration


async def drained(store: RedisTickStore, timeout_s: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while store.pending and loop.time() < deadline:  # noqa: ASYNC110 - a test's poll
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.02)  # the last batch's round trip
    assert store.pending == 0, "the writer did not drain its buffer"


async def test_ticks_land_in_the_design_stream_with_string_fields(
    redis_url: str, prefix: str, cleanup: Redis
) -> None:
    store = RedisTickStore(redis_url, prefix=prefix)
    await store.start()
    tick = make_tick(at("2026-11-20 21:00:00.500"), "921.34", 3)
    store.add(tick)
    await drained(store)
    entries = await cleanup.xrevrange(f"{prefix}{SYMBOL}", count=1)
    entry_id, fields = entries[0]
    assert entry_id == b"1795179600500-0"  # ids carry the tick's own millisecond
    assert fields[b"timestamp"] == b"1795179600500"
    assert fields[b"last_price"] == b"921.34"
    assert await store.latest(SYMBOL) == tick
    await store.stop()


async def test_history_is_oldest_first_and_latest_is_the_newest(
    redis_url: str, prefix: str, cleanup: Redis
) -> None:
    store = RedisTickStore(redis_url, prefix=prefix)
    await store.start()
    ticks = tick_run(at("2026-11-20 09:00:00"), 50)
    for tick in ticks:
        store.add(tick)
    await drained(store)
    assert await store.history(SYMBOL, 10) == ticks[-10:]
    assert await store.latest(SYMBOL) == ticks[-1]
    assert await store.latest("au2702") is None
    assert await store.between(SYMBOL, ticks[3].datetime, ticks[5].datetime) == ticks[3:6]
    await store.stop()


async def test_ticks_of_the_same_millisecond_keep_their_order(
    redis_url: str, prefix: str, cleanup: Redis
) -> None:
    store = RedisTickStore(redis_url, prefix=prefix)
    await store.start()
    moment = at("2026-11-20 09:00:01")
    ticks = [make_tick(moment, volume=v) for v in (1, 2, 3)]
    ticks.append(make_tick(at("2026-11-20 09:00:00"), volume=4))  # a clock step back
    for tick in ticks:
        store.add(tick)
    await drained(store)
    assert [t.volume for t in await store.history(SYMBOL, 10)] == [1, 2, 3, 4]
    await store.stop()


async def test_the_stream_is_trimmed_to_about_maxlen(
    redis_url: str, prefix: str, cleanup: Redis
) -> None:
    store = RedisTickStore(redis_url, prefix=prefix, maxlen=200)
    await store.start()
    for tick in tick_run(at("2026-11-20 09:00:00"), 3000):
        store.add(tick)
    await drained(store)
    length = await cleanup.xlen(f"{prefix}{SYMBOL}")
    assert 200 <= length < 400  # MAXLEN ~ trims whole nodes only
    assert store.stored == 3000 and store.not_stored == 0
    await store.stop()


async def test_a_second_writer_process_continues_above_the_streams_top(
    redis_url: str, prefix: str, cleanup: Redis
) -> None:
    first = RedisTickStore(redis_url, prefix=prefix)
    await first.start()
    first.add(make_tick(at("2026-11-20 09:00:05"), volume=1))
    await drained(first)
    await first.stop()
    second = RedisTickStore(redis_url, prefix=prefix)
    await second.start()
    second.add(make_tick(at("2026-11-20 09:00:01"), volume=2))  # stamped earlier
    await drained(second)
    assert [t.volume for t in await second.history(SYMBOL, 5)] == [1, 2]
    assert second.not_stored == 0
    await second.stop()


async def test_clear_deletes_the_stream_and_drops_what_is_buffered(
    redis_url: str, prefix: str, cleanup: Redis
) -> None:
    store = RedisTickStore(redis_url, prefix=prefix)
    await store.start()
    for tick in tick_run(at("2026-11-20 09:00:00"), 20):
        store.add(tick)
    await store.clear(SYMBOL)
    await drained(store)
    assert await cleanup.exists(f"{prefix}{SYMBOL}") == 0
    assert await store.latest(SYMBOL) is None
    await store.stop()


async def test_an_unreachable_redis_keeps_the_quotes_in_process() -> None:
    store = RedisTickStore("redis://127.0.0.1:1/0", max_pending=5)
    await store.start()
    assert not store.healthy
    ticks = tick_run(at("2026-11-20 09:00:00"), 8)
    for tick in ticks:
        store.add(tick)
    assert await store.latest(SYMBOL) == ticks[-1]
    assert await store.history(SYMBOL, 3) == ticks[-3:]
    assert store.not_stored == 3  # the buffer holds 5; the 3 oldest were counted, not hidden
    await store.stop(timeout_s=0.1)
    assert store.not_stored == 8


async def test_a_key_that_is_not_a_stream_costs_only_its_own_ticks(
    redis_url: str, prefix: str, cleanup: Redis
) -> None:
    await cleanup.set(f"{prefix}au2702", "not a stream")
    store = RedisTickStore(redis_url, prefix=prefix)
    await store.start()
    moment = at("2026-11-20 09:00:00")
    for tick in tick_run(moment, 10):
        store.add(tick)
        store.add(make_tick(moment, volume=tick.volume, symbol="au2702"))
    await drained(store)
    assert store.stored == 10 and store.not_stored == 10  # counted, never hidden
    assert [t.volume for t in await store.history(SYMBOL, 20)] == list(range(1, 11))
    for tick in tick_run(at("2026-11-20 09:01:00"), 3):
        store.add(tick)  # the writer goes on
    await drained(store)
    assert store.stored == 13
    await store.stop()


async def test_a_tick_that_cannot_be_encoded_costs_only_itself(
    redis_url: str, prefix: str, cleanup: Redis
) -> None:
    store = RedisTickStore(redis_url, prefix=prefix)
    await store.start()
    ticks = tick_run(at("2026-11-20 09:00:00"), 3)
    absurd = make_tick(at("2026-11-20 09:00:00.700"), volume=99, turnover=Decimal("9" * 2000))
    for tick in (ticks[0], absurd, ticks[1], ticks[2]):
        store.add(tick)
    await drained(store)
    assert store.stored == 3 and store.not_stored == 1
    assert await store.history(SYMBOL, 10) == ticks
    await store.stop()
