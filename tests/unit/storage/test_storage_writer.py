"""The book writer records everything once, never backwards, and survives bad rows."""

import asyncio
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from storage_samples import ACCOUNT, T0, make_account, make_order, make_position, make_trade

from arbig.domain.bar import Bar
from arbig.domain.enums import Direction, OrderStatus
from arbig.storage import repository
from arbig.storage.database import create_engine, session_factory
from arbig.storage.migrations import upgrade
from arbig.storage.models import BarRow, EquitySnapshotRow, TradeRow
from arbig.storage.writer import BookWriter, WriterBackpressure

Sessions = async_sessionmaker[AsyncSession]


async def test_trade_round_trip_keeps_exact_values(writer: BookWriter, sessions: Sessions) -> None:
    trade = make_trade("t1", price="920.02")
    writer.trade(trade, realized_pnl=Decimal("12.5"), multiplier=1000)
    await writer.flush()
    async with sessions() as session:
        loaded = await repository.load_trades(session, ACCOUNT)
        row = await session.scalar(select(TradeRow))
    assert loaded == [replace(trade, price=Decimal("920.0200"), commission=Decimal("10.0000"))]
    assert row is not None
    assert row.turnover == Decimal("920020.0000")
    assert row.realized_pnl == Decimal("12.5000")
    assert loaded[0].datetime.tzinfo is not None


async def test_repeated_trade_is_stored_once(writer: BookWriter, sessions: Sessions) -> None:
    writer.trade(make_trade("t1"))
    writer.trade(make_trade("t1"))  # within one batch
    await writer.flush()
    writer.trade(make_trade("t1"))  # in a later batch, as CTP replays on reconnect
    writer.trade(make_trade("t2", seconds=1))
    await writer.flush()
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(TradeRow))
    assert count == 2


async def test_order_status_never_goes_backwards(writer: BookWriter, sessions: Sessions) -> None:
    writer.order(make_order(status=OrderStatus.SUBMITTING))
    writer.order(make_order(status=OrderStatus.PART_TRADED, traded=1))
    await writer.flush()
    writer.order(make_order(status=OrderStatus.ALL_TRADED, traded=3))
    await writer.flush()
    # A replayed, older report arrives after the order finished.
    writer.order(make_order(status=OrderStatus.NOT_TRADED))
    await writer.flush()
    writer.order(make_order(status=OrderStatus.PART_TRADED, traded=2))
    await writer.flush()
    async with sessions() as session:
        [order] = await repository.load_orders(session, ACCOUNT)
    assert (order.status, order.traded) == (OrderStatus.ALL_TRADED, 3)


async def test_stale_report_in_the_same_batch_is_ignored(
    writer: BookWriter, sessions: Sessions
) -> None:
    writer.order(make_order(status=OrderStatus.PART_TRADED, traded=2))
    writer.order(make_order(status=OrderStatus.PART_TRADED, traded=1))
    await writer.flush()
    async with sessions() as session:
        [order] = await repository.load_orders(session, ACCOUNT)
    assert order.traded == 2


async def test_live_orders_are_loaded_apart(writer: BookWriter, sessions: Sessions) -> None:
    writer.order(make_order("o1", OrderStatus.CANCELLED))
    writer.order(make_order("o2", OrderStatus.NOT_TRADED))
    await writer.flush()
    async with sessions() as session:
        live = await repository.load_orders(session, ACCOUNT, active_only=True)
    assert [order.order_id for order in live] == ["o2"]


async def test_positions_upsert_and_delete_at_zero(writer: BookWriter, sessions: Sessions) -> None:
    writer.positions([make_position(2), make_position(1, Direction.SHORT)])
    await writer.flush()
    writer.positions([make_position(3)])
    await writer.flush()
    async with sessions() as session:
        legs = await repository.load_positions(session, ACCOUNT)
    assert [(leg.direction, leg.volume) for leg in legs] == [
        (Direction.LONG, 3),
        (Direction.SHORT, 1),
    ]
    writer.positions([make_position(0)])
    await writer.flush()
    async with sessions() as session:
        legs = await repository.load_positions(session, ACCOUNT)
    assert [(leg.direction, leg.volume) for leg in legs] == [(Direction.SHORT, 1)]


async def test_account_is_upserted_and_equity_appended(
    writer: BookWriter, sessions: Sessions
) -> None:
    for second in range(5):
        snapshot = make_account(f"{1_000_000 + second}.00", seconds=second)
        writer.account(snapshot)
        writer.equity(snapshot)
    await writer.flush()
    async with sessions() as session:
        account = await repository.latest_account(session, ACCOUNT)
        curve = await repository.equity_curve(session, ACCOUNT)
    assert account is not None
    assert account.balance == Decimal("1000004.0000")
    assert [point.balance for point in curve] == [Decimal(1_000_000 + s) for s in range(5)]


async def test_equity_curve_is_thinned_and_keeps_the_last_point(
    writer: BookWriter, sessions: Sessions
) -> None:
    for second in range(101):
        writer.equity(make_account(f"{second}.00", seconds=second))
    await writer.flush()
    async with sessions() as session:
        curve = await repository.equity_curve(session, ACCOUNT, max_points=11)
        total = await session.scalar(select(func.count()).select_from(EquitySnapshotRow))
    assert total == 101
    assert len(curve) <= 11
    assert curve[0].balance == Decimal(0)
    assert curve[-1].balance == Decimal(100)


