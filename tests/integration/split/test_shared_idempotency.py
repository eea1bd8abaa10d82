"""Idempotency-Key answers shared by the web replicas: a retry that reaches another
replica answers the first answer without acting again."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from fastapi import HTTPException
from redis.asyncio import Redis

from arbig.host.shared_idempotency import SharedIdempotency
from arbig.host.wire import BusKeys
from arbig.web.responses import DomainJSON
from arbig.web.routes.orders import OrderAccepted

SCOPE = ("operator", "orders")


@pytest.fixture
async def replicas(redis_url: str, keys: BusKeys) -> AsyncIterator[tuple[SharedIdempotency, ...]]:
    redis = Redis.from_url(redis_url)
    yield SharedIdempotency(redis, keys.prefix), SharedIdempotency(redis, keys.prefix)
    await redis.aclose()


async def test_a_retry_on_another_replica_answers_the_first_answer_without_acting(
    replicas: tuple[SharedIdempotency, ...],
) -> None:
    a, b = replicas
    acted: list[str] = []

    async def send() -> OrderAccepted:
        acted.append("send")
        return OrderAccepted(order_id=f"S{len(acted)}")

    first = await a.once("key-1", SCOPE, '{"volume": 1}', send)
    again = await b.once("key-1", SCOPE, '{"volume": 1}', send)
    assert first == again == OrderAccepted(order_id="S1")
    assert acted == ["send"]
    with pytest.raises(HTTPException) as refused:
        await b.once("key-1", SCOPE, '{"volume": 2}', send)
    assert refused.value.status_code == 422


async def test_a_retry_while_the_first_runs_elsewhere_waits_for_its_answer(
    replicas: tuple[SharedIdempotency, ...],
) -> None:
    a, b = replicas
    acted: list[str] = []

    async def close() -> DomainJSON:
        acted.append("close")
        await asyncio.sleep(0.3)
        return DomainJSON({"result": "filled"})

    first, second = await asyncio.gather(
        a.once("key-2", SCOPE, "{}", close), b.once("key-2", SCOPE, "{}", close)
    )
    assert acted == ["close"]
    assert bytes(first.body) == bytes(second.body) == b'{"result":"filled"}'


async def test_a_refusal_is_kept_and_a_server_error_is_not(
    replicas: tuple[SharedIdempotency, ...],
) -> None:
    a, b = replicas
    calls: list[int] = []

    async def refused() -> OrderAccepted:
        calls.append(1)
        raise HTTPException(422, "max_order_volume: 11 lots")

    async def failing() -> OrderAccepted:
        calls.append(2)
        raise HTTPException(503, "the core did not answer")

    for replica in (a, b):
        with pytest.raises(HTTPException, match="max_order_volume"):
            await replica.once("key-3", SCOPE, "{}", refused)
    for replica in (a, b):
        with pytest.raises(HTTPException, match="did not answer"):
            await replica.once("key-4", SCOPE, "{}", failing)
    assert calls == [1, 2, 2]


async def test_without_redis_nothing_is_done_and_the_answer_says_why() -> None:
    redis = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    acted: list[str] = []

    async def send() -> OrderAccepted:
        acted.append("send")
        return OrderAccepted(order_id="S1")

    with pytest.raises(HTTPException) as refused:
        await SharedIdempotency(redis, "x:").once("key-5", SCOPE, "{}", send)
    assert refused.value.status_code == 503 and "nothing was done" in str(refused.value.detail)
    assert acted == []
    await redis.aclose()
