"""DESIGN.md's views give the same rows on every backend for the same book."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_samples import ACCOUNT, T0, make_account, make_position, make_trade

from arbig.config import Settings
from arbig.domain.enums import Direction, Offset, Side
from arbig.engine.portfolio import Portfolio
from arbig.storage import repository
from arbig.storage.database import session_factory
from arbig.storage.models import StrategyTriggerRow
from arbig.storage.writer import BookWriter

pytestmark = pytest.mark.integration

DAY1, DAY2 = date(2026, 11, 20), date(2026, 11, 23)
SETTINGS = Settings(main_contract="au2612")


def _plain(value: Any) -> Any:
    """One spelling per value, whatever the driver returns (SQLite: text and strings)."""
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.0001")))
    if isinstance(value, date):
        return value.isoformat()
    return value


async def _rows(engine: AsyncEngine, query: str) -> list[tuple[Any, ...]]:
    async with engine.connect() as connection:
        result = await connection.execute(text(query))
        return [tuple(_plain(v) for v in row) for row in result]


async def _record_book(writer: BookWriter) -> None:
    buy = make_trade("t1", price="920.02")
    writer.trade(buy, multiplier=1000)
    writer.trade(replace(make_trade("t2", seconds=60), volume=2), multiplier=1000)
    sell = replace(
        make_trade("t3", seconds=120, price="921.50"),
        side=Side.SELL,
        offset=Offset.CLOSE_TODAY,
        commission=Decimal("5.5"),
    )
    writer.trade(sell, realized_pnl=Decimal("1480.00"), multiplier=1000)
    night = replace(make_trade("t4", seconds=3600 * 12), trading_day=DAY2, symbol="au2702")
    writer.trade(night, realized_pnl=Decimal("-20.25"), multiplier=1000)
    writer.positions([make_position(2), make_position(1, Direction.SHORT)])
    writer.account(make_account("1001450.0000"), trading_day=DAY1)
    await writer.flush()


async def test_daily_trade_summary(engine: AsyncEngine, writer: BookWriter) -> None:
    await _record_book(writer)
    rows = await _rows(
        engine,
        "SELECT account_id, trading_day, symbol, trade_count, buy_volume, sell_volume, "
        "turnover, commission, realized_pnl FROM daily_trade_summary "
        "ORDER BY trading_day, symbol",
    )
    assert rows == [
        (ACCOUNT, "2026-11-20", "au2612", 3, 3, 1, "3681560.0000", "25.5000", "1480.0000"),
        (ACCOUNT, "2026-11-23", "au2702", 1, 1, 0, "920020.0000", "10.0000", "-20.2500"),
    ]


async def test_account_summary(engine: AsyncEngine, writer: BookWriter) -> None:
    await _record_book(writer)
    rows = await _rows(
        engine,
        "SELECT account_id, balance, available, margin, unrealized_pnl, realized_pnl, "
        "open_positions, today_trade_count, today_commission, trading_day "
        "FROM account_summary",
    )
    assert rows == [
        (
            ACCOUNT,
            "1001450.0000",
            "815800.0000",
            "184200.0000",
            "1980.0000",
            "0.0000",
            2,
            3,
            "25.5000",
            "2026-11-20",
        )
    ]


async def test_strategy_trigger_summary(engine: AsyncEngine) -> None:
    fired = [
        ("buy", "success", DAY1),
        ("buy", "failed", DAY1),
        ("close", "success", DAY1),
        ("hold", "pending", DAY2),
    ]
    async with engine.begin() as connection:
        await connection.execute(
            insert(StrategyTriggerRow),
            [
                {
                    "strategy_name": "ma_cross",
                    "symbol": "au2612",
                    "trading_day": day,
                    "trigger_time": T0 + timedelta(minutes=n),
                    "trigger_condition": "ma5 crosses ma20",
                    "trigger_price": Decimal("920.02"),
                    "action_type": action,
                    "execution_result": result,
                }
                for n, (action, result, day) in enumerate(fired)
            ],
        )
    rows = await _rows(
        engine,
        "SELECT strategy_name, trading_day, trigger_count, buy_count, sell_count, "
        "close_count, hold_count, success_count, failed_count, pending_count "
        "FROM strategy_trigger_summary ORDER BY trading_day",
    )
    assert rows == [
        ("ma_cross", "2026-11-20", 3, 2, 0, 1, 0, 2, 1, 0),
        ("ma_cross", "2026-11-23", 1, 0, 0, 0, 1, 0, 0, 1),
    ]


async def test_the_daily_settlement_agrees_with_daily_trade_summary_and_is_read_back(
    engine: AsyncEngine, writer: BookWriter
) -> None:
    """Two lots bought on day 1, one closed on day 2 from the day-1 settlement price:
    each day's settlement record holds the day's commission and close profit as the
    trades summed by daily_trade_summary do, and the balances chain."""
    book = Portfolio(ACCOUNT, Decimal("1000000.00"), SETTINGS.contract_spec)
    day3 = DAY2 + timedelta(days=1)
    fills = [
        (replace(make_trade("t1", price="920.00"), volume=2, trading_day=DAY1), None),
        (None, Decimal("921.00")),  # day 1 settles at 921.00
        (
            replace(
                make_trade("t2", seconds=86400, price="923.00"),
                side=Side.SELL,
                offset=Offset.CLOSE,
                trading_day=DAY2,
            ),
            None,
        ),
        (None, Decimal("922.00")),  # day 2 settles at 922.00
    ]
    day = DAY1
    for trade, settlement in fills:
        if trade is not None:
            realized = book.apply_trade(trade)
            writer.trade(
                trade,
                realized_pnl=realized,
                multiplier=1000,
                close_profit=book.last_close_profit,
            )
        else:
            assert settlement is not None
            day = DAY2 if day == DAY1 else day3
            book.roll_to(day, {"au2612": settlement})
    for record in book.take_settled():
        writer.settlement(record)
    await writer.flush()

    async with session_factory(engine)() as session:
        records = await repository.load_settlements(session, ACCOUNT)
    assert [(r.trading_day, r.close_profit, r.position_profit, r.balance) for r in records] == [
        (DAY1, Decimal("0.0000"), Decimal("2000.0000"), Decimal("1001990.0000")),
        (DAY2, Decimal("2000.0000"), Decimal("1000.0000"), Decimal("1004980.0000")),
    ]
    assert records[1].pre_balance == records[0].balance
    assert records[1].prices == (("au2612", Decimal("922.0000")),)
    summary = await _rows(
        engine,
        "SELECT trading_day, commission, close_profit, realized_pnl FROM daily_trade_summary "
        "ORDER BY trading_day",
    )
    assert summary == [
        ("2026-11-20", "10.0000", "0.0000", "0.0000"),
        ("2026-11-23", "10.0000", "2000.0000", "3000.0000"),
    ]
    assert [(str(r.commission), str(r.close_profit)) for r in records] == [
        (row[1], row[2]) for row in summary
    ]
