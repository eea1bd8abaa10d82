"""Requests over the bus: answered as the core answered, acted on once, refused after
their deadline, dead-lettered when they cannot be processed."""

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from bus_kit import RecordingCore
from redis.asyncio import Redis
from redis_kit import lose_cancellations

from arbig.api.actor import Actor
from arbig.api.errors import CashRefused, CoreUnreachable, OrderRefused, Refused
from arbig.api.health import ComponentState
from arbig.domain.enums import Exchange, Offset, Side, Transfer
from arbig.domain.order import OrderRequest
from arbig.host.command_server import CommandServer
from arbig.host.redis_client import RedisCoreClient
from arbig.host.wire import BusKeys, request_fields
from arbig.ticks.redis_conn import UNAVAILABLE, within

ACTOR = Actor("operator", "127.0.0.1")


def order(volume: int = 1) -> OrderRequest:
    return OrderRequest("au2702", Exchange.SHFE, Side.BUY, Offset.OPEN, Decimal("912.34"), volume)


class Rig:
    def __init__(self, redis_url: str, keys: BusKeys) -> None:
        self.core = RecordingCore()
        self.redis: Redis = Redis.from_url(redis_url)
        self.dead: list[int] = []
        self.server = CommandServer(
            self.redis,
            keys,
            self.core,  # type: ignore[arg-type]
            name="core-a",
            max_deliveries=2,
            retry_after_s=0.2,
            on_dead_letter=lambda: self.dead.append(1),
        )
        self.client = RedisCoreClient(redis_url, keys, timeout_s=3.0, cache_ttl_s=30.0)


@pytest.fixture
async def rig(redis_url: str, keys: BusKeys) -> AsyncIterator[Rig]:
    rig = Rig(redis_url, keys)
    await rig.server.start()
    await rig.client.start()
    yield rig
    await rig.client.stop()
    await rig.server.stop()
    await rig.redis.aclose()


async def test_an_order_sent_through_a_replica_reaches_the_core_and_answers_its_id(
    rig: Rig,
) -> None:
    assert await rig.client.send_order(order(), ACTOR) == "S1"
    assert rig.core.sent == [order()]


async def test_a_cash_move_travels_to_the_core_and_its_refusal_back(rig: Rig) -> None:
    account = await rig.client.move_cash(Transfer.DEPOSIT, Decimal("500.25"), ACTOR)
    assert account.deposit == Decimal("500.25")
    assert rig.core.moved == [(Transfer.DEPOSIT, Decimal("500.25"))]
    with pytest.raises(CashRefused, match=r"only 1000\.00 is available"):
        await rig.client.move_cash(Transfer.WITHDRAW, Decimal("5000"), ACTOR)
    assert rig.core.moved == [(Transfer.DEPOSIT, Decimal("500.25"))]


async def test_a_refusal_comes_back_as_the_refusal_the_core_raised(rig: Rig) -> None:
    with pytest.raises(OrderRefused, match="max_order_volume: 101 lots"):
        await rig.client.send_order(order(101), ACTOR)
    assert rig.core.sent == []


async def test_a_command_delivered_twice_acts_once_and_answers_the_same(
    rig: Rig, keys: BusKeys, plain: Redis
) -> None:
    rig.core.order_delay_s = 0.2  # the second delivery arrives while the first runs
    reply_to = keys.replies("test-replica")
    fields = request_fields(
        uuid.uuid4().hex,
        "send_order",
        {"request": order(), "actor": ACTOR},
        int((time.time() + 5) * 1000),
        reply_to,
    )
    await plain.xadd(keys.requests, fields)  # type: ignore[arg-type]
    await plain.xadd(keys.requests, fields)  # type: ignore[arg-type]

    async def answers() -> list[bytes]:
        return [f[b"a"] for _, f in await plain.xrange(reply_to)]

    deadline = time.monotonic() + 10
    while len(await answers()) < 2:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    first, second = await answers()
    assert first == second
    assert rig.core.sent == [order()]


