"""The core's events through Redis to a replica: in order, typed, and, across a Redis
restart, resumed with a gap that makes the replica re-read (and commands sent while
Redis is away refused, never carried out later)."""

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from bus_kit import RecordingCore
from redis.asyncio import Redis
from redis_kit import PrivateRedis

from arbig.api.actor import Actor
from arbig.api.errors import CoreUnreachable
from arbig.api.events import Event, EventType, Gap
from arbig.domain.enums import Exchange, Offset, Side
from arbig.domain.order import OrderRequest
from arbig.domain.tick import Tick
from arbig.engine.bus import EventBus
from arbig.host.command_server import CommandServer
from arbig.host.publisher import EventPublisher
from arbig.host.redis_client import RedisCoreClient
from arbig.host.wire import BusKeys

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "ticks"))

from tickkit import at, make_tick


def tick_no(n: int) -> Tick:
    return make_tick(at("2026-11-20 21:00:00") + timedelta(milliseconds=500 * n), volume=n)


ORDER = OrderRequest("au2702", Exchange.SHFE, Side.BUY, Offset.OPEN, Decimal("912.34"), 1)
ACTOR = Actor("operator", "127.0.0.1")


async def take(events: AsyncIterator[Event | Gap], count: int) -> list[Event | Gap]:
    got: list[Event | Gap] = []
    async with asyncio.timeout(20):
        while len(got) < count:
            got.append(await anext(events))
    return got


async def test_events_reach_a_replica_in_order_and_typed(redis_url: str, keys: BusKeys) -> None:
    bus = EventBus()
    redis = Redis.from_url(redis_url)
    publisher = EventPublisher(redis, keys, bus, maxlen=1000)
    await publisher.start()
    client = RedisCoreClient(redis_url, keys, timeout_s=2.0)
    events = client.events()
    first = asyncio.ensure_future(anext(events))
    try:
        await asyncio.sleep(0.3)  # the follower has found where the stream ends
        ticks = [tick_no(i) for i in range(20)]
        for tick in ticks:
            bus.publish(EventType.TICK, tick)
        bus.publish(EventType.SYSTEM, {"strategy": "ma", "state": "running"})
        got = [await first, *await take(events, 20)]
        assert got == [Event(EventType.TICK, t) for t in ticks] + [
            Event(EventType.SYSTEM, {"strategy": "ma", "state": "running"})
        ]
    finally:
        first.cancel()
        await events.aclose()  # type: ignore[attr-defined]
        await publisher.stop()
        await redis.aclose()


@pytest.fixture
def private_redis(tmp_path: Path) -> AsyncIterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server  # type: ignore[misc]
    finally:
        server.kill()


async def test_a_redis_restart_under_load_is_ridden_out_by_core_and_replica(
    private_redis: PrivateRedis,
) -> None:
    keys = BusKeys("restart:")
    url = private_redis.url
    bus = EventBus()
    core = RecordingCore()
    redis = Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=2.0)
    publisher = EventPublisher(redis, keys, bus, maxlen=10_000)
    server = CommandServer(
        redis,
        keys,
        core,
        name="core-a",
        max_deliveries=3,
        retry_after_s=0.5,  # type: ignore[arg-type]
    )
    await publisher.start()
    await server.start()
    client = RedisCoreClient(url, keys, timeout_s=2.0)
    await client.start()
    events = client.events()
    stop = asyncio.Event()

    async def ticking() -> None:
        n = 0
        while not stop.is_set():
            bus.publish(EventType.TICK, tick_no(n))
            n += 1
            await asyncio.sleep(0.005)

    load = asyncio.create_task(ticking())
    try:
        assert await client.send_order(ORDER, ACTOR) == "S1"
        await take(events, 10)

        private_redis.kill()
        with pytest.raises(CoreUnreachable, match="cannot be reached"):
            await client.send_order(ORDER, ACTOR)
        private_redis.start()

        got = await take(events, 1)
        while not isinstance(got[-1], Gap):
            got = await take(events, 1)
        after = await take(events, 5)
        assert all(isinstance(e, Event) and e.type is EventType.TICK for e in after)

        deadline = time.monotonic() + 20
        while True:
            try:
                assert await client.send_order(ORDER, ACTOR) == "S2"
                break
            except CoreUnreachable:
                assert time.monotonic() < deadline, "commands did not resume"
                await asyncio.sleep(0.2)
        assert len(core.sent) == 2  # the one refused during the outage never ran
    finally:
        stop.set()
        await load
        await events.aclose()  # type: ignore[attr-defined]
        await client.stop()
        await server.stop()
        await publisher.stop()
        await redis.aclose()


async def test_a_replica_blocked_on_the_stream_gets_a_batch_of_events_in_one_read(
    redis_url: str, keys: BusKeys
) -> None:
    bus = EventBus()
    redis = Redis.from_url(redis_url, socket_timeout=None)
    reader = Redis.from_url(redis_url)
    publisher = EventPublisher(redis, keys, bus, maxlen=1000)
    await publisher.start()
    try:
        await redis.xadd(keys.events, {b"t": b"log", b"d": b'"start"'})
        (_, [(last, _)]), *_ = await reader.xread({keys.events: "0-0"}, count=10)
        waiting = asyncio.ensure_future(reader.xread({keys.events: last}, count=10, block=5000))
        await asyncio.sleep(0.2)  # blocked on the stream
        for n in range(3):  # one burst, as an order's events come
            bus.publish(EventType.TICK, tick_no(n))
        async with asyncio.timeout(5):
            ((_, entries),) = await waiting
        # A pipeline of plain XADDs would wake the reader at the first entry.
        assert len(entries) == 3
    finally:
        await publisher.stop()
        await redis.aclose()
        await reader.aclose()
