"""Reads of the recorded book for the core (restart, reconciliation) and the web.

Each function takes an ``AsyncSession``: the caller owns the unit of work.
Results are domain values, newest-last unless a function says otherwise.
"""

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arbig.domain.account import DailySettlement, DayCash
from arbig.domain.enums import Direction, OrderStatus
from arbig.domain.handover import Handover
from arbig.domain.order import Order
from arbig.domain.snapshot import AccountSnapshot, PositionSnapshot
from arbig.domain.trade import Trade
from arbig.storage import rows
from arbig.storage.models import (
    AccountRow,
    DailySettlementRow,
    EquitySnapshotRow,
    OrderRow,
    PositionRow,
    SettlementPriceRow,
    StrategyHandoverRow,
    StrategyTriggerRow,
    SystemLogRow,
    TradeRow,
)

_LIVE = [status.value for status in OrderStatus if status.is_active]


async def load_trades(session: AsyncSession, account_id: str) -> list[Trade]:
    """Every trade of the account in the order it happened (to rebuild positions)."""
    query = (
        select(TradeRow)
        .where(TradeRow.account_id == account_id)
        .order_by(TradeRow.trade_time, TradeRow.id)
    )
    return [rows.to_trade(row) for row in await session.scalars(query)]


async def load_handovers(session: AsyncSession, account_id: str) -> list[Handover]:
    """Lots handed to strategies, in the order they were handed."""
    query = (
        select(StrategyHandoverRow)
        .where(StrategyHandoverRow.account_id == account_id)
        .order_by(StrategyHandoverRow.handed_at, StrategyHandoverRow.id)
    )
    return [
        Handover(
            strategy_name=row.strategy_name,
            symbol=row.symbol,
            direction=Direction(row.direction),
            volume_yesterday=row.volume_yesterday,
            volume_today=row.volume_today,
            price=row.price,
            trading_day=row.trading_day,
            handed_at=row.handed_at,
        )
        for row in await session.scalars(query)
    ]


async def load_settlements(
    session: AsyncSession,
    account_id: str,
    since: date | None = None,
    until: date | None = None,
) -> list[DailySettlement]:
    """The account's settled trading days in [since, until], oldest first, with the
    prices each was settled at."""
    where = [DailySettlementRow.account_id == account_id]
    price_where = [SettlementPriceRow.account_id == account_id]
    if since is not None:
        where.append(DailySettlementRow.trading_day >= since)
        price_where.append(SettlementPriceRow.trading_day >= since)
    if until is not None:
        where.append(DailySettlementRow.trading_day <= until)
        price_where.append(SettlementPriceRow.trading_day <= until)
    prices: dict[date, list[SettlementPriceRow]] = {}
    for price in await session.scalars(
        select(SettlementPriceRow).where(*price_where).order_by(SettlementPriceRow.symbol)
    ):
        prices.setdefault(price.trading_day, []).append(price)
    query = select(DailySettlementRow).where(*where).order_by(DailySettlementRow.trading_day)
    return [
        rows.to_settlement(row, prices.get(row.trading_day)) for row in await session.scalars(query)
    ]


async def load_orders(
    session: AsyncSession, account_id: str, *, active_only: bool = False
) -> list[Order]:
    """The account's orders by creation time; only live ones with ``active_only``."""
    query = select(OrderRow).where(OrderRow.account_id == account_id)
    if active_only:
        query = query.where(OrderRow.status.in_(_LIVE))
    query = query.order_by(OrderRow.create_time, OrderRow.id)
    return [rows.to_order(row) for row in await session.scalars(query)]


async def latest_account(session: AsyncSession, account_id: str) -> AccountSnapshot | None:
    """The ``accounts`` row of the account, if one was recorded."""
    row = await session.scalar(select(AccountRow).where(AccountRow.account_id == account_id))
    return None if row is None else rows.to_account(row)


async def load_day_cash(session: AsyncSession, account_id: str) -> DayCash | None:
    """The day's deposit and withdrawal totals of the ``accounts`` row, with its trading
    day; None without a row or a trading day."""
    row = await session.scalar(select(AccountRow).where(AccountRow.account_id == account_id))
    if row is None or row.trading_day is None:
        return None
    return DayCash(row.trading_day, row.deposit, row.withdraw)


