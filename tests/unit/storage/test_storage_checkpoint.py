"""WAL checkpoints run on their own timer, off the writer's commits."""

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from storage_samples import ACCOUNT, make_trade

from arbig.storage.checkpoint import WalCheckpointer
from arbig.storage.database import create_engine
from arbig.storage.writer import BookWriter


async def test_a_checkpoint_copies_every_committed_frame_into_the_database(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    writer = BookWriter(sessions, ACCOUNT)
    await writer.start()
    for n in range(50):
        writer.trade(make_trade(f"t{n}", seconds=n))
    await writer.flush()
    await writer.stop()
    frames, copied = await WalCheckpointer(engine).checkpoint()
    assert frames > 0
    assert copied == frames


async def test_the_timer_checkpoints_while_running_and_stops_cleanly(engine: AsyncEngine) -> None:
    checkpointer = WalCheckpointer(engine, interval_s=0.05)
    await checkpointer.start()
    await asyncio.sleep(0.3)
    await checkpointer.stop()
    done = checkpointer.checkpoints
    assert done >= 2
    await asyncio.sleep(0.15)
    assert checkpointer.checkpoints == done


async def test_server_databases_get_no_checkpoint_task() -> None:
    engine = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    checkpointer = WalCheckpointer(engine)
    assert not checkpointer.applies
    await checkpointer.start()
    await checkpointer.stop()
    assert checkpointer.checkpoints == 0
    await engine.dispose()
