"""Domain values to table rows and back: the one place that knows both shapes."""

from datetime import date
from decimal import Decimal
from typing import Any

from arbig.domain.account import DailySettlement
from arbig.domain.bar import Bar
from arbig.domain.enums import (
    Direction,
    Exchange,
    Offset,
    OrderSource,
    OrderStatus,
    OrderType,
    Side,
)
from arbig.domain.order import Order
from arbig.domain.snapshot import AccountSnapshot, PositionSnapshot
from arbig.domain.trade import Trade
from arbig.storage.models import (
    AccountRow,
    DailySettlementRow,
    EquitySnapshotRow,
    OrderRow,
    PositionRow,
    SettlementPriceRow,
    TradeRow,
)
from arbig.storage.types import utcnow

Row = dict[str, Any]


def order_row(account_id: str, order: Order) -> Row:
    return {
        "order_id": order.order_id,
        "account_id": account_id,
        "symbol": order.symbol,
        "exchange": str(order.exchange),
        "direction": str(order.side),
        "offset": str(order.offset),
        "order_type": str(order.order_type),
        "price": order.price,
        "volume": order.volume,
        "traded": order.traded,
        "status": str(order.status),
        "source": str(order.source),
        "reference": order.reference,
        "reject_reason": order.reject_reason,
        "create_time": order.created_at,
        "update_time": order.updated_at,
    }


def trade_row(
    account_id: str,
    trade: Trade,
    realized_pnl: Decimal,
    multiplier: int | None,
    close_profit: Decimal | None = None,
) -> Row:
    turnover = None if multiplier is None else trade.price * trade.volume * multiplier
    return {
        "trade_id": trade.trade_id,
        "order_id": trade.order_id,
        "account_id": account_id,
        "symbol": trade.symbol,
        "exchange": str(trade.exchange),
        "direction": str(trade.side),
        "offset": str(trade.offset),
        "volume": trade.volume,
        "price": trade.price,
        "commission": trade.commission,
        "turnover": turnover,
        "realized_pnl": realized_pnl,
        "close_profit": realized_pnl if close_profit is None else close_profit,
        "trading_day": trade.trading_day,
        "trade_time": trade.datetime,
        "create_time": utcnow(),
    }


def position_row(position: PositionSnapshot) -> Row:
    return {
        "account_id": position.account_id,
        "symbol": position.symbol,
        "direction": str(position.direction),
        "volume": position.volume,
        "volume_today": position.volume_today,
        "volume_yesterday": position.volume_yesterday,
        "avg_price": position.avg_price,
        "current_price": position.current_price,
        "unrealized_pnl": position.unrealized_pnl,
        "margin": position.margin,
        "open_time": position.open_time,
        "update_time": position.update_time,
    }


def account_row(account: AccountSnapshot, trading_day: date | None) -> Row:
    return {
        "account_id": account.account_id,
        "balance": account.balance,
        "available": account.available,
        "margin": account.margin,
        "frozen_margin": account.frozen_margin,
        "unrealized_pnl": account.unrealized_pnl,
        "realized_pnl": account.realized_pnl,
        "commission": account.commission,
        "trading_day": trading_day,
        "update_time": account.update_time,
        "frozen_commission": account.frozen_commission,
        "pre_balance": account.pre_balance,
        "close_profit": account.close_profit,
        "position_profit": account.position_profit,
        "today_commission": account.today_commission,
    }


def settlement_row(record: DailySettlement) -> Row:
    return {
        "account_id": record.account_id,
        "trading_day": record.trading_day,
        "pre_balance": record.pre_balance,
        "deposit": record.deposit,
        "withdraw": record.withdraw,
        "close_profit": record.close_profit,
        "position_profit": record.position_profit,
        "commission": record.commission,
        "balance": record.balance,
        "create_time": utcnow(),
    }


