"""Order management: the latest state of every order and the set of known trades."""

from dataclasses import dataclass, field

import structlog

from arbig.domain.order import Order, can_transition
from arbig.domain.trade import Trade

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class OrderManager:
    """Tracks orders and trades by id.

    A gateway may report an order update late, twice, or out of order (CTP
    replays the day on reconnect): an update that would move an order backwards
    is ignored, and a trade id seen before is ignored.
    """

    orders: dict[str, Order] = field(default_factory=dict)
    trade_ids: set[str] = field(default_factory=set)
    ignored_updates: int = 0
    duplicate_trades: int = 0

    def update_order(self, order: Order) -> bool:
        """Record ``order``; False if it was stale or a repeat."""
        known = self.orders.get(order.order_id)
        if known is not None:
            if known.status == order.status and known.traded == order.traded:
                return False
            if order.traded < known.traded or (
                known.status != order.status and not can_transition(known.status, order.status)
            ):
                self.ignored_updates += 1
                log.info(
                    "stale order update ignored",
                    order_id=order.order_id,
                    known=str(known.status),
                    reported=str(order.status),
                )
                return False
        self.orders[order.order_id] = order
        return True

    def add_trade(self, trade: Trade) -> bool:
        """Record ``trade``; False if its id was seen before."""
        if trade.trade_id in self.trade_ids:
            self.duplicate_trades += 1
            return False
        self.trade_ids.add(trade.trade_id)
        return True

    def active_orders(self) -> list[Order]:
        return [order for order in self.orders.values() if order.is_active]