async def load_positions(session: AsyncSession, account_id: str) -> list[PositionSnapshot]:
    """The account's held legs, by symbol then direction."""
    query = (
        select(PositionRow)
        .where(PositionRow.account_id == account_id)
        .order_by(PositionRow.symbol, PositionRow.direction)
    )
    return [rows.to_position(row) for row in await session.scalars(query)]


async def equity_curve(
    session: AsyncSession,
    account_id: str,
    since: datetime | None = None,
    until: datetime | None = None,
    max_points: int = 500,
) -> list[AccountSnapshot]:
    """Equity snapshots in [since, until], thinned evenly to at most ``max_points``;
    the last point of the range is always kept (the chart ends at the present)."""
    if max_points < 2:
        raise ValueError("max_points must be at least 2")
    where = [EquitySnapshotRow.account_id == account_id]
    if since is not None:
        where.append(EquitySnapshotRow.time >= since)
    if until is not None:
        where.append(EquitySnapshotRow.time <= until)
    total = await session.scalar(select(func.count()).select_from(EquitySnapshotRow).where(*where))
    step = max(1, -(-(total or 0) // (max_points - 1)))
    numbered = (
        select(
            EquitySnapshotRow.id,
            func.row_number()
            .over(order_by=(EquitySnapshotRow.time, EquitySnapshotRow.id))
            .label("n"),
        )
        .where(*where)
        .subquery()
    )
    keep = select(numbered.c.id).where(((numbered.c.n - 1) % step == 0) | (numbered.c.n == total))
    query = (
        select(EquitySnapshotRow)
        .where(EquitySnapshotRow.id.in_(keep))
        .order_by(EquitySnapshotRow.time, EquitySnapshotRow.id)
    )
    return [rows.equity_to_account(row) for row in await session.scalars(query)]


async def find_trades(
    session: AsyncSession,
    account_id: str | None = None,
    *,
    symbol: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    since_day: date | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Trade]:
    """Trades matching the filters, newest first (a page for lists and the CLI).

    ``since``/``until`` bound the trade time; ``since_day`` the trading day (a night
    trade counts for the next trading day).
    """
    query = select(TradeRow)
    if account_id is not None:
        query = query.where(TradeRow.account_id == account_id)
    if symbol is not None:
        query = query.where(TradeRow.symbol == symbol)
    if since is not None:
        query = query.where(TradeRow.trade_time >= since)
    if until is not None:
        query = query.where(TradeRow.trade_time < until)
    if since_day is not None:
        query = query.where(TradeRow.trading_day >= since_day)
    query = query.order_by(TradeRow.trade_time.desc(), TradeRow.id.desc())
    query = query.limit(limit).offset(offset)
    return [rows.to_trade(row) for row in await session.scalars(query)]


async def find_orders(
    session: AsyncSession,
    account_id: str | None = None,
    *,
    active_only: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[Order]:
    """Orders newest first (a page for lists and the CLI)."""
    query = select(OrderRow)
    if account_id is not None:
        query = query.where(OrderRow.account_id == account_id)
    if active_only:
        query = query.where(OrderRow.status.in_(_LIVE))
    query = query.order_by(OrderRow.create_time.desc(), OrderRow.id.desc())
    return [rows.to_order(row) for row in await session.scalars(query.limit(limit).offset(offset))]


async def recent_triggers(
    session: AsyncSession, strategy_name: str | None = None, *, limit: int = 100
) -> list[StrategyTriggerRow]:
    """Strategy triggers newest first."""
    query = select(StrategyTriggerRow)
    if strategy_name is not None:
        query = query.where(StrategyTriggerRow.strategy_name == strategy_name)
    query = query.order_by(StrategyTriggerRow.trigger_time.desc(), StrategyTriggerRow.id.desc())
    return list(await session.scalars(query.limit(limit)))


LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


async def find_logs(
    session: AsyncSession,
    *,
    level: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[SystemLogRow]:
    """System log records newest first; ``level`` keeps that level and the ones above."""
    query = select(SystemLogRow)
    if level is not None:
        if level not in LOG_LEVELS:
            raise ValueError(f"log level {level!r}: use one of {', '.join(LOG_LEVELS)}")
        query = query.where(SystemLogRow.level.in_(LOG_LEVELS[LOG_LEVELS.index(level) :]))
    if since is not None:
        query = query.where(SystemLogRow.time >= since)
    query = query.order_by(SystemLogRow.time.desc(), SystemLogRow.id.desc())
    return list(await session.scalars(query.limit(limit)))