def settlement_price_rows(record: DailySettlement) -> list[Row]:
    return [
        {
            "account_id": record.account_id,
            "trading_day": record.trading_day,
            "symbol": symbol,
            "price": price,
        }
        for symbol, price in record.prices
    ]


def to_settlement(
    row: DailySettlementRow, prices: list[SettlementPriceRow] | None = None
) -> DailySettlement:
    return DailySettlement(
        account_id=row.account_id,
        trading_day=row.trading_day,
        pre_balance=row.pre_balance,
        deposit=row.deposit,
        withdraw=row.withdraw,
        close_profit=row.close_profit,
        position_profit=row.position_profit,
        commission=row.commission,
        balance=row.balance,
        prices=tuple((p.symbol, p.price) for p in prices or ()),
    )


def equity_row(account: AccountSnapshot) -> Row:
    return {
        "account_id": account.account_id,
        "time": account.update_time,
        "balance": account.balance,
        "available": account.available,
        "margin": account.margin,
        "unrealized_pnl": account.unrealized_pnl,
        "realized_pnl": account.realized_pnl,
        "commission": account.commission,
    }


def bar_row(bar: Bar) -> Row:
    return {
        "symbol": bar.symbol,
        "trading_day": bar.trading_day,
        "start_time": bar.start,
        "open_price": bar.open,
        "high_price": bar.high,
        "low_price": bar.low,
        "close_price": bar.close,
        "volume": bar.volume,
        "open_interest": bar.open_interest,
        "turnover": bar.turnover,
    }


def to_order(row: OrderRow) -> Order:
    return Order(
        order_id=row.order_id,
        symbol=row.symbol,
        exchange=Exchange(row.exchange),
        side=Side(row.direction),
        offset=Offset(row.offset),
        price=row.price,
        volume=row.volume,
        traded=row.traded,
        status=OrderStatus(row.status),
        created_at=row.create_time,
        updated_at=row.update_time,
        order_type=OrderType(row.order_type),
        source=OrderSource(row.source),
        reference=row.reference,
        reject_reason=row.reject_reason,
    )


def to_trade(row: TradeRow) -> Trade:
    return Trade(
        trade_id=row.trade_id,
        order_id=row.order_id,
        symbol=row.symbol,
        exchange=Exchange(row.exchange),
        side=Side(row.direction),
        offset=Offset(row.offset),
        price=row.price,
        volume=row.volume,
        datetime=row.trade_time,
        trading_day=row.trading_day,
        commission=row.commission,
    )


def to_position(row: PositionRow) -> PositionSnapshot:
    return PositionSnapshot(
        account_id=row.account_id,
        symbol=row.symbol,
        direction=Direction(row.direction),
        volume=row.volume,
        volume_today=row.volume_today,
        volume_yesterday=row.volume_yesterday,
        avg_price=row.avg_price,
        current_price=row.current_price,
        unrealized_pnl=row.unrealized_pnl,
        margin=row.margin,
        open_time=row.open_time,
        update_time=row.update_time,
    )


def to_account(row: AccountRow) -> AccountSnapshot:
    return AccountSnapshot(
        account_id=row.account_id,
        balance=row.balance,
        available=row.available,
        margin=row.margin,
        frozen_margin=row.frozen_margin,
        unrealized_pnl=row.unrealized_pnl,
        realized_pnl=row.realized_pnl,
        commission=row.commission,
        update_time=row.update_time,
        frozen_commission=row.frozen_commission,
        pre_balance=row.pre_balance,
        close_profit=row.close_profit,
        position_profit=row.position_profit,
        today_commission=row.today_commission,
    )


def equity_to_account(row: EquitySnapshotRow) -> AccountSnapshot:
    return AccountSnapshot(
        account_id=row.account_id,
        balance=row.balance,
        available=row.available,
        margin=row.margin,
        frozen_margin=Decimal(0),
        unrealized_pnl=row.unrealized_pnl,
        realized_pnl=row.realized_pnl,
        commission=row.commission,
        update_time=row.time,
    )
