"""Book values to write in storage tests."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from arbig.domain.enums import Direction, Exchange, Offset, OrderStatus, Side
from arbig.domain.order import Order
from arbig.domain.snapshot import AccountSnapshot, PositionSnapshot
from arbig.domain.trade import Trade

T0 = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
ACCOUNT = "sim-001"


def make_order(
    order_id: str = "o1", status: OrderStatus = OrderStatus.NOT_TRADED, traded: int = 0
) -> Order:
    return Order(
        order_id=order_id,
        symbol="au2612",
        exchange=Exchange.SHFE,
        side=Side.BUY,
        offset=Offset.OPEN,
        price=Decimal("920.02"),
        volume=3,
        traded=traded,
        status=status,
        created_at=T0,
        updated_at=T0 + timedelta(seconds=traded),
    )


def make_trade(trade_id: str = "t1", seconds: int = 0, price: str = "920.02") -> Trade:
    return Trade(
        trade_id=trade_id,
        order_id="o1",
        symbol="au2612",
        exchange=Exchange.SHFE,
        side=Side.BUY,
        offset=Offset.OPEN,
        price=Decimal(price),
        volume=1,
        datetime=T0 + timedelta(seconds=seconds),
        trading_day=date(2026, 11, 20),
        commission=Decimal("10.00"),
    )


def make_position(volume: int = 2, direction: Direction = Direction.LONG) -> PositionSnapshot:
    return PositionSnapshot(
        account_id=ACCOUNT,
        symbol="au2612",
        direction=direction,
        volume=volume,
        volume_today=volume,
        volume_yesterday=0,
        avg_price=Decimal("920.01"),
        current_price=Decimal("921.00"),
        unrealized_pnl=Decimal("1980.00") * volume / 2,
        margin=Decimal("184200.00"),
        open_time=T0,
        update_time=T0 + timedelta(minutes=1),
    )


def make_account(balance: str = "1000000.00", seconds: int = 0) -> AccountSnapshot:
    return AccountSnapshot(
        account_id=ACCOUNT,
        balance=Decimal(balance),
        available=Decimal("815800.00"),
        margin=Decimal("184200.00"),
        frozen_margin=Decimal(0),
        unrealized_pnl=Decimal("1980.00"),
        realized_pnl=Decimal("0.00"),
        commission=Decimal("20.00"),
        update_time=T0 + timedelta(seconds=seconds),
    )
