"""The live tail: resumes after its last entry, never repeats one, reports what is lost."""

import asyncio
import sys
from pathlib import Path

import pytest
from redis.asyncio import Redis

from arbig.ticks.codec import encode_tick
from arbig.ticks.redis_stream import RedisTickStore
from arbig.ticks.tail import StreamTail, TailEvent, TailGap, TailTick

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "ticks"))

from tickkit import SYMBOL, at, tick_run

pytestmark = pytest.mark.integration


async def collect(tail: StreamTail, count: int, timeout_s: float = 10.0) -> list[TailEvent]:
    events: list[TailEvent] = []

    async def read() -> None:
        async for event in tail:
            events.append(event)
            if sum(isinstance(e, TailTick) for e in events) >= count:
                return

    await asyncio.wait_for(read(), timeout_s)
    return events


async def test_tail_sees_new_ticks_only_and_in_order(
    redis_url: str, prefix: str, cleanup: Redis
) -> None:
    store = RedisTickStore(redis_url, prefix=prefix)
    await store.start()
    ticks = tick_run(at("2026-11-20 09:00:00"), 30)
    store.add(ticks[0])
    await asyncio.sleep(0.1)
    tail = StreamTail(redis_url, SYMBOL, prefix=prefix, block_ms=200)
    reader = asyncio.create_task(collect(tail, 29))
    await asyncio.sleep(0.2)  # the tail has found its starting point
    for tick in ticks[1:]:
        store.add(tick)
    events = await reader
    assert [e.tick for e in events if isinstance(e, TailTick)] == ticks[1:]
    await tail.aclose()
    await store.stop()


async def test_a_new_tail_resumes_after_the_last_id_without_duplicates(
    redis_url: str, prefix: str, cleanup: Redis
) -> None:
    key = f"{prefix}{SYMBOL}"
    ticks = tick_run(at("2026-11-20 09:00:00"), 20)
    for tick in ticks:
        await cleanup.xadd(key, encode_tick(tick))  # type: ignore[arg-type]
    first = StreamTail(redis_url, SYMBOL, prefix=prefix, after="0-0", block_ms=100)
    seen = await collect(first, 12)
    await first.aclose()
    last = [e for e in seen if isinstance(e, TailTick)][-1].entry_id
    second = StreamTail(redis_url, SYMBOL, prefix=prefix, after=last, block_ms=100)
    rest = await collect(second, 8)
    await second.aclose()
    volumes = [e.tick.volume for e in seen + rest if isinstance(e, TailTick)]
    assert volumes == list(range(1, 21))


async def test_falling_behind_the_trimmed_window_is_reported_as_a_gap(
    redis_url: str, prefix: str, cleanup: Redis
) -> None:
    key = f"{prefix}{SYMBOL}"
    ticks = tick_run(at("2026-11-20 09:00:00"), 1000)
    for tick in ticks[:10]:
        await cleanup.xadd(key, encode_tick(tick))  # type: ignore[arg-type]
    tail = StreamTail(redis_url, SYMBOL, prefix=prefix, after="0-0", block_ms=100, count=10)
    events = await collect(tail, 10)
    async with cleanup.pipeline(transaction=False) as pipe:
        for tick in ticks[10:]:
            pipe.xadd(key, encode_tick(tick), maxlen=100, approximate=False)  # type: ignore[arg-type]
        await pipe.execute()
    events += await collect(tail, 10)
    await tail.aclose()
    gaps = [e for e in events if isinstance(e, TailGap)]
    assert len(gaps) == 1 and gaps[0].reason == "fell behind the trimmed window"
    after_gap = [e.tick.volume for e in events[events.index(gaps[0]) + 1 :]]
    assert after_gap[0] == 901  # the oldest entry the window still holds
