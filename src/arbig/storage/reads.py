"""Report queries run whole in one hop to the database.

Through aiosqlite every step of a query (pool checkout, execute, fetch, the reset on
return) is a hop from the event loop to the connection's thread and back, and each
hop waits for the GIL while the loop is busy with other requests, and under load
the hops dominate a report's time (docs/performance.md). So a report is a plain
synchronous function of a Core ``Connection``. On an SQLite file it runs in a reader
thread with its own synchronous, read-only connection: one hop per report. On MySQL
and PostgreSQL, whose drivers are asyncio-native, it runs in
``AsyncConnection.run_sync``.
"""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import ConnectionPoolEntry

from arbig.storage.database import SQLITE_BUSY_TIMEOUT_MS

P = ParamSpec("P")
T = TypeVar("T")

READER_THREADS = 2  # a long export does not hold up the next page


def _reader_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA query_only=ON")  # a report never writes
    cursor.close()


class Reader:
    """Runs report functions ``fn(connection, *args)`` for the database of ``engine``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sync: Engine | None = None
        self._threads: ThreadPoolExecutor | None = None
        url = engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            self._sync = create_engine(
                url.set(drivername="sqlite+pysqlite"),
                connect_args={"check_same_thread": False},
                pool_size=READER_THREADS,
                max_overflow=0,
            )
            event.listen(self._sync, "connect", _reader_pragmas)
            self._threads = ThreadPoolExecutor(READER_THREADS, thread_name_prefix="arbig-read")

    async def run(
        self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        sync = self._sync
        if sync is None:
            async with self._engine.connect() as connection:
                return await connection.run_sync(fn, *args, **kwargs)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, partial(_call, sync, fn, *args, **kwargs))

    def close(self) -> None:
        """Wait for running reports, then release the reader connections."""
        if self._threads is not None:
            self._threads.shutdown(wait=True)
        if self._sync is not None:
            self._sync.dispose()


def _call(engine: Engine, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with engine.connect() as connection:
        return fn(connection, *args, **kwargs)
