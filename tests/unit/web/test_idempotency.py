"""Idempotency keys: one action per key; a concurrent retry waits for it; a 5xx is not kept."""

import asyncio

import pytest
from fastapi import HTTPException

from arbig.web.idempotency import Idempotency

SCOPE = ("operator", "orders")


async def test_concurrent_retries_wait_for_the_first_and_get_its_answer() -> None:
    keys = Idempotency()
    acted = 0
    release = asyncio.Event()

    async def act() -> str:
        nonlocal acted
        acted += 1
        await release.wait()
        return f"order-{acted}"

    first = asyncio.create_task(keys.once("k", SCOPE, "{}", act))
    second = asyncio.create_task(keys.once("k", SCOPE, "{}", act))
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(first, second) == ["order-1", "order-1"]
    assert acted == 1


async def test_a_refusal_is_answered_again_but_a_failure_lets_the_retry_act() -> None:
    keys = Idempotency()

    async def refuse() -> str:
        raise HTTPException(422, "refused")

    async def crash() -> str:
        raise RuntimeError("database gone")

    async def succeed() -> str:
        return "order-1"

    for _ in range(2):
        with pytest.raises(HTTPException):
            await keys.once("refused", SCOPE, "{}", refuse)
    assert await keys.once("refused", ("token:x", "orders"), "{}", succeed) == "order-1"
    with pytest.raises(RuntimeError):
        await keys.once("crashed", SCOPE, "{}", crash)
    assert await keys.once("crashed", SCOPE, "{}", succeed) == "order-1"


async def test_a_key_is_forgotten_after_the_window() -> None:
    keys = Idempotency(window_s=0.0)
    answers = iter(["order-1", "order-2"])

    async def act() -> str:
        return next(answers)

    assert await keys.once("k", SCOPE, "{}", act) == "order-1"
    await asyncio.sleep(0.01)
    assert await keys.once("k", SCOPE, "{}", act) == "order-2"
