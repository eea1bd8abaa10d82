"""Engines and sessions per backend, and the start-up checks that turn every
connection or schema problem into one line saying what to do."""

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from arbig.storage.migrations import current_revision, head_revision, is_known, upgrade

CONNECT_TIMEOUT_S = 5
SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_AUTOCHECKPOINT_PAGES = 20_000

# A URL without a driver gets the async one ARBIG ships with.
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "mysql": "mysql+asyncmy",
    "mariadb": "mysql+asyncmy",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


class DatabaseError(RuntimeError):
    """A storage problem with a one-line message fit for the operator."""


class DatabaseUnavailable(DatabaseError):
    """The database cannot be reached: wrong URL, credentials, or server down."""


class SchemaError(DatabaseError):
    """The database schema is not the one this code expects."""


def normalize_url(url: str) -> URL:
    """Parse ``url`` and choose ARBIG's async driver when none is named."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailable(
            f"database URL {url!r} is not an SQLAlchemy URL; e.g. "
            "sqlite+aiosqlite:///data/arbig.sqlite3 or postgresql+asyncpg://user@host/arbig"
        ) from None
    backend = parsed.drivername.split("+")[0]
    if "+" not in parsed.drivername and backend in _ASYNC_DRIVERS:
        parsed = parsed.set(drivername=_ASYNC_DRIVERS[backend])
    if parsed.get_backend_name() not in ("sqlite", "mysql", "mariadb", "postgresql"):
        raise DatabaseUnavailable(
            f"database {parsed.drivername!r} is not supported: use SQLite, MySQL/MariaDB "
            "or PostgreSQL"
        )
    return parsed


def display_url(url: str | URL) -> str:
    """The URL with its password hidden, for messages and logs."""
    parsed = url if isinstance(url, URL) else make_url(url)
    return parsed.render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # WAL lets the web read while the writer commits; NORMAL is durable across an
    # application crash (only an OS crash may lose the last commits), at a fraction of
    # FULL's fsync cost; busy_timeout rides out the moment another connection writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Checkpoints run off the commit path (storage/checkpoint.py); this is only the
    # backstop. At SQLite's default (1000 pages) every few hundred commits pays an
    # fsync, which shows in the fill-to-commit tail (docs/performance.md).
    cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_AUTOCHECKPOINT_PAGES}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


SQLITE_POOL_SIZE = 5


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url`` with the per-backend settings ARBIG relies on.

    Nothing connects yet; call ``check_database`` to find out whether it works.
    """
    parsed = normalize_url(url)
    backend = parsed.get_backend_name()
    options: dict[str, Any] = {"pool_pre_ping": backend != "sqlite"}
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            # A fixed set of connections, no overflow: past the pool, a burst of reads
            # waits its turn instead of opening (and then closing) a connection, i.e.
            # a new aiosqlite thread, per request. Under load that churn feeds on
            # itself (docs/performance.md). SQLite
            # in one process gains nothing from more concurrent connections anyway.
            options["pool_size"] = SQLITE_POOL_SIZE
            options["max_overflow"] = 0
        options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    elif backend in ("mysql", "mariadb"):
        # MySQL drops idle connections after wait_timeout; recycle well before.
        options["pool_recycle"] = 3600
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S}
        if "charset" not in parsed.query:
            parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    else:
        options["connect_args"] = {"timeout": CONNECT_TIMEOUT_S}
    options.update(kwargs)
    try:
        engine = _create_async_engine(parsed, **options)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise DatabaseUnavailable(
            f"no driver for {parsed.drivername}: {exc}; install it or use "
            "sqlite+aiosqlite / mysql+asyncmy / postgresql+asyncpg"
        ) from None
    if backend == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (the writer reuses them)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def _reason(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()[0] if str(original).strip() else ""
    return f"{type(original).__name__}: {text}" if text else type(original).__name__


def unavailable(engine: AsyncEngine, exc: BaseException) -> DatabaseUnavailable:
    """The one-line DatabaseUnavailable for a failure to reach ``engine``'s database."""
    return DatabaseUnavailable(
        f"cannot use the database at {display_url(engine.url)} ({_reason(exc)}): check "
        "ARBIG_DATABASE_URL, the credentials and that the server is running"
    )


CONNECTION_ERRORS = (DBAPIError, SQLAlchemyError, OSError, asyncio.TimeoutError)


async def check_connection(engine: AsyncEngine) -> None:
    """Connect once; raises DatabaseUnavailable with the reason when that fails."""
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_S * 2), engine.connect():
            pass
    except CONNECTION_ERRORS as exc:
        raise unavailable(engine, exc) from None


async def check_schema(engine: AsyncEngine) -> str:
    """The database's revision if it is the one this code expects; otherwise SchemaError."""
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_S * 2):
            current = await current_revision(engine)
    except CONNECTION_ERRORS as exc:
        raise unavailable(engine, exc) from None
    expected = head_revision()
    if current is None:
        raise SchemaError(
            f"database at {display_url(engine.url)} has no ARBIG schema: run: arbig db init"
        )
    if current != expected and not is_known(current):
        raise SchemaError(
            f"database at revision {current}, which this version of ARBIG does not know "
            f"(expects {expected}): the database is newer; run the ARBIG version that made it"
        )
    if current != expected:
        raise SchemaError(
            f"database at revision {current}, code expects {expected}: run: arbig db upgrade"
        )
    return current


async def open_database(url: str, *, upgrade_in_place: bool) -> AsyncEngine:
    """An engine on ``url`` whose schema is current. ``upgrade_in_place``: the embedded
    SQLite file, created or upgraded here; a server database must be upgraded by the
    operator (``arbig db upgrade``), so nothing migrates a shared database by surprise."""
    engine = create_engine(url)
    try:
        await check_connection(engine)
        if upgrade_in_place:
            await upgrade(engine)
        await check_schema(engine)
    except BaseException:
        await engine.dispose()
        raise
    return engine
