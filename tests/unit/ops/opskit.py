"""Values for the operations specifications (imported as ``opskit``)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from arbig.api.trading import StrategyStatus, TradingStatus
from arbig.domain.enums import Exchange, Offset, OrderStatus, Side, TradingState
from arbig.domain.order import Order
from arbig.domain.reconcile import AccountFigures, MoneyReconciliation, money_differences
from arbig.domain.snapshot import AccountSnapshot
from arbig.domain.tick import Tick
from arbig.domain.trade import Trade
from arbig.ops.metrics import Metrics
from arbig.ops.notify import Notifier
from arbig.opsconfig import NotifyEvent, NotifySettings
from arbig.testkit import MONDAY_10AM

SYMBOL = "au2612"
MONDAY = date(2026, 6, 1)


def tick(
    last: str = "920.00", *, symbol: str = SYMBOL, at: datetime = MONDAY_10AM, day: date = MONDAY
) -> Tick:
    price = Decimal(last)
    return Tick(
        symbol=symbol,
        exchange=Exchange.SHFE,
        datetime=at,
        trading_day=day,
        last_price=price,
        volume=100,
        turnover=price * 100_000,
        open_interest=200_000,
        bid_price=price,
        bid_volume=10,
        ask_price=price + Decimal("0.02"),
        ask_volume=10,
        open_price=price,
        high_price=price,
        low_price=price,
        pre_settlement=price,
        pre_close=price,
        limit_up=price * Decimal("1.08"),
        limit_down=price * Decimal("0.92"),
    )


def order(status: OrderStatus, *, order_id: str = "O1", reason: str = "") -> Order:
    return Order(
        order_id=order_id,
        symbol=SYMBOL,
        exchange=Exchange.SHFE,
        side=Side.BUY,
        offset=Offset.OPEN,
        price=Decimal("920.00"),
        volume=1,
        traded=1 if status is OrderStatus.ALL_TRADED else 0,
        status=status,
        created_at=MONDAY_10AM,
        updated_at=MONDAY_10AM,
        reject_reason=reason,
    )


def trade(trade_id: str, *, offset: Offset = Offset.OPEN, side: Side = Side.BUY) -> Trade:
    return Trade(
        trade_id=trade_id,
        order_id="O1",
        symbol=SYMBOL,
        exchange=Exchange.SHFE,
        side=side,
        offset=offset,
        price=Decimal("920.00"),
        volume=1,
        datetime=MONDAY_10AM,
        trading_day=MONDAY,
        commission=Decimal("10.00"),
    )


def account(
    balance: str, *, realized: str = "0", commission: str = "0", margin: str = "0"
) -> AccountSnapshot:
    return AccountSnapshot(
        account_id="sim-001",
        balance=Decimal(balance),
        available=Decimal(balance) - Decimal(margin),
        margin=Decimal(margin),
        frozen_margin=Decimal(0),
        unrealized_pnl=Decimal(0),
        realized_pnl=Decimal(realized),
        commission=Decimal(commission),
        update_time=MONDAY_10AM + timedelta(seconds=1),
    )


@dataclass
class Writer:
    """A book writer's state as the metrics read it."""

    queue_depth: int = 0
    saturated: bool = False
    healthy: bool = True
    committed: int = 0
    dropped: int = 0


@dataclass
class Store:
    name: str = "memory"
    healthy: bool = True


@dataclass
class Statuses:
    """The trading and strategy state as the controls report them."""

    trading: TradingStatus = field(default_factory=lambda: TradingStatus(TradingState.ACTIVE))
    strategy: StrategyStatus = field(default_factory=lambda: StrategyStatus("stopped"))

    def trading_status(self) -> TradingStatus:
        return self.trading

    def strategy_status(self) -> StrategyStatus:
        return self.strategy


def money(
    at: datetime = MONDAY_10AM,
    *,
    broker_balance: str = "1000000.00",
    live: bool = True,
    broker_pre_balance: str | None = None,
) -> MoneyReconciliation:
    """The core's comparison of its account (balance 1,000,000.00, nothing traded) with a
    broker's report whose balance and available are ``broker_balance`` (and previous
    settled balance ``broker_pre_balance``, where given)."""
    capital = Decimal("1000000.00")
    book = AccountFigures(capital, capital, Decimal(0), Decimal(0), Decimal(0), None, capital)
    reported = Decimal(broker_balance)
    pre = None if broker_pre_balance is None else Decimal(broker_pre_balance)
    broker = AccountFigures(reported, reported, Decimal(0), Decimal(0), Decimal(0), None, pre)
    return MoneyReconciliation(
        account_id="8001",
        checked_at=at,
        book=book,
        broker=broker,
        differences=tuple(money_differences(book, broker)),
        broker_is_truth=live,
    )


class Told(Notifier):
    """A notifier that keeps what it is told instead of sending it."""

    def __init__(self, settings: NotifySettings | None = None) -> None:
        super().__init__(settings or NotifySettings(), Metrics())
        self.told: list[tuple[NotifyEvent, str, str]] = []

    def notify(self, event: NotifyEvent, title: str, body: str = "") -> None:
        self.told.append((event, title, body))


class Controls(Statuses):
    """Statuses whose trading state a protection can set."""

    async def set_trading_state(
        self, state: TradingState, reason: str, actor: str
    ) -> TradingStatus:
        self.trading = TradingStatus(state, reason=reason, actor=actor)
        return self.trading


class NoAudit:
    async def record(self, entry: object) -> None:
        return None
