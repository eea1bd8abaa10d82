"""A retry loop on Redis ends when its task is cancelled, even when the cancellation
reaches it as a lost connection (as redis-py reports a read cut short)."""

import asyncio

from arbig.ticks.redis_conn import UNAVAILABLE, raise_if_cancelled


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