async def test_find_trades_filters_and_pages_newest_first(
    writer: BookWriter, sessions: Sessions
) -> None:
    for n in range(5):
        writer.trade(make_trade(f"t{n}", seconds=n))
    await writer.flush()
    async with sessions() as session:
        page = await repository.find_trades(session, ACCOUNT, symbol="au2612", limit=2, offset=1)
        none = await repository.find_trades(session, ACCOUNT, symbol="au2702")
    assert [trade.trade_id for trade in page] == ["t3", "t2"]
    assert none == []


async def test_a_full_queue_refuses_snapshots_but_still_queues_fills(sessions: Sessions) -> None:
    writer = BookWriter(sessions, ACCOUNT, queue_size=3)  # not started: nothing drains
    for n in range(3):
        writer.trade(make_trade(f"t{n}"))
    assert writer.saturated
    with pytest.raises(WriterBackpressure):
        writer.equity(make_account())
    with pytest.raises(WriterBackpressure):
        writer.positions([make_position()])
    writer.trade(make_trade("t9"))  # a fact is never refused: it happened at the broker
    assert writer.queue_depth == 4
    assert (writer.refused, writer.over_bound) == (2, 1)
    await writer.start()
    await writer.flush()
    assert writer.queue_depth == 0
    assert await writer.stop() == 0
    async with sessions() as session:
        ids = {trade.trade_id for trade in await repository.load_trades(session, ACCOUNT)}
    assert ids == {"t0", "t1", "t2", "t9"}


async def test_invalid_row_is_dropped_and_the_rest_recorded(
    writer: BookWriter, sessions: Sessions
) -> None:
    writer.trade(make_trade("t1"))
    writer.trade(make_trade("x" * 200))  # longer than the column allows on strict backends
    writer.trade(replace(make_trade("t3"), datetime=make_trade().datetime.replace(tzinfo=None)))
    writer.trade(make_trade("t4"))
    await writer.flush()
    async with sessions() as session:
        ids = {trade.trade_id for trade in await repository.load_trades(session, ACCOUNT)}
    assert {"t1", "t4"} <= ids
    assert "t3" not in ids
    assert writer.dropped >= 1
    assert writer.healthy


async def test_stop_flushes_everything(sessions: Sessions) -> None:
    writer = BookWriter(sessions, ACCOUNT)
    await writer.start()
    for n in range(1200):
        writer.trade(make_trade(f"t{n}", seconds=n))
    assert await writer.stop() == 0
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(TradeRow))
    assert count == 1200
    stats = writer.latency()
    assert stats.count == 1200
    assert 0 < stats.p50_ms <= stats.p99_ms <= stats.max_ms


async def test_flush_without_start_is_an_error(sessions: Sessions) -> None:
    writer = BookWriter(sessions, ACCOUNT)
    writer.trade(make_trade())
    with pytest.raises(RuntimeError, match="start"):
        await asyncio.wait_for(writer.flush(), 1)


def test_mysql_upserts_bind_only_row_values() -> None:
    # MySQL drivers turn executemany into one multi-row INSERT only when every
    # parameter belongs to the VALUES row; one in ON DUPLICATE KEY means row by row.
    from sqlalchemy.dialects.mysql import asyncmy

    from arbig.storage import batch

    statements = {
        "orders": batch._upsert(
            batch.ORDERS, "mysql", batch._ORDER_KEY, batch._order_guard, batch._ORDER_PROGRESS
        ),
        "trades": batch._insert_ignore(batch.TRADES, "mysql", ("account_id", "trade_id")),
        "positions": batch._upsert(batch.POSITIONS, "mysql", batch._POSITION_KEY),
        "accounts": batch._upsert(batch.ACCOUNTS, "mysql", ("account_id",)),
    }
    for name, statement in statements.items():
        sql = str(statement.compile(dialect=asyncmy.dialect()))
        assert "%s" not in sql.split("ON DUPLICATE KEY UPDATE")[1], name


async def test_bar_for_the_same_minute_replaces_the_recorded_one(
    writer: BookWriter, sessions: Sessions
) -> None:
    bar = Bar(
        symbol="au2612",
        trading_day=date(2026, 11, 20),
        start=T0,
        open=Decimal("920.02"),
        high=Decimal("921.00"),
        low=Decimal("919.98"),
        close=Decimal("920.50"),
        volume=12,
        turnover=Decimal("11046000"),
        open_interest=1000,
    )
    writer.bar(bar)
    await writer.flush()
    writer.bar(replace(bar, close=Decimal("920.60"), volume=13))
    await writer.flush()
    async with sessions() as session:
        rows = list(await session.scalars(select(BarRow)))
    assert [(row.close_price, row.volume, row.start_time) for row in rows] == [
        (Decimal("920.6000"), 13, T0)
    ]


async def test_a_failure_that_is_not_the_rows_keeps_them_queued(tmp_path: Path) -> None:
    # No schema yet: every write fails, but not because of the rows. Nothing is
    # dropped; the writer reports itself unhealthy and writes once it can.
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'late.sqlite3'}")
    writer = BookWriter(session_factory(engine), ACCOUNT, retry_max_s=0.05)
    await writer.start()
    writer.trade(make_trade("t1"))
    async with asyncio.timeout(5):
        for _ in iter(lambda: writer.healthy, False):  # poll: health is a plain attribute
            await asyncio.sleep(0.01)
    assert writer.queue_depth == 1
    assert writer.last_error is not None
    assert "no such table" in writer.last_error
    await upgrade(engine)
    async with asyncio.timeout(5):
        await writer.flush()
    assert (writer.healthy, writer.dropped, writer.committed) == (True, 0, 1)
    await writer.stop()
    await engine.dispose()
