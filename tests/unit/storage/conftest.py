"""A fresh migrated SQLite database per test, and a running writer on it."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from storage_samples import ACCOUNT

from arbig.storage.database import create_engine, session_factory
from arbig.storage.migrations import upgrade
from arbig.storage.writer import BookWriter


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'arbig.sqlite3'}")
    await upgrade(engine)
    yield engine
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
