"""The trader session's own book: CTP's order and trade reports made into ARBIG's, once.

CTP reports an order many times (front accepted, exchange accepted, each fill, the
cancel), replays the whole day after a reconnect (private topic ``restart``), and the
same orders and trades come again from the start-up queries. Reports may also overtake
each other across those paths. So an order only moves forward, ordered by (lots
traded, status rank), and a terminal order never changes; a trade id is taken once.
The final book is therefore the same whatever the order of the reports.

A trade names its order by exchange and OrderSysID only; a trade that arrives before
any report of its order waits here until that report brings the mapping.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from arbig.domain.calendar import TradingCalendar
from arbig.domain.enums import Offset, OrderSource, OrderStatus, OrderType
from arbig.domain.order import Order, OrderRequest
from arbig.domain.trade import Trade
from arbig.gateways.ctp.bridge import Fields
from arbig.gateways.ctp.convert import (
    OFFSET_FROM_CTP,
    SIDE_FROM_CTP,
    ctp_date,
    exchange,
    order_status,
    price,
    session_datetime,
)

_RANK = {
    OrderStatus.SUBMITTING: 0,
    OrderStatus.NOT_TRADED: 1,
    OrderStatus.PART_TRADED: 2,
    OrderStatus.ALL_TRADED: 3,
    OrderStatus.CANCELLED: 3,
    OrderStatus.REJECTED: 3,
}

Commission = Callable[[str, Offset, Decimal, int], Decimal]
"""(symbol, offset, price, volume) -> the fee of a fill."""


def order_id_for(trading_day: date, front_id: int, session_id: int, order_ref: str) -> str:
    """ARBIG's id of a CTP order: FrontID, SessionID and OrderRef name an order within a
    trading day; the day makes the id unique in the account's history."""
    return f"{trading_day:%Y%m%d}.{front_id}.{session_id}.{order_ref.strip()}"


def trade_id_for(fields: Fields) -> str:
    """TradeID is unique per exchange and trading day; both sides of a self-trade share
    it and differ in direction."""
    return (
        f"{fields['TradingDay']}.{fields['ExchangeID']}.{fields['TradeID'].strip()}"
        f".{fields['Direction']}"
    )


@dataclass(frozen=True, slots=True)
class SentOrder:
    """What ARBIG knows of an order it sent that CTP's reports do not carry."""

    source: OrderSource
    reference: str
    created_at: datetime


