"""A fill reported by the exchange."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from arbig.domain.enums import Direction, Exchange, Offset, Side, position_direction


@dataclass(frozen=True, slots=True)
class Trade:
    """One fill. ``trade_id`` is unique per account; gateways may repeat a trade."""

    trade_id: str
    order_id: str
    symbol: str
    exchange: Exchange
    side: Side
    offset: Offset
    price: Decimal
    volume: int
    datetime: datetime
    trading_day: date
    commission: Decimal

    @property
    def direction(self) -> Direction:
        """The position leg this fill opens or closes."""
        return position_direction(self.side, self.offset)
