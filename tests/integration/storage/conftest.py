"""One fresh, uniquely named database per backend and test session, dropped afterwards.

The same behaviour suite runs on SQLite, MariaDB/MySQL and PostgreSQL. Server
admin URLs come from ARBIG_TEST_MYSQL_URL and ARBIG_TEST_POSTGRES_URL (defaults:
the local servers). An unreachable server skips its tests with the reason, or
fails the run when CI=true.
"""

import asyncio
import os
import secrets
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from arbig.storage.database import create_engine, session_factory
from arbig.storage.migrations import upgrade
from arbig.storage.models import Base
from arbig.storage.writer import BookWriter

# The book samples are shared with the unit tests of the same module.
sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "storage"))

from storage_samples import ACCOUNT

ADMIN_URLS = {
    "mariadb": os.environ.get("ARBIG_TEST_MYSQL_URL", "mysql+asyncmy://root@127.0.0.1:3306/mysql"),
    "postgresql": os.environ.get(
        "ARBIG_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    ),
}
BACKENDS = ("sqlite", "mariadb", "postgresql")


def _unreachable(backend: str, exc: BaseException) -> None:
    reason = f"{backend} server not reachable at {ADMIN_URLS[backend]}: {exc}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


async def _admin(url: str, statement: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def server_url(backend: str, database: str) -> str:
    return make_url(ADMIN_URLS[backend]).set(database=database).render_as_string(False)


@pytest.fixture(scope="session", params=BACKENDS)
def backend_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """(backend, URL) of a migrated database that lives for the test session."""
    backend: str = request.param
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'arbig.sqlite3'}"
        asyncio.run(_migrate(url))
        yield backend, url
        return
    name = f"arbig_test_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        asyncio.run(_admin(ADMIN_URLS[backend], f"CREATE DATABASE {name}"))
    except Exception as exc:
        _unreachable(backend, exc)
    try:
        url = server_url(backend, name)
        asyncio.run(_migrate(url))
        yield backend, url
    finally:
        force = " WITH (FORCE)" if backend == "postgresql" else ""
        asyncio.run(_admin(ADMIN_URLS[backend], f"DROP DATABASE IF EXISTS {name}{force}"))


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture
def backend(backend_database: tuple[str, str]) -> str:
    return backend_database[0]


@pytest.fixture
async def engine(backend_database: tuple[str, str]) -> AsyncIterator[AsyncEngine]:
    """An engine on the session's database; every table is emptied after the test."""
    engine = create_engine(backend_database[1])
    yield engine
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture
async def writer(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[BookWriter]:
    writer = BookWriter(sessions, ACCOUNT)
    await writer.start()
    yield writer
    await writer.stop(drain_s=5)
