"""``arbig sim-exchange``: the simulated exchange shared by the cores of a split
deployment, as a process of its own (``arbig.gateways.simlink.exchange``).

It keeps its books in its data folder's ``sim-exchange.json``, as the embedded simulator
does: that file is the exchange's record of every order it took and every fill.
"""

import asyncio
import contextlib
import signal

import structlog
from redis.asyncio import Redis

from arbig.clock import LiveClock
from arbig.config import Settings
from arbig.domain.calendar import TradingCalendar
from arbig.gateways.sim import SimGateway, default_state_path
from arbig.gateways.simlink.exchange import SimExchange

log = structlog.get_logger(__name__)


class ExchangeConfigError(ValueError):
    """What keeps the exchange from starting, in one line."""


def check(settings: Settings) -> str:
    """The Redis URL the exchange serves on; ExchangeConfigError without one."""
    if not settings.redis_url:
        raise ExchangeConfigError(
            "arbig sim-exchange needs ARBIG_REDIS_URL: the cores reach it through Redis"
        )
    return settings.redis_url


async def serve(settings: Settings, stopping: asyncio.Event) -> None:
    """Serve until ``stopping`` is set; the books are saved on the way out."""
    url = check(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    calendar = TradingCalendar.gold(settings.holidays)
    gateway = SimGateway(
        settings,
        settings.contract_table.spec,
        calendar,
        default_state_path(settings),
        LiveClock(),
    )
    redis = Redis.from_url(url, socket_connect_timeout=2.0)
    exchange = SimExchange(redis, settings.split.prefix, gateway)
    task = asyncio.create_task(exchange.run(), name="sim-exchange")
    stop = asyncio.create_task(stopping.wait())
    try:
        await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.cancel()
        # Promptly, even if redis-py swallowed a cancellation: cancelled only as a last
        # resort, and not waited for beyond that.
        if await exchange.stop():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await redis.aclose()
        log.info("simulated exchange stopped", taken=exchange.taken, refused=exchange.refused)


def main(settings: Settings) -> None:
    """Run until SIGINT or SIGTERM."""

    async def run() -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stopping.set)
        await serve(settings, stopping)

    asyncio.run(run())
