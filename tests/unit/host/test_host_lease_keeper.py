"""The lease keeper stops when told, whenever the stop comes."""

import asyncio

from arbig.host.lease import LeaseKeeper


class AnsweringLease:
    """A held lease whose renewal answers when the test lets it."""

    ttl_s = 30.0
    holder = "core-a"

    def __init__(self) -> None:
        self.asked = asyncio.Event()
        self.answer = asyncio.Event()

    def valid(self) -> bool:
        return True

    def remaining_s(self) -> float:
        return 20.0

    async def renew(self) -> bool:
        self.asked.set()
        await self.answer.wait()
        return True

    async def refresh_standbys(self) -> tuple[str, ...]:
        return ()

    def drop(self) -> None:
        raise AssertionError("the lease was not lost")


async def test_a_stop_that_comes_as_a_renewal_answers_ends_the_keeper() -> None:
    lease = AnsweringLease()
    keeper = LeaseKeeper(lease, lambda reason: None)  # type: ignore[arg-type]
    keeper.start()
    renewing = keeper._task
    assert renewing is not None
    await lease.asked.wait()

    lease.answer.set()
    stopping = asyncio.create_task(keeper.stop())  # cancels the keeper in the same turn

    try:
        done, _ = await asyncio.wait({stopping}, timeout=5)
        assert stopping in done, "the keeper went on after it was cancelled"
    finally:
        while not renewing.done():  # a keeper that lost its cancel would hang the loop's end
            renewing.cancel()
            await asyncio.wait({renewing}, timeout=0.1)
        await asyncio.wait({stopping}, timeout=1)