async def test_a_command_past_its_deadline_is_refused_and_not_carried_out(
    rig: Rig, keys: BusKeys, plain: Redis
) -> None:
    reply_to = keys.replies("test-replica")
    late = int((time.time() - 1) * 1000)
    await plain.xadd(
        keys.requests,
        request_fields(
            "late-1", "send_order", {"request": order(), "actor": ACTOR}, late, reply_to
        ),  # type: ignore[arg-type]
    )
    deadline = time.monotonic() + 10
    while not (replies := await plain.xrange(reply_to)):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    assert b"after its deadline" in replies[0][1][b"a"]
    assert rig.core.sent == []


async def test_a_replica_waiting_on_an_expired_command_gets_refused(
    redis_url: str, keys: BusKeys
) -> None:
    # A core that is busy (not reading) past the replica's deadline.
    client = RedisCoreClient(redis_url, keys, timeout_s=0.3)
    await client.start()
    redis = Redis.from_url(redis_url)
    await redis.xgroup_create(keys.requests, keys.group, "$", mkstream=True)
    try:
        waiting = asyncio.create_task(client.send_order(order(), ACTOR))
        await asyncio.sleep(0.6)
        core = RecordingCore()
        server = CommandServer(
            redis,
            keys,
            core,
            name="late-core",
            max_deliveries=3,
            retry_after_s=1.0,  # type: ignore[arg-type]
        )
        await server.start()
        with pytest.raises(Refused, match="after its deadline"):
            await waiting
        assert core.sent == []
        await server.stop()
    finally:
        await client.stop()
        await redis.aclose()


async def test_a_poison_request_is_dead_lettered_after_its_retries_and_shown_in_health(
    rig: Rig, keys: BusKeys, plain: Redis
) -> None:
    reply_to = keys.replies("test-replica")
    poison = request_fields("poison-1", "positions", {}, int((time.time() + 30) * 1000), reply_to)
    poison[b"a"] = b"{not json"
    await plain.xadd(keys.requests, poison)  # type: ignore[arg-type]

    deadline = time.monotonic() + 15
    while not await plain.xlen(keys.dead_letters):
        assert time.monotonic() < deadline, "not dead-lettered"
        await asyncio.sleep(0.05)
    ((_, letter),) = await plain.xrange(keys.dead_letters)
    assert letter[b"id"] == b"poison-1"
    assert b"2 deliveries" in letter[b"reason"]
    assert rig.dead == [1]
    assert await plain.xpending(keys.requests, keys.group) == {
        "pending": 0,
        "min": None,
        "max": None,
        "consumers": [],
    }
    replies = await plain.xrange(reply_to)
    assert b"could not process" in replies[0][1][b"a"]

    health = await rig.client.health()
    bus = health.components["command_bus"]
    assert bus.state is ComponentState.DEGRADED
    assert "1 dead-lettered" in bus.detail


async def test_a_command_taken_up_by_a_core_that_died_is_not_run_again(
    rig: Rig, keys: BusKeys, plain: Redis
) -> None:
    reply_to = keys.replies("test-replica")
    fields = request_fields(
        "taken-1",
        "send_order",
        {"request": order(), "actor": ACTOR},
        int((time.time() + 30) * 1000),
        reply_to,
    )
    # A core that read it, marked it begun and died before answering.
    await plain.set(keys.answer("taken-1"), b"running")
    await plain.xadd(keys.requests, fields)  # type: ignore[arg-type]
    deadline = time.monotonic() + 10
    while not (replies := await plain.xrange(reply_to)):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    assert b"outcome was not recorded" in replies[0][1][b"a"]
    assert rig.core.sent == []


