"""The embedded host: the console and the whole core in one process (`arbig run`).

The top of the assembly: it builds the runtime (``arbig.runtime``) and hands the web
app (``arbig.web.app``) its client; neither of those imports the other.
"""

import asyncio

from fastapi import FastAPI

from arbig.auth.credentials import CredentialError
from arbig.backtest.service import BacktestDesk
from arbig.config import Settings
from arbig.gateways.base import GatewayError
from arbig.gateways.registry import GATEWAYS, UnknownGateway
from arbig.gateways.tables import BrokerTablesError, load_broker_tables
from arbig.runtime import EmbeddedRuntime, build_embedded, prepare_database
from arbig.storage.database import DatabaseError, session_factory
from arbig.ticks.redis_stream import RedisUnavailable, check_redis
from arbig.web.app import create_app


class StartupError(Exception):
    """What stops the embedded system from starting, in one line."""


def startup_failure(exc: BaseException | None) -> str | None:
    """One line for what commonly stops the system at start-up after the preflight (a
    gateway whose session does not come up, a database or Redis that went away); None
    for anything else, which is a fault and keeps its traceback."""
    if isinstance(exc, GatewayError):
        return f"the gateway did not start: {exc}"
    if isinstance(exc, CredentialError):
        return f"the operator's credential: {exc}"
    if isinstance(exc, DatabaseError | RedisUnavailable | StartupError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename or 'start-up'}: {exc.strerror}"
    return None


def embedded_app(settings: Settings, *, freeze_heap: bool = False) -> FastAPI:
    """The console's app serving the core ``arbig.runtime`` assembles in this process."""
    return create_app(settings, build_with_backtests, freeze_heap=freeze_heap)


async def build_with_backtests(settings: Settings) -> EmbeddedRuntime:
    """The embedded runtime with the console's backtester on its database."""
    runtime = await build_embedded(settings)
    desk = BacktestDesk(settings, session_factory(runtime.engine))
    try:
        await desk.open()
    except BaseException:
        await runtime.engine.dispose()
        raise
    runtime.backtests = desk
    return runtime


def preflight(settings: Settings, *, redis_required: bool = False) -> None:
    """Find gateway, database and Redis problems before the server starts
    (``StartupError``, one line each)."""
    try:
        problems = GATEWAYS.problems(settings.gateway, settings)
    except UnknownGateway as exc:
        raise StartupError(str(exc)) from None
    if problems:
        raise StartupError(f"gateway {settings.gateway} cannot start: " + "; ".join(problems))
    if settings.broker_tables is not None:
        try:
            load_broker_tables(settings.broker_tables)
        except BrokerTablesError as exc:
            raise StartupError(f"setting broker_tables: {exc}") from None

    async def check() -> None:
        engine = await prepare_database(settings)
        await engine.dispose()
        if settings.redis_url:
            await check_redis(settings.redis_url, required=redis_required)

    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        asyncio.run(check())
    except (DatabaseError, RedisUnavailable) as exc:
        raise StartupError(str(exc)) from None
    except OSError as exc:
        raise StartupError(f"data folder {settings.data_dir}: {exc.strerror}") from None
