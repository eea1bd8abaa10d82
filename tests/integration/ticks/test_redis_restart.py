"""Redis restarted while ticks flow (a private redis-server, never the shared one):
the writer rides it out with backoff, nothing is silently lost, the tail resumes."""

import asyncio
import sys
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis_kit import PrivateRedis

from arbig.ticks.codec import encode_tick
from arbig.ticks.redis_stream import RedisTickStore, RedisUnavailable, check_redis
from arbig.ticks.tail import StreamTail, TailEvent, TailGap, TailTick

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "ticks"))

from tickkit import SYMBOL, at, make_tick, tick_run

pytestmark = pytest.mark.integration

TOTAL = 1500


async def eventually(condition: object, timeout_s: float = 10.0) -> None:
    assert callable(condition)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_writer_and_tail_survive_a_redis_restart(private_redis: PrivateRedis) -> None:
    store = RedisTickStore(private_redis.url, maxlen=100_000, batch_size=50)
    await store.start()
    tail = StreamTail(private_redis.url, SYMBOL, block_ms=100)
    events: list[TailEvent] = []

    async def read() -> None:
        async for event in tail:
            events.append(event)

    reader = asyncio.create_task(read())
    await asyncio.sleep(0.2)
    ticks = tick_run(at("2026-11-20 09:00:00"), TOTAL, step_ms=1)
    in_process: list[int] = []  # what the tick path saw: every tick, restart or not
    killed_at = 0
    for i, tick in enumerate(ticks):
        store.add(tick)
        in_process.append(tick.volume)
        if i == 500:
            private_redis.kill()
            killed_at = i
        if i == 1000:
            await eventually(lambda: not store.healthy)
            private_redis.start()
        await asyncio.sleep(0.001)
    await eventually(lambda: store.pending == 0 and store.healthy)
    await eventually(
        lambda: any(isinstance(e, TailTick) and e.tick.volume == TOTAL for e in events)
    )
    await tail.aclose()
    await asyncio.wait_for(reader, 10)

    assert in_process == list(range(1, TOTAL + 1))
    assert store.reconnects >= 1 and store.write_errors >= 1
    assert store.not_stored == 0
    # Everything added after the kill was buffered and written to the new instance.
    check = Redis.from_url(private_redis.url)
    kept = [int(f[b"volume"]) for _, f in await check.xrange(f"market_data:{SYMBOL}")]
    await check.aclose()
    assert kept[-1] == TOTAL and set(range(killed_at + 2, TOTAL + 1)) <= set(kept)
    assert kept == sorted(set(kept)), "no entry stored twice"
    # The tail never repeats an entry, and says that the restart may have cost entries.
    ids = [e.entry_id for e in events if isinstance(e, TailTick)]
    assert len(ids) == len(set(ids))
    volumes = [e.tick.volume for e in events if isinstance(e, TailTick)]
    assert volumes == sorted(volumes)
    assert any(isinstance(e, TailGap) and e.reason == "redis restarted" for e in events)
    assert tail.interruptions >= 1
    await store.stop()


async def test_a_full_buffer_counts_the_ticks_it_could_not_keep(
    private_redis: PrivateRedis,
) -> None:
    store = RedisTickStore(private_redis.url, max_pending=100)
    await store.start()
    private_redis.kill()
    for tick in tick_run(at("2026-11-20 09:00:00"), 50):
        store.add(tick)
    await eventually(lambda: not store.healthy)
    for tick in tick_run(at("2026-11-20 09:01:00"), 300):
        store.add(tick)
    stats = store.stats()
    assert stats.pending <= 100 and stats.not_stored >= 250 - 1
    assert not stats.healthy
    await store.stop(timeout_s=0.1)


BACKLOG = 20_000


async def _busy_store(url: str) -> RedisTickStore:
    """A writer with BACKLOG ticks queued, four batches in flight, 2000 stored so far."""
    store = RedisTickStore(url, maxlen=100_000, batch_size=100, in_flight=4)
    await store.start()
    for tick in tick_run(at("2026-11-20 09:00:00"), BACKLOG, step_ms=1):
        store.add(tick)
    await eventually(lambda: store.stored >= 2000)
    return store


async def test_a_dropped_connection_with_batches_in_flight_stores_each_tick_once_in_order(
    private_redis: PrivateRedis,
) -> None:
    store = await _busy_store(private_redis.url)
    check = Redis.from_url(private_redis.url)
    # Every other connection, the writer's among them: batches already sent are
    # answered or not, and go again on the next connection.
    await check.client_kill_filter(_type="normal", skipme=True)
    await eventually(lambda: store.pending == 0 and store.healthy)
    volumes = [int(f[b"volume"]) for _, f in await check.xrange(f"market_data:{SYMBOL}")]
    await check.aclose()
    assert volumes == list(range(1, BACKLOG + 1)), "each tick once, in order"
    # Ticks Redis took but could not answer for come back as duplicates when sent again.
    assert store.stored + store.duplicates == BACKLOG and store.not_stored == 0
    assert store.write_errors >= 1 and store.reconnects >= 1
    await store.stop()


