"""Domain values to table rows and back: the one place that knows both shapes.

Each table's ``Shape`` (``arbig.codec``) takes its columns from the dataclass's own
fields; this module only says where a column's name differs from its field's, and
which columns a table adds.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from arbig.codec import Shape
from arbig.domain.account import DailySettlement
from arbig.domain.bar import Bar
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

ORDERS = Shape(
    Order, {"side": "direction", "created_at": "create_time", "updated_at": "update_time"}
)
TRADES = Shape(Trade, {"side": "direction", "datetime": "trade_time"})
# Who owns which lots is the running book's (strategies' fills, handovers), not stored here.
POSITIONS = Shape(PositionSnapshot, omit=["owned", "free_volume"])
ACCOUNTS = Shape(AccountSnapshot)
# The equity curve keeps the balance and its parts, not the frozen amounts nor the
# day's settlement figures.
EQUITY = Shape(
    AccountSnapshot,
    {"update_time": "time"},
    omit=[
        "frozen_margin",
        "frozen_commission",
        "pre_balance",
        "close_profit",
        "position_profit",
        "today_commission",
        "deposit",
        "withdraw",
    ],
)
# The settlement prices have a table of their own (settlement_price_rows).
SETTLEMENTS = Shape(DailySettlement, omit=["prices"])
BARS = Shape(
    Bar,
    {
        "start": "start_time",
        "open": "open_price",
        "high": "high_price",
        "low": "low_price",
        "close": "close_price",
    },
)


def order_row(account_id: str, order: Order) -> Row:
    row = ORDERS.row(order)
    row["account_id"] = account_id
    return row


def trade_row(
    account_id: str,
    trade: Trade,
    realized_pnl: Decimal,
    multiplier: int | None,
    close_profit: Decimal | None = None,
) -> Row:
    row = TRADES.row(trade)
    row["account_id"] = account_id
    row["turnover"] = None if multiplier is None else trade.price * trade.volume * multiplier
    row["realized_pnl"] = realized_pnl
    row["close_profit"] = realized_pnl if close_profit is None else close_profit
    row["create_time"] = utcnow()
    return row


def position_row(position: PositionSnapshot) -> Row:
    return POSITIONS.row(position)


def account_row(account: AccountSnapshot, trading_day: date | None) -> Row:
    row = ACCOUNTS.row(account)
    row["trading_day"] = trading_day
    return row


def settlement_row(record: DailySettlement) -> Row:
    row = SETTLEMENTS.row(record)
    row["create_time"] = utcnow()
    return row


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
    return SETTLEMENTS.value(row, prices=tuple((p.symbol, p.price) for p in prices or ()))


def equity_row(account: AccountSnapshot) -> Row:
    return EQUITY.row(account)


def bar_row(bar: Bar) -> Row:
    return BARS.row(bar)


def to_order(row: OrderRow) -> Order:
    return ORDERS.value(row)


def to_trade(row: TradeRow) -> Trade:
    return TRADES.value(row)


def to_position(row: PositionRow) -> PositionSnapshot:
    return POSITIONS.value(row)


def to_account(row: AccountRow) -> AccountSnapshot:
    return ACCOUNTS.value(row)


def equity_to_account(row: EquitySnapshotRow) -> AccountSnapshot:
    return EQUITY.value(row, frozen_margin=Decimal(0))
