"""The split deployment's assembly: `arbig run --role core` and `arbig run --role web`
(docs/deployment.md). Both roles share a server database (MariaDB/MySQL or
PostgreSQL) and Redis; the web app is the embedded one's, on a ``RedisCoreClient``.
"""

import asyncio
import contextlib
import errno
import logging
import os
import signal
import socket
from functools import partial

import structlog
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from arbig.config import Settings, is_loopback
from arbig.embedded import StartupError, preflight
from arbig.engine.bus import EventType
from arbig.host.core_role import CoreRole
from arbig.host.lease import CoreLease
from arbig.host.probe import CoreProbe
from arbig.host.standby import StopLeftBehind, serve_while_leased, wait_for_lease
from arbig.host.web_role import WebHost
from arbig.runtime import build_embedded, prepare_database
from arbig.storage.credential_store import SqlCredentialStore
from arbig.storage.database import create_engine, session_factory
from arbig.storage.fence import current_token
from arbig.web.app import create_app
from arbig.web.metrics import LoopbackServer, SideServer
from arbig.web.probe import TokenCheck, probe_app

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
    if role == "core":
        check_probe_port(settings)
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
    probe = CoreProbe(lease, role, stopping)
    listener = ProbeListener(settings, probe)

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
        await listener.start()  # a standby answers its probes too
        if not await wait_for_lease(
            lease, settings.lease.poll_s, stopping, partial(_book_token, settings)
        ):
            return "stopped"
        probe.leased = True
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
        await listener.stop()
        await lease.withdraw_standby()
        await lease_redis.aclose()


class ProbeListener:
    """The core's probe on ``probe.host:probe.port`` (none with port 0); beyond loopback
    its /metrics takes the console's API tokens, read from the database."""

    def __init__(self, settings: Settings, probe: CoreProbe) -> None:
        self._engine: AsyncEngine | None = None
        self._server: SideServer | None = None
        config = settings.probe
        if not config.port:
            return
        check: TokenCheck | None = None
        if settings.metrics.require_token and not is_loopback(config.host):
            self._engine = create_engine(settings.sqlalchemy_url, pool_size=1, max_overflow=1)
            check = partial(_known_token, SqlCredentialStore(session_factory(self._engine)))
        self._server = SideServer(probe_app(probe, check), config.host, config.port, "core-probe")
        self._where = f"{config.host}:{config.port}"

    async def start(self) -> None:
        if self._server is not None:
            await self._server.start()
            log.info("core probe listening", at=self._where)

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop()
        if self._engine is not None:
            await self._engine.dispose()


async def _known_token(store: SqlCredentialStore, token: str) -> bool:
    try:
        creds = await asyncio.wait_for(store.load(), 2.0)
    except Exception as exc:  # the database is away: nobody is let in meanwhile
        log.warning("core probe cannot check a token", error=f"{type(exc).__name__}: {exc}")
        return False
    return creds is not None and creds.token_name(token) is not None


def check_probe_port(settings: Settings) -> None:
    """StartupError when the core's probe port is taken (or cannot be bound)."""
    host, port = settings.probe.host, settings.probe.port
    if not port:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as trial:
        trial.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            trial.bind((host, port))
        except OSError as exc:
            why = (
                "is in use"
                if exc.errno == errno.EADDRINUSE
                else f"cannot be bound ({exc.strerror})"
            )
            raise StartupError(
                f"the core's probe port {port} on {host} {why}: set probe.port "
                "(ARBIG_PROBE__PORT) to a free port, or 0 for no probe listener"
            ) from None


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


def main_core(settings: Settings) -> None:
    """Run the core role; a core that lost its lease ends with ``LEASE_LOST_EXIT``, for
    its supervisor to start it again as a standby."""
    reason = "stopped"
    with contextlib.suppress(KeyboardInterrupt):
        reason = asyncio.run(run_core(settings))
    if reason.startswith("lease lost"):
        log.error("core exits: it lost its lease", reason=reason)
        raise SystemExit(LEASE_LOST_EXIT)