async def test_a_restart_with_batches_in_flight_resends_what_was_not_answered(
    private_redis: PrivateRedis,
) -> None:
    store = await _busy_store(private_redis.url)
    answered = store.stored
    private_redis.kill()  # loses what it held: only unanswered batches are sent again
    await eventually(lambda: not store.healthy)
    private_redis.start()
    await eventually(lambda: store.pending == 0 and store.healthy)
    check = Redis.from_url(private_redis.url)
    volumes = [int(f[b"volume"]) for _, f in await check.xrange(f"market_data:{SYMBOL}")]
    await check.aclose()
    assert volumes == list(range(volumes[0], BACKLOG + 1)), "no gap, no repeat, in order"
    assert volumes[0] > answered  # answered batches are not written twice
    assert store.stored == BACKLOG and store.duplicates == 0 and store.not_stored == 0
    await store.stop()


async def test_a_clear_while_batches_wait_to_be_sent_again_deletes_them_too(
    private_redis: PrivateRedis,
) -> None:
    store = await _busy_store(private_redis.url)
    private_redis.kill()  # the batches in flight will be sent again
    await eventually(lambda: not store.healthy)
    await store.clear(SYMBOL)  # the main contract switched away meanwhile
    private_redis.start()
    await eventually(lambda: store.pending == 0 and store.healthy)
    await asyncio.sleep(0.2)
    check = Redis.from_url(private_redis.url)
    left = await check.xlen(f"market_data:{SYMBOL}")
    await check.aclose()
    assert left == 0, "the ticks sent again landed before the stream was deleted"
    assert store.not_stored == 0
    await store.stop()


async def test_a_busy_redis_is_waited_out_and_every_tick_stored_once_in_order(
    private_redis: PrivateRedis,
) -> None:
    key = f"market_data:{SYMBOL}"
    admin = Redis.from_url(private_redis.url)
    await admin.config_set("busy-reply-threshold", 100)  # ms before BUSY replies
    # An older entry above our ticks' ids: the writer must learn the stream's top
    # while Redis is busy, not take the stream for empty.
    later = at("2026-11-20 10:00:00")
    top = encode_tick(make_tick(later, volume=0))
    await admin.xadd(key, dict(top), id=f"{int(later.timestamp() * 1000)}-0")
    blocker = Redis.from_url(private_redis.url)
    script = asyncio.create_task(blocker.eval("while true do end", 0))
    await asyncio.sleep(0.3)  # past the threshold: every command now gets BUSY
    tail = StreamTail(private_redis.url, SYMBOL, after="0-0", block_ms=50)
    seen: list[int] = []

    async def read() -> None:
        async for event in tail:
            if isinstance(event, TailTick):
                seen.append(event.tick.volume)

    reader = asyncio.create_task(read())
    await check_redis(private_redis.url)  # `arbig run`'s preflight lets it start
    store = RedisTickStore(private_redis.url, batch_size=50)
    await store.start()
    for tick in tick_run(at("2026-11-20 09:00:00"), 300, step_ms=1):
        store.add(tick)
    await eventually(lambda: store.write_errors >= 2)
    assert store.stored == 0 and store.not_stored == 0
    latest = await store.latest(SYMBOL)  # the quotes are served from the process meanwhile
    assert latest is not None and latest.volume == 300
    assert len(await store.history(SYMBOL, 10)) == 10
    await admin.script_kill()
    with pytest.raises(Exception, match="Script killed"):
        await script
    await eventually(lambda: store.pending == 0 and store.healthy)
    entries = await admin.xrange(key)
    await admin.aclose()
    await blocker.aclose()
    assert [int(f[b"volume"]) for _, f in entries] == [0, *range(1, 301)]
    assert store.stored == 300 and store.not_stored == 0 and store.duplicates == 0
    await eventually(lambda: len(seen) == 301)
    assert seen == list(range(301)) and tail.interruptions >= 1  # the tail waited too
    await tail.aclose()
    await asyncio.wait_for(reader, 10)
    await store.stop()


async def test_the_preflight_check_names_what_is_wrong(private_redis: PrivateRedis) -> None:
    await check_redis(private_redis.url)
    private_redis.kill()
    with pytest.raises(
        RedisUnavailable, match=r"cannot reach Redis at redis://127\.0\.0\.1"
    ) as lost:
        await check_redis(private_redis.url, timeout_s=0.5)
    assert "or unset it to keep ticks in memory" in str(lost.value)
    # the split deployment's roles cannot go without Redis: no such advice for them
    with pytest.raises(RedisUnavailable) as needed:
        await check_redis(private_redis.url, timeout_s=0.5, required=True)
    assert "unset" not in str(needed.value)
    with pytest.raises(RedisUnavailable, match="is not usable"):
        await check_redis("http://127.0.0.1:6379")