async def test_a_replica_without_redis_refuses_at_once_with_a_clear_error() -> None:
    client = RedisCoreClient("redis://127.0.0.1:1/0", BusKeys("x:"), timeout_s=5.0)
    await client.start()
    try:
        started = time.monotonic()
        with pytest.raises(CoreUnreachable, match=r"command bus \(Redis\) cannot be reached"):
            await client.send_order(order(), ACTOR)
        assert time.monotonic() - started < 5.0
        health = await client.health()
        assert health.status is ComponentState.DOWN
    finally:
        await client.stop()


async def test_concurrent_report_reads_compute_once_and_a_new_trade_invalidates(
    rig: Rig, keys: BusKeys, plain: Redis
) -> None:
    from arbig.api.reports import TradeFilter

    counts: list[str] = []
    rig.client.cache._counted = counts.append
    rig.core.report_delay_s = 0.3
    pages = await asyncio.gather(
        *(rig.client.trades(TradeFilter(), limit=10, offset=0) for _ in range(5))
    )
    assert {total for _, total in pages} == {1}
    assert rig.core.reports == 1
    assert sorted(counts) == ["hit"] * 4 + ["miss"]

    await plain.incr(keys.cache_generation)  # what the core does when a trade lands
    _, total = await rig.client.trades(TradeFilter(), limit=10, offset=0)
    assert total == 2


async def test_the_login_delay_is_shared_by_every_replica(redis_url: str, keys: BusKeys) -> None:
    from arbig.auth.ratelimit import LoginLimiter
    from arbig.auth.shared_limit import SharedLoginLimiter

    redis = Redis.from_url(redis_url)
    try:
        a = SharedLoginLimiter(redis, keys.prefix, LoginLimiter(free_failures=2, window_s=60))
        b = SharedLoginLimiter(redis, keys.prefix, LoginLimiter(free_failures=2, window_s=60))
        await a.record_failure("10.0.0.9")
        assert await b.wait_s("10.0.0.9") == 0.0
        await b.record_failure("10.0.0.9")  # the second, on another replica
        assert 0.5 < await a.wait_s("10.0.0.9") <= 1.0
        assert await a.wait_s("10.0.0.10") == 0.0
        await a.record_success("10.0.0.9")
        assert await b.wait_s("10.0.0.9") == 0.0
    finally:
        await redis.aclose()


async def test_without_redis_the_login_delay_is_the_processes_own() -> None:
    from arbig.auth.ratelimit import LoginLimiter
    from arbig.auth.shared_limit import SharedLoginLimiter

    redis = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    limiter = SharedLoginLimiter(redis, "x:", LoginLimiter(free_failures=1, window_s=60))
    await limiter.record_failure("10.0.0.9")
    assert await limiter.wait_s("10.0.0.9") > 0.5
    await redis.aclose()


