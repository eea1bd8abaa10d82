"""The book's fence on every backend: only the writer with the book's current token
commits; a newer core's claim refuses an older core's next batch whole."""

import asyncio
import contextlib
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from storage_samples import ACCOUNT, make_trade

from arbig.storage.fence import Fenced, check, claim, current_token, limit_idle_transactions
from arbig.storage.models import TradeRow
from arbig.storage.writer import BookWriter

pytestmark = pytest.mark.integration
Sessions = async_sessionmaker[AsyncSession]


async def _trade_ids(sessions: Sessions) -> set[str]:
    async with sessions() as session:
        return set((await session.scalars(select(TradeRow.trade_id))).all())


async def test_claims_move_the_token_only_forward(engine: AsyncEngine) -> None:
    assert await current_token(engine) is None
    await claim(engine, 3, "core-a")
    await claim(engine, 5, "core-b")
    with pytest.raises(Fenced, match="newer core"):
        await claim(engine, 4, "core-a")
    with pytest.raises(Fenced):
        await claim(engine, 5, "core-c")
    assert await current_token(engine) == 5


async def test_an_older_cores_batch_is_refused_whole_after_a_newer_claim(
    engine: AsyncEngine, sessions: Sessions
) -> None:
    tokens = {"a": 1, "b": 2}
    await claim(engine, tokens["a"], "core-a")
    old = BookWriter(sessions, ACCOUNT, fence=lambda: tokens["a"])
    await old.start()
    try:
        old.trade(make_trade("t1"))
        await old.flush()
        assert await _trade_ids(sessions) == {"t1"}

        await claim(engine, tokens["b"], "core-b")  # core b took the lease over
        old.trade(make_trade("t2", seconds=1))
        old.trade(make_trade("t3", seconds=2))
        await old.flush()
        assert old.fenced is not None and "superseded" in old.fenced
        assert not old.healthy
        assert old.health_detail.startswith("fenced:")
        old.trade(make_trade("t4", seconds=3))  # dropped: this writer is done
        assert old.queue_depth == 0
    finally:
        await old.stop(drain_s=5)
    assert await _trade_ids(sessions) == {"t1"}

    new = BookWriter(sessions, ACCOUNT, fence=lambda: tokens["b"])
    await new.start()
    try:
        new.trade(make_trade("t2", seconds=1))
        await new.flush()
    finally:
        await new.stop(drain_s=5)
    assert await _trade_ids(sessions) == {"t1", "t2"}


async def test_a_writer_whose_lease_lapsed_writes_nothing(
    engine: AsyncEngine, sessions: Sessions
) -> None:
    await claim(engine, 1, "core-a")
    writer = BookWriter(sessions, ACCOUNT, fence=lambda: None)
    await writer.start()
    try:
        writer.trade(make_trade("t1"))
        await writer.flush()
        assert writer.fenced == "this core holds no lease"
    finally:
        await writer.stop(drain_s=5)
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(TradeRow)) == 0


async def test_a_paused_cores_open_transaction_does_not_block_the_next_claim(
    engine: AsyncEngine, backend: str
) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite has no server to end an idle transaction")
    await claim(engine, 1, "core-a")
    paused = await engine.connect()
    try:
        await limit_idle_transactions(paused, 1)
        await paused.begin()
        await check(paused, 1)  # holds the fence row's lock, then goes quiet (SIGSTOP)
        started = time.monotonic()
        await asyncio.wait_for(claim(engine, 2, "core-b"), timeout=20)
        assert time.monotonic() - started < 10
        with pytest.raises(DBAPIError):  # the server ended it: nothing of it lands
            await paused.commit()
    finally:
        with contextlib.suppress(Exception):
            await paused.close()
    assert await current_token(engine) == 2
