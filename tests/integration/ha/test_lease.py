"""The core lease against the real Redis: one holder at a time, tokens that only grow,
expiry, the local deadline, the keeper and the standby's takeover."""

import asyncio
import time

import pytest
from redis.asyncio import Redis

from arbig.host.lease import CoreLease, LeaseKeeper, LeaseLost
from arbig.host.standby import serve_while_leased, wait_for_lease

pytestmark = pytest.mark.integration


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class RecordingRole:
    def __init__(self) -> None:
        self.calls: list[str] = []

    async def activate(self) -> None:
        self.calls.append("activate")

    async def deactivate(self) -> None:
        self.calls.append("deactivate")


async def eventually(condition: object, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def test_one_core_holds_the_lease_and_tokens_only_grow(client: Redis, prefix: str) -> None:
    a = CoreLease(client, prefix, "core-a", 5.0)
    b = CoreLease(client, prefix, "core-b", 5.0)
    first = await a.try_acquire()
    assert first is not None and a.held and a.valid()
    assert await b.try_acquire() is None
    assert not b.held
    with pytest.raises(LeaseLost):
        b.token()
    holder = await b.current()
    assert holder is not None and holder.holder == "core-a" and holder.token == first
    assert 0 < holder.expires_in_s <= 5.0
    assert await a.renew()
    await a.release()
    assert await a.current() is None
    second = await b.try_acquire()
    assert second is not None and second > first


async def test_an_expired_lease_goes_to_the_next_core_and_the_old_renewal_fails(
    client: Redis, prefix: str
) -> None:
    a = CoreLease(client, prefix, "core-a", 0.5)
    b = CoreLease(client, prefix, "core-b", 5.0)
    first = await a.try_acquire()
    await asyncio.sleep(0.6)
    assert not a.valid()  # the local deadline passed before Redis was even asked
    second = await b.try_acquire()
    assert second is not None and first is not None and second > first
    assert not await a.renew()
    assert not a.held
    await a.release()  # an old holder's release leaves the new holder's lease alone
    holder = await b.current()
    assert holder is not None and holder.holder == "core-b"


async def test_the_local_deadline_runs_on_the_monotonic_clock(client: Redis, prefix: str) -> None:
    clock = FakeClock()
    lease = CoreLease(client, prefix, "core-a", 5.0, monotonic=clock)
    await lease.try_acquire()
    clock.now += 4.95  # inside the TTL, but past its drift margin
    assert not lease.valid()
    assert lease.remaining_s() < 0
    clock.now -= 1.0
    assert lease.valid()


async def test_the_keeper_holds_the_lease_past_its_ttl(client: Redis, prefix: str) -> None:
    lease = CoreLease(client, prefix, "core-a", 0.6)
    other = CoreLease(client, prefix, "core-b", 0.6)
    lost: list[str] = []
    await lease.try_acquire()
    keeper = LeaseKeeper(lease, lost.append)
    keeper.start()
    try:
        await asyncio.sleep(1.5)
        assert lease.valid() and not lost
        assert await other.try_acquire() is None
    finally:
        await keeper.stop()


async def test_the_keeper_reports_a_lease_taken_by_another_core(client: Redis, prefix: str) -> None:
    lease = CoreLease(client, prefix, "core-a", 1.0)
    other = CoreLease(client, prefix, "core-b", 5.0)
    lost: list[str] = []
    await lease.try_acquire()
    keeper = LeaseKeeper(lease, lost.append)
    keeper.start()
    try:
        await client.delete(lease.key)  # as if it had expired
        assert await other.try_acquire() is not None
        await eventually(lambda: bool(lost))
        assert lost == ["another core holds the lease"]
        assert not lease.held and not lease.valid()
    finally:
        await keeper.stop()


async def test_a_paused_holder_finds_its_deadline_gone_before_it_renews(
    client: Redis, prefix: str
) -> None:
    clock = FakeClock()
    lease = CoreLease(client, prefix, "core-a", 5.0, monotonic=clock)
    lost: list[str] = []
    await lease.try_acquire()
    clock.now += 60  # the process was stopped for a minute
    keeper = LeaseKeeper(lease, lost.append)
    keeper.start()
    try:
        await eventually(lambda: bool(lost))
        assert lost == ["the lease's deadline passed without a renewal"]
    finally:
        await keeper.stop()


async def test_a_standby_takes_over_when_the_active_core_stops_renewing(
    client: Redis, prefix: str
) -> None:
    active = CoreLease(client, prefix, "core-a", 0.6)
    standby = CoreLease(client, prefix, "core-b", 0.6)
    first = await active.try_acquire()
    stopping = asyncio.Event()
    waiting = asyncio.create_task(wait_for_lease(standby, 0.05, stopping))
    await asyncio.sleep(0.2)
    assert not waiting.done()
    await active.refresh_standbys()
    assert active.standbys == ("core-b",)
    started = time.monotonic()  # the active core dies now: no more renewals
    assert await asyncio.wait_for(waiting, 5.0)
    assert time.monotonic() - started < 0.6 + 0.3
    assert first is not None and standby.token() > first
    await standby.refresh_standbys()
    assert standby.standbys == ()


async def test_serving_ends_at_once_when_the_lease_is_lost(client: Redis, prefix: str) -> None:
    lease = CoreLease(client, prefix, "core-a", 0.9)
    role = RecordingRole()
    announced: list[int] = []
    await lease.try_acquire()

    async def announce() -> None:
        announced.append(lease.token())

    stopping = asyncio.Event()
    serving = asyncio.create_task(serve_while_leased(lease, role, stopping, announce=announce))
    await eventually(lambda: role.calls == ["activate"] and bool(announced))
    await client.delete(lease.key)
    await CoreLease(client, prefix, "core-b", 5.0).try_acquire()
    reason = await asyncio.wait_for(serving, 5.0)
    assert reason == "lease lost: another core holds the lease"
    assert role.calls == ["activate", "deactivate"]


async def test_a_clean_stop_releases_the_lease_for_the_standby(client: Redis, prefix: str) -> None:
    lease = CoreLease(client, prefix, "core-a", 5.0)
    role = RecordingRole()
    await lease.try_acquire()
    stopping = asyncio.Event()
    serving = asyncio.create_task(serve_while_leased(lease, role, stopping))
    await eventually(lambda: role.calls == ["activate"])
    stopping.set()
    assert await asyncio.wait_for(serving, 5.0) == "stopped"
    assert role.calls == ["activate", "deactivate"]
    assert await lease.current() is None


async def test_a_redis_that_lost_its_counter_still_hands_out_a_newer_token(
    client: Redis, prefix: str
) -> None:
    lease = CoreLease(client, prefix, "core-a", 5.0)
    # The book was last claimed with token 41; Redis came back empty (counter at 0).
    assert await lease.try_acquire(floor=41) == 42
    await lease.release()
    assert await lease.try_acquire(floor=41) == 43


async def test_a_standby_asks_for_the_books_token_only_when_the_lease_is_free(
    client: Redis, prefix: str
) -> None:
    active = CoreLease(client, prefix, "core-a", 0.5)
    standby = CoreLease(client, prefix, "core-b", 5.0)
    await active.try_acquire()
    asked: list[int] = []

    async def floor() -> int:
        asked.append(1)
        return 9

    stopping = asyncio.Event()
    assert await asyncio.wait_for(wait_for_lease(standby, 0.05, stopping, floor), 5.0)
    assert standby.token() == 10
    assert len(asked) <= 2  # once the old lease expired, not on every poll
