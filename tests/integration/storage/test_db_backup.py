"""A backup taken from SQLite restores into every backend with the same rows."""

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_samples import ACCOUNT, T0, make_account, make_order, make_position, make_trade

from arbig.domain.enums import TradingState
from arbig.domain.state import MarketChoice, TradingStatus
from arbig.storage import backup
from arbig.storage.database import create_engine, session_factory
from arbig.storage.migrations import current_revision, upgrade
from arbig.storage.models import AuditRow, BarRow, StrategyConfigRow, SystemLogRow
from arbig.storage.state_store import SqlStateStore
from arbig.storage.writer import BookWriter

pytestmark = pytest.mark.integration


def _nothing(_table: str, _rows: int) -> None:
    pass


async def _source(path: Path) -> AsyncEngine:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    writer = BookWriter(session_factory(engine), ACCOUNT)
    await writer.start()
    writer.order(make_order())
    for n in range(2500):  # more than one restore chunk
        writer.trade(make_trade(f"t{n}", seconds=n), multiplier=1000)
    writer.positions([make_position(3)])
    writer.account(make_account(), trading_day=date(2026, 11, 20))
    writer.equity(make_account())
    await writer.stop()
    state = SqlStateStore(session_factory(engine))
    await state.save_trading_status(TradingStatus(TradingState.HALTED, True, T0, "test", "ops"))
    await state.save_market_choice(MarketChoice("au2702", ("au2612", "au2706")))
    async with engine.begin() as connection:
        await connection.execute(
            insert(StrategyConfigRow),
            [
                {
                    "strategy_name": "ma_cross",
                    "config_data": {"fast": 5, "名": "金"},
                    "is_active": True,
                }
            ],
        )
        await connection.execute(
            insert(SystemLogRow),
            [
                {
                    "time": T0,
                    "level": "info",
                    "source": "t",
                    "message": "你好",
                    "context": {"a": [1]},
                }
            ],
        )
        await connection.execute(
            insert(AuditRow),
            [{"actor": "operator", "action": "close", "detail": None, "result": "ok"}],
        )
        await connection.execute(
            insert(BarRow),
            [
                {
                    "symbol": "au2612",
                    "trading_day": date(2026, 11, 20),
                    "start_time": T0 + timedelta(minutes=1),
                    "open_price": Decimal("920.02"),
                    "high_price": Decimal("921"),
                    "low_price": Decimal("919.98"),
                    "close_price": Decimal("920.5"),
                    "volume": 12,
                    "open_interest": 1000,
                    "turnover": Decimal("11046000"),
                }
            ],
        )
    return engine


def _rows(path: Path) -> list[str]:
    with backup._open(path, "r") as source:
        source.readline()
        return sorted(source)


async def test_sqlite_backup_restores_with_the_same_rows(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    source = await _source(tmp_path / "source.sqlite3")
    dumped, copied = tmp_path / "source.jsonl.gz", tmp_path / "copy.jsonl"
    revision = await current_revision(source)
    async with source.connect() as connection:
        written = await connection.run_sync(backup.dump, dumped, revision, _nothing)
    await source.dispose()

    async with engine.begin() as connection:
        restored = await connection.run_sync(
            lambda c: backup.load(c, dumped, force=False, progress=_nothing)
        )
    async with engine.connect() as connection:
        await connection.run_sync(backup.dump, copied, revision, _nothing)
    assert restored == written == 2500 + 8 + 2  # the book, and the two state rows
    assert _rows(copied) == _rows(dumped)
    header = json.loads(copied.read_text().splitlines()[0])
    assert header["tables"]["trades"] == 2500
    state = SqlStateStore(session_factory(engine))
    choice = await state.load_market_choice()
    assert (choice.main_contract, choice.watchlist) == ("au2702", ("au2612", "au2706"))
    status = TradingStatus(TradingState.HALTED, True, T0, "test", "ops")
    assert await state.load_trading_status() == status

    # Ids continue after the restored ones (PostgreSQL's sequences were moved on).
    writer = BookWriter(session_factory(engine), ACCOUNT)
    await writer.start()
    writer.trade(make_trade("after-restore"))
    await writer.stop()
