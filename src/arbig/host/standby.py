"""A core of the split deployment waits as a standby until it holds the lease, then
trades; it stops at once when it loses the lease.

The timeline of a takeover (docs/deployment.md, "Takeover"): the active core ends (killed,
its host lost, paused); its lease expires ``lease.ttl_s`` after its last renewal; within
``lease.poll_s`` a standby takes it with a new fencing token, claims the book for that
token (storage/fence.py), builds and starts its runtime, which reconciles with the broker
before anything trades and resumes the strategy that was running, then publishes a
``system`` event naming the new core, which every web replica passes to its consoles.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Protocol

import structlog

from arbig.host.lease import CoreLease, LeaseKeeper
from arbig.ticks.redis_conn import UNAVAILABLE, raise_if_cancelled

log = structlog.get_logger(__name__)


class StopLeftBehind(RuntimeError):
    """The role did not stop in time after serving ended; the message says why it ended."""


class Role(Protocol):
    """What the standby drives (``arbig.host.core_role.CoreRole``)."""

    async def activate(self) -> None: ...

    async def deactivate(self) -> None: ...


async def wait_for_lease(
    lease: CoreLease,
    poll_s: float,
    stopping: asyncio.Event,
    floor: Callable[[], Awaitable[int]] | None = None,
) -> bool:
    """Poll until ``lease`` is taken (True) or ``stopping`` is set (False); listed as a
    standby meanwhile. ``floor`` gives the newest token the book has seen (asked only
    when the lease is free): a Redis restarted empty must not hand out an old token."""
    announced = False
    while not stopping.is_set():
        try:
            free = await lease.current() is None
            if free and await lease.try_acquire(await floor() if floor else 0) is not None:
                await lease.withdraw_standby()
                return True
            await lease.announce_standby(poll_s * 3)
            if not announced:
                holder = await lease.current()
                log.info(
                    "core waiting as standby",
                    core=lease.holder,
                    active=holder.holder if holder else None,
                )
                announced = True
        except UNAVAILABLE as exc:
            raise_if_cancelled()
            log.warning("standby cannot reach Redis", error=f"{type(exc).__name__}: {exc}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), poll_s)
    return False


async def serve_while_leased(
    lease: CoreLease,
    role: Role,
    stopping: asyncio.Event,
    *,
    announce: Callable[[], Awaitable[None]] | None = None,
    stop_timeout_s: float = 30.0,
) -> str:
    """Activate ``role`` under the lease held and keep it renewed until ``stopping`` is
    set (the lease is then released for the next core at once) or the lease is lost
    (the role is deactivated at once). Returns why it ended; StopLeftBehind when the
    role did not stop within ``stop_timeout_s`` (the process must end without it)."""
    lost = asyncio.Event()
    reason = "stopped"

    def on_lost(why: str) -> None:
        nonlocal reason
        reason = f"lease lost: {why}"
        log.error("core lost its lease: it stops trading", core=lease.holder, reason=why)
        lost.set()

    keeper = LeaseKeeper(lease, on_lost)
    keeper.start()  # renewing while the runtime starts (reconciliation may take a while)
    try:
        await role.activate()
        if announce is not None and not lost.is_set():
            await announce()
        waiters = {asyncio.ensure_future(stopping.wait()), asyncio.ensure_future(lost.wait())}
        _, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for waiter in pending:
            waiter.cancel()
    finally:
        # Renewed while the role stops, so that its last writes still pass the fence.
        stop = asyncio.ensure_future(role.deactivate())
        done, _ = await asyncio.wait({stop}, timeout=stop_timeout_s)
        await keeper.stop()
        await lease.release()
    if not done:
        log.error("core did not stop in time; left behind", core=lease.holder, reason=reason)
        raise StopLeftBehind(reason)
    return reason