class TraderBook:
    """Orders by id (forward only), trades by id (once), and the mapping between them."""

    def __init__(
        self, calendar: TradingCalendar, commission: Commission, now: Callable[[], datetime]
    ) -> None:
        self._calendar = calendar
        self._commission = commission
        self._now = now
        self.orders: dict[str, Order] = {}
        self.trades: dict[str, Trade] = {}
        self.sent: dict[str, SentOrder] = {}
        self._by_sys_id: dict[tuple[str, str], str] = {}
        self._waiting: dict[tuple[str, str], dict[str, Fields]] = {}
        self.duplicate_trades = 0
        self.stale_reports = 0

    def sys_id(self, order_id: str) -> tuple[str, str] | None:
        """(exchange, OrderSysID) of an order the exchange has numbered."""
        for key, known in self._by_sys_id.items():
            if known == order_id:
                return key
        return None

    def record_sent(self, order_id: str, request: OrderRequest, now: datetime) -> Order:
        """An order ARBIG just sent: submitting, with its source and reference kept."""
        self.sent[order_id] = SentOrder(request.source, request.reference, now)
        order = Order.from_request(order_id, request, now)
        self.orders[order_id] = order
        return order

    def reject(self, order_id: str, reason: str) -> Order | None:
        """The front or the exchange refused ``order_id`` (None if it is already final)."""
        known = self.orders.get(order_id)
        if known is None or known.status.is_terminal:
            return None
        rejected = Order(
            known.order_id,
            known.symbol,
            known.exchange,
            known.side,
            known.offset,
            known.price,
            known.volume,
            known.traded,
            OrderStatus.REJECTED if not known.traded else OrderStatus.CANCELLED,
            known.created_at,
            self._now(),
            known.order_type,
            known.source,
            known.reference,
            reason,
        )
        self.orders[order_id] = rejected
        return rejected

    def on_order(self, fields: Fields) -> tuple[Order | None, list[Trade]]:
        """Take an order report: the order if it moved forward (else None), and the
        trades that were waiting for it."""
        day = ctp_date(fields["TradingDay"]) or self._now().date()
        order_id = order_id_for(day, fields["FrontID"], fields["SessionID"], fields["OrderRef"])
        sys_id = fields["OrderSysID"].strip()
        released: list[Trade] = []
        if sys_id:
            key = (fields["ExchangeID"], sys_id)
            self._by_sys_id[key] = order_id
            for waiting in self._waiting.pop(key, {}).values():
                trade = self._take_trade(waiting, order_id)
                if trade is not None:
                    released.append(trade)
        order = self._order(order_id, fields, day)
        known = self.orders.get(order_id)
        if known is not None and not _forward(known, order):
            self.stale_reports += known.status != order.status or known.traded != order.traded
            return None, released
        self.orders[order_id] = order
        return order, released

    def on_trade(self, fields: Fields) -> Trade | None:
        """Take a trade report: the trade the first time its id is seen and its order is
        known; None for a repeat, or while it waits for its order."""
        key = (fields["ExchangeID"], fields["OrderSysID"].strip())
        order_id = self._by_sys_id.get(key)
        if order_id is None:
            trade_id = trade_id_for(fields)
            if trade_id in self.trades:
                self.duplicate_trades += 1
                return None
            self._waiting.setdefault(key, {})[trade_id] = fields
            return None
        return self._take_trade(fields, order_id)

    @property
    def waiting_trades(self) -> int:
        """Trades whose order has not been reported (yet)."""
        return sum(len(waiting) for waiting in self._waiting.values())

    def _take_trade(self, fields: Fields, order_id: str) -> Trade | None:
        trade_id = trade_id_for(fields)
        if trade_id in self.trades:
            self.duplicate_trades += 1
            return None
        day = ctp_date(fields["TradingDay"]) or self._now().date()
        offset = OFFSET_FROM_CTP.get(fields["OffsetFlag"], Offset.CLOSE)
        fill_price = price(fields["Price"])
        volume = int(fields["Volume"])
        trade = Trade(
            trade_id=trade_id,
            order_id=order_id,
            symbol=fields["InstrumentID"],
            exchange=exchange(fields["ExchangeID"]),
            side=SIDE_FROM_CTP[fields["Direction"]],
            offset=offset,
            price=fill_price,
            volume=volume,
            datetime=session_datetime(day, fields["TradeTime"], self._calendar),
            trading_day=day,
            commission=self._commission(fields["InstrumentID"], offset, fill_price, volume),
        )
        self.trades[trade_id] = trade
        return trade

    def _order(self, order_id: str, fields: Fields, day: date) -> Order:
        sent = self.sent.get(order_id)
        status = order_status(fields)
        created = (
            sent.created_at
            if sent is not None
            else session_datetime(day, fields["InsertTime"], self._calendar)
        )
        reason = (
            fields["StatusMsg"] if status in (OrderStatus.REJECTED, OrderStatus.CANCELLED) else ""
        )
        return Order(
            order_id=order_id,
            symbol=fields["InstrumentID"],
            exchange=exchange(fields["ExchangeID"]),
            side=SIDE_FROM_CTP[fields["Direction"]],
            offset=OFFSET_FROM_CTP.get(fields["CombOffsetFlag"][:1], Offset.CLOSE),
            price=price(fields["LimitPrice"]),
            volume=int(fields["VolumeTotalOriginal"]),
            traded=int(fields["VolumeTraded"]),
            status=status,
            created_at=created,
            updated_at=max(created, self._now()),
            order_type=OrderType.LIMIT if fields["OrderPriceType"] == "2" else OrderType.MARKET,
            source=sent.source if sent is not None else OrderSource.OPERATOR,
            reference=sent.reference if sent is not None else "",
            reject_reason=reason,
        )


def _forward(known: Order, report: Order) -> bool:
    if known.status.is_terminal:
        return False
    return (report.traded, _RANK[report.status]) > (known.traded, _RANK[known.status])