async def test_the_server_and_a_replicas_client_stop_at_once_though_their_cancellations_are_lost(
    redis_url: str, keys: BusKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = lose_cancellations(monkeypatch, "xread", "xreadgroup")
    rig = Rig(redis_url, keys)
    await rig.server.start()
    await rig.client.start()
    try:
        assert await rig.client.send_order(order(), ACTOR) == "S1"
        readers = {"command-reader", "reply-reader"}
        async with asyncio.timeout(2.0):  # both back in a read
            while not readers <= reads.reading:  # noqa: ASYNC110 - a bounded wait
                await asyncio.sleep(0.01)
    finally:
        started = time.monotonic()
        async with asyncio.timeout(5.0):
            await rig.client.stop()
            await rig.server.stop()
        await rig.redis.aclose()
    assert time.monotonic() - started < 1.8  # each within its read's block time
    assert sorted(reads.lost) == sorted(readers)
    left = {task.get_name() for task in asyncio.all_tasks()} & {*readers, "command-retries"}
    assert left == set()


async def test_the_replica_and_the_core_stop_at_once_after_serving(
    redis_url: str, keys: BusKeys
) -> None:
    rig = Rig(redis_url, keys)
    await rig.server.start()
    await rig.client.start()
    for _ in range(3):
        await rig.client.send_order(order(), ACTOR)
    # At once: each reader is between an answer and its next blocking read.
    started = time.monotonic()
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(5):
            await rig.client.stop()
            await rig.server.stop()
    await rig.redis.aclose()
    # A reader that took its cancellation for the end of a block would read on.
    assert time.monotonic() - started < 1.0


async def test_a_bus_call_to_a_redis_that_does_not_answer_gives_up_at_its_bound() -> None:
    held: list[asyncio.StreamWriter] = []

    async def silent(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # the connection stays open; nothing is ever answered

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = Redis.from_url(f"redis://127.0.0.1:{port}/0", socket_timeout=None)
    try:
        started = time.monotonic()
        with pytest.raises(UNAVAILABLE):
            await within(client.xadd("requests", {b"m": b"health"}), 0.3)
        assert time.monotonic() - started < 2.0
    finally:
        await client.aclose()
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_each_side_times_a_request_and_the_replica_tells_what_the_bus_adds(
    redis_url: str, keys: BusKeys
) -> None:
    observed: list[tuple[str, str, float]] = []
    timed: list[tuple[str, str, float]] = []
    core = RecordingCore()
    core.order_delay_s = 0.3  # the core's own time, which the bus's transit leaves out
    redis = Redis.from_url(redis_url, socket_timeout=None)
    server = CommandServer(
        redis,
        keys,
        core,  # type: ignore[arg-type]
        name="core-t",
        max_deliveries=2,
        retry_after_s=5.0,
        observe=lambda *item: observed.append(item),
    )
    client = RedisCoreClient(redis_url, keys, timeout_s=3.0, timed=lambda *item: timed.append(item))
    await server.start()
    await client.start()
    try:
        await client.send_order(order(), ACTOR)
        await client.health()
    finally:
        await client.stop()
        await server.stop()
        await redis.aclose()

    stages = {(kind, stage): seconds for kind, stage, seconds in observed}
    assert set(stages) == {
        ("command", "taken"),
        ("command", "carried_out"),
        ("command", "answered"),
        ("read", "carried_out"),
        ("read", "answered"),
    }
    assert stages["command", "carried_out"] >= 0.3
    parts = {(kind, part): seconds for kind, part, seconds in timed}
    assert set(parts) == {
        ("command", "round_trip"),
        ("command", "transit"),
        ("read", "round_trip"),
        ("read", "transit"),
    }
    assert parts["command", "round_trip"] >= 0.3
    assert parts["command", "transit"] < 0.3


async def test_the_core_sends_a_commands_mark_before_its_next_read(
    rig: Rig, keys: BusKeys, redis_url: str
) -> None:
    watcher = Redis.from_url(redis_url)
    seen: list[str] = []

    async def watch() -> None:
        async with watcher.monitor() as monitor:
            async for command in monitor.listen():
                text = str(command.get("command", ""))
                if keys.prefix in text:
                    seen.append(text.split(" ", 1)[0].upper())

    watching = asyncio.ensure_future(watch())
    await asyncio.sleep(0.3)  # monitoring
    try:
        await rig.client.send_order(order(), ACTOR)
        await asyncio.sleep(0.2)
    finally:
        watching.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await watching
        await watcher.aclose()
    after = seen[seen.index("XADD") :]  # the request
    # Its act-once mark goes out first; the core's next read waits for it.
    assert after.index("SET") < after.index("XREADGROUP"), after


async def test_a_replica_answers_a_request_before_it_sends_its_next_read(rig: Rig) -> None:
    happened: list[str] = []
    reader = rig.client._reader
    read = reader.xread

    async def spied(*args: Any, **kwargs: Any) -> Any:
        happened.append("read")
        return await read(*args, **kwargs)

    reader.xread = spied  # type: ignore[method-assign]
    await asyncio.sleep(1.2)  # the reader blocked in a spied read
    happened.clear()
    await rig.client.send_order(order(), ACTOR)
    happened.append("answered")
    await asyncio.sleep(0.1)
    assert happened[:2] == ["answered", "read"]
