"""The book writer's promises on every backend: once, never backwards, exact, UTC."""

from dataclasses import replace
from datetime import timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from storage_samples import ACCOUNT, make_account, make_order, make_position, make_trade

from arbig.domain.enums import Direction, OrderStatus
from arbig.storage import repository
from arbig.storage.models import TradeRow
from arbig.storage.writer import BookWriter

pytestmark = pytest.mark.integration
Sessions = async_sessionmaker[AsyncSession]


async def test_repeated_trade_is_stored_once(writer: BookWriter, sessions: Sessions) -> None:
    writer.trade(make_trade("t1"))
    writer.trade(make_trade("t1"))
    await writer.flush()
    writer.trade(make_trade("t1"))
    writer.trade(make_trade("t2", seconds=1))
    await writer.flush()
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(TradeRow))
        trades = await repository.load_trades(session, ACCOUNT)
    assert count == 2
    assert [trade.trade_id for trade in trades] == ["t1", "t2"]


async def test_same_trade_id_in_another_account_is_its_own(
    writer: BookWriter, sessions: Sessions
) -> None:
    other = BookWriter(sessions, "other-002")
    await other.start()
    writer.trade(make_trade("t1"))
    other.trade(make_trade("t1"))
    await writer.flush()
    await other.stop()
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(TradeRow))
    assert count == 2


async def test_order_status_never_goes_backwards(writer: BookWriter, sessions: Sessions) -> None:
    reports = [
        make_order(status=OrderStatus.SUBMITTING),
        make_order(status=OrderStatus.NOT_TRADED),
        make_order(status=OrderStatus.PART_TRADED, traded=1),
        make_order(status=OrderStatus.PART_TRADED, traded=2),
        make_order(status=OrderStatus.CANCELLED, traded=2),
        make_order(status=OrderStatus.PART_TRADED, traded=1),  # replayed, stale
        make_order(status=OrderStatus.NOT_TRADED),  # replayed, stale
    ]
    for report in reports:
        writer.order(report)
        await writer.flush()  # one batch per report: the database applies the rule
    async with sessions() as session:
        [order] = await repository.load_orders(session, ACCOUNT)
    assert (order.status, order.traded) == (OrderStatus.CANCELLED, 2)


async def test_order_progress_is_recorded(writer: BookWriter, sessions: Sessions) -> None:
    writer.order(make_order(status=OrderStatus.NOT_TRADED))
    await writer.flush()
    writer.order(make_order(status=OrderStatus.PART_TRADED, traded=1))
    await writer.flush()
    async with sessions() as session:
        [order] = await repository.load_orders(session, ACCOUNT)
    assert (order.status, order.traded) == (OrderStatus.PART_TRADED, 1)
    assert order.updated_at == make_order(traded=1).updated_at


async def test_positions_upsert_and_delete_at_zero(writer: BookWriter, sessions: Sessions) -> None:
    writer.positions([make_position(2), make_position(1, Direction.SHORT)])
    await writer.flush()
    writer.positions([make_position(5), make_position(0, Direction.SHORT)])
    await writer.flush()
    async with sessions() as session:
        legs = await repository.load_positions(session, ACCOUNT)
    assert [(leg.direction, leg.volume) for leg in legs] == [(Direction.LONG, 5)]


async def test_money_and_instants_round_trip_exactly(
    writer: BookWriter, sessions: Sessions
) -> None:
    shanghai = timezone(timedelta(hours=8))
    trade = make_trade("t1", price="98765432109876.5432")
    trade = replace(trade, datetime=trade.datetime.astimezone(shanghai))
    writer.trade(trade, realized_pnl=Decimal("-1234.5678"))
    account = make_account("12345678901234.5678")
    writer.account(account)
    await writer.flush()
    async with sessions() as session:
        [loaded] = await repository.load_trades(session, ACCOUNT)
        stored = await repository.latest_account(session, ACCOUNT)
        realized = await session.scalar(select(TradeRow.realized_pnl))
    assert loaded.price == Decimal("98765432109876.5432")
    assert loaded.datetime == trade.datetime
    assert loaded.datetime.utcoffset() == timedelta(0)
    assert realized == Decimal("-1234.5678")
    assert stored is not None
    assert stored.balance == Decimal("12345678901234.5678")
    assert stored.update_time == account.update_time


async def test_account_row_is_replaced_not_duplicated(
    writer: BookWriter, sessions: Sessions
) -> None:
    writer.account(make_account("1.00"))
    await writer.flush()
    writer.account(make_account("2.00", seconds=5))
    await writer.flush()
    async with sessions() as session:
        account = await repository.latest_account(session, ACCOUNT)
    assert account is not None
    assert account.balance == Decimal("2.0000")


async def test_a_burst_is_committed_in_batches(writer: BookWriter, sessions: Sessions) -> None:
    for n in range(2000):
        writer.trade(make_trade(f"t{n:05d}", seconds=n))
        if n % 7 == 0:
            writer.order(make_order(f"o{n}", OrderStatus.NOT_TRADED))
    await writer.flush()
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(TradeRow))
        page = await repository.find_trades(session, ACCOUNT, limit=3)
    assert count == 2000
    assert [trade.trade_id for trade in page] == ["t01999", "t01998", "t01997"]


async def test_equity_curve_is_thinned_on_every_backend(
    writer: BookWriter, sessions: Sessions
) -> None:
    for second in range(101):
        writer.equity(make_account(f"{second}.00", seconds=second))
    await writer.flush()
    async with sessions() as session:
        curve = await repository.equity_curve(session, ACCOUNT, max_points=11)
        since = make_account(seconds=50).update_time
        recent = await repository.equity_curve(session, ACCOUNT, since=since, max_points=100)
    assert len(curve) <= 11
    assert (curve[0].balance, curve[-1].balance) == (Decimal(0), Decimal(100))
    assert [p.balance for p in recent] == [Decimal(s) for s in range(50, 101)]
