"""The split deployment's assembly: `arbig run --role core` and `arbig run --role web`
(docs/deployment.md). Both roles share a server database (MariaDB/MySQL or
PostgreSQL) and Redis; the web app is the embedded one's, on a ``RedisCoreClient``.
"""

import asyncio
import contextlib
import signal

import structlog
from fastapi import FastAPI

from arbig.config import Settings
from arbig.embedded import StartupError, preflight
from arbig.host.core_role import CoreRole
from arbig.host.web_role import WebHost
from arbig.runtime import build_embedded, prepare_database
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
    preflight(settings)


async def run_core(settings: Settings) -> None:
    """Run the core role until SIGINT or SIGTERM."""
    role = CoreRole(settings, build_embedded)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    loopback: LoopbackServer | None = None
    try:
        await role.activate()
        assert role.runtime is not None
        if settings.metrics.port:
            loopback = LoopbackServer(role.runtime.metrics, settings.metrics.port)
            await loopback.start()
        log.info("core role running", core=role.name)
        await stopping.wait()
    finally:
        if loopback is not None:
            await loopback.stop()
        await role.close()


async def _web_host(settings: Settings) -> WebHost:
    return WebHost(settings, await prepare_database(settings))


def web_app(settings: Settings, *, freeze_heap: bool = False) -> FastAPI:
    """The console's app on the active core, over Redis."""
    return create_app(settings, _web_host, freeze_heap=freeze_heap)


def main_core(settings: Settings) -> None:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_core(settings))
