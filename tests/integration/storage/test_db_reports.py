"""The history reports through ``Reader`` on every backend: an SQLite file in a reader
thread with its own read-only connection, the servers through ``run_sync``."""

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_samples import ACCOUNT, make_trade

from arbig.api.reports import TradeFilter
from arbig.domain.enums import Offset, Side
from arbig.storage import reports
from arbig.storage.reads import Reader
from arbig.storage.writer import BookWriter

pytestmark = pytest.mark.integration


async def _record(writer: BookWriter, count: int) -> None:
    for i in range(count):
        trade = make_trade(f"t{i}", seconds=i, price=f"920.{i % 50:02d}")
        if i % 2:
            trade = replace(trade, side=Side.SELL, offset=Offset.CLOSE_TODAY)
        writer.trade(trade, realized_pnl=Decimal(i), multiplier=1000)
    await writer.flush()


async def test_trade_page_newest_first_with_the_matching_total(
    engine: AsyncEngine, writer: BookWriter
) -> None:
    await _record(writer, 25)
    reader = Reader(engine)
    try:
        page, total = await reader.run(
            reports.trade_page, ACCOUNT, TradeFilter(), limit=10, offset=5
        )
        sells, sell_total = await reader.run(
            reports.trade_page, ACCOUNT, TradeFilter(side=Side.SELL), limit=100, offset=0
        )
        past_end, past_total = await reader.run(
            reports.trade_page, ACCOUNT, TradeFilter(), limit=10, offset=100
        )
    finally:
        reader.close()
    assert total == 25
    assert [r.trade.trade_id for r in page] == [f"t{i}" for i in range(19, 9, -1)]
    assert page[0].realized_pnl == Decimal(19)
    assert sell_total == 12 and {r.trade.side for r in sells} == {Side.SELL}
    assert past_end == [] and past_total == 25


async def test_daily_summary_and_closing_fills(engine: AsyncEngine, writer: BookWriter) -> None:
    await _record(writer, 4)
    reader = Reader(engine)
    try:
        days = await reader.run(reports.daily_summary, ACCOUNT, None, None)
        closing, commissions = await reader.run(reports.closing_fills, ACCOUNT, TradeFilter())
    finally:
        reader.close()
    day = make_trade().trading_day
    assert [(d.trading_day, d.trade_count, d.buy_volume, d.sell_volume) for d in days] == [
        (day, 4, 2, 2)
    ]
    assert [c.realized_pnl for c in closing] == [Decimal(1), Decimal(3)]
    assert set(commissions) == {day}


def _write(connection: Connection) -> None:
    connection.execute(text("DELETE FROM trades"))
    connection.commit()


async def test_an_sqlite_report_cannot_write(
    backend: str, engine: AsyncEngine, writer: BookWriter
) -> None:
    if backend != "sqlite":
        pytest.skip("the read-only reader connection is SQLite's; servers use run_sync")
    await _record(writer, 1)
    reader = Reader(engine)
    try:
        with pytest.raises(OperationalError, match="readonly"):
            await reader.run(_write)
        _, total = await reader.run(reports.trade_page, ACCOUNT, TradeFilter(), limit=1, offset=0)
    finally:
        reader.close()
    assert total == 1
