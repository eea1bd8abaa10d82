"""A retry loop on Redis ends when its task is cancelled, even when the cancellation
reaches it as a lost connection (as redis-py reports a read cut short), or not at all
(as redis-py may return a blocking read cancelled mid-wait as an empty one)."""

import asyncio
import contextlib

from arbig.ticks.redis_conn import UNAVAILABLE, raise_if_cancelled, when_ready


async def read_cut_short_by_cancel() -> None:
    try:
        await asyncio.sleep(30)
    except asyncio.CancelledError:
        raise ConnectionError("Connection closed by server.") from None


async def retry_loop(*, check: bool) -> None:
    while True:
        try:
            await read_cut_short_by_cancel()
        except UNAVAILABLE:
            if check:
                raise_if_cancelled()
            await asyncio.sleep(0.01)


async def test_the_loop_ends_on_cancel() -> None:
    task = asyncio.create_task(retry_loop(check=True))
    await asyncio.sleep(0.01)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=2)
    assert done == {task}, "the cancelled loop went on retrying"
    assert task.cancelled()


def test_outside_a_cancelled_task_it_does_nothing() -> None:
    async def run() -> None:
        raise_if_cancelled()

    asyncio.run(run())


async def read_that_swallows_cancel() -> list[object]:
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.sleep(0.5)  # a block that ends with nothing to read
    return []


async def test_a_read_loop_ends_on_cancel_even_when_the_read_swallowed_it() -> None:
    reads = 0

    async def read_loop() -> None:
        nonlocal reads
        for _ in range(3):  # bounded, so that a failing test ends
            await when_ready(read_that_swallows_cancel())
            reads += 1

    task = asyncio.create_task(read_loop())
    await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.wait({task})
    assert task.cancelled(), f"the cancelled loop went on reading ({reads} more reads)"
    assert reads == 0
