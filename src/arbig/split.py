"""The split deployment's assembly: `arbig run --role core` and `arbig run --role web`
(docs/deployment.md). Both roles share a server database (MariaDB/MySQL or
PostgreSQL) and Redis; the web app is the embedded one's, on a ``RedisCoreClient``.
"""

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Callable
from functools import partial

import structlog
from fastapi import FastAPI
from redis.asyncio import Redis

from arbig.config import Settings
from arbig.embedded import StartupError, preflight
from arbig.engine.bus import EventType
from arbig.host.core_role import CoreRole
from arbig.host.lease import CoreLease
from arbig.host.standby import StopLeftBehind, serve_while_leased, wait_for_lease
from arbig.host.web_role import WebHost
from arbig.runtime import build_embedded, prepare_database
from arbig.storage.database import create_engine
from arbig.storage.fence import current_token
from arbig.web.app import create_app
from arbig.web.metrics import LoopbackServer

log = structlog.get_logger(__name__)

ROLES = ("core", "web")


def check_role(settings: Settings, role: str) -> None:
    """What a role lacks to start, in one line (``StartupError``), before anything runs."""
    if role not in ROLES:
        raise StartupError(f"unknown role {role!r}: expected core or web (or no --role)")
    missing = [
        name
        for name, value in (
            ("ARBIG_DATABASE_URL", settings.database_url),
            ("ARBIG_REDIS_URL", settings.redis_url),
        )
        if not value
    ]
    if missing:
        raise StartupError(
            f"--role {role} needs {' and '.join(missing)}: every process of a split deployment "
            "shares a server database (MariaDB/MySQL or PostgreSQL) and Redis"
        )
    assert settings.database_url is not None
    if settings.database_url.startswith("sqlite"):
        raise StartupError(
            f"--role {role} needs a server database (MariaDB/MySQL or PostgreSQL) in "
            "ARBIG_DATABASE_URL, not SQLite: the processes of a split deployment share it"
        )
    preflight(settings, redis_required=True)


LEASE_LOST_EXIT = 3  # the exit status of a core that lost its lease (docs/deployment.md)
STOP_MARGIN_S = 5.0  # beyond shutdown_timeout_s, for the parts around the runtime


def core_settings(settings: Settings) -> Settings:
    """A core of the split deployment resumes the strategy that was running: taking the
    lease over is a takeover, not an operator's restart (docs/deployment.md)."""
    strategy = settings.strategy.model_copy(update={"resume": True})
    return settings.model_copy(update={"strategy": strategy})


async def run_core(settings: Settings) -> str:
    """Run the core role until SIGINT or SIGTERM: a standby until it holds the lease,
    then the active core until it stops or loses the lease. Returns why it ended."""
    settings = core_settings(settings)
    url = settings.redis_url
    assert url is not None  # check_role made sure
    role = CoreRole(settings, lambda s: build_embedded(s, lease=lease))
    lease_redis: Redis = Redis.from_url(
        url, socket_connect_timeout=2.0, socket_timeout=settings.lease.ttl_s / 3
    )
    lease = CoreLease(lease_redis, settings.split.prefix, role.name, settings.lease.ttl_s)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    loopback: LoopbackServer | None = None

    async def active() -> None:
        nonlocal loopback
        runtime = role.runtime
        assert runtime is not None
        # Every replica passes it to its consoles, which re-read the health page.
        runtime.bus.publish(
            EventType.SYSTEM, {"core": lease.holder, "lease_token": lease.token(), "role": "active"}
        )
        if settings.metrics.port:
            loopback = LoopbackServer(runtime.metrics, settings.metrics.port)
            await loopback.start()
        log.info("core role running", core=role.name, lease_token=lease.token())

    try:
        if not await wait_for_lease(
            lease, settings.lease.poll_s, stopping, partial(_book_token, settings)
        ):
            return "stopped"
        try:
            return await serve_while_leased(
                lease,
                role,
                stopping,
                announce=active,
                stop_timeout_s=settings.shutdown_timeout_s + STOP_MARGIN_S,
            )
        except StopLeftBehind as exc:
            # A fenced core sends nothing more (every order path checks the lease); it ends
            # now rather than wait for a part that does not stop.
            log.error("core exits without a clean stop", reason=str(exc))
            logging.shutdown()
            os._exit(LEASE_LOST_EXIT if str(exc).startswith("lease lost") else 1)
    finally:
        if loopback is not None:
            await loopback.stop()
        await role.close()
        await lease.withdraw_standby()
        await lease_redis.aclose()


async def _book_token(settings: Settings) -> int:
    """The token of the core that last claimed the book (0 before any)."""
    engine = create_engine(settings.sqlalchemy_url)
    try:
        return await current_token(engine) or 0
    finally:
        await engine.dispose()


async def _web_host(settings: Settings) -> WebHost:
    return WebHost(settings, await prepare_database(settings))


def web_app(settings: Settings, *, freeze_heap: bool = False) -> FastAPI:
    """The console's app on the active core, over Redis."""
    return create_app(settings, _web_host, freeze_heap=freeze_heap)


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop where it is installed (uvicorn[standard] brings it), else None
    (asyncio's own): the loop uvicorn runs the embedded system and the web replicas on,
    whose sockets and timers cost less per command than asyncio's selector loop."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def main_core(settings: Settings) -> None:
    """Run the core role; a core that lost its lease ends with ``LEASE_LOST_EXIT``, for
    its supervisor to start it again as a standby."""
    reason = "stopped"
    with (
        contextlib.suppress(KeyboardInterrupt),
        asyncio.Runner(loop_factory=event_loop_factory()) as runner,
    ):
        reason = runner.run(run_core(settings))
    if reason.startswith("lease lost"):
        log.error("core exits: it lost its lease", reason=reason)
        raise SystemExit(LEASE_LOST_EXIT)
