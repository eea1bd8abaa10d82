"""A market snapshot, as CTP sends one every 500 ms."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from arbig.domain.enums import Exchange


@dataclass(frozen=True, slots=True)
class Tick:
    """One level-1 snapshot. ``volume`` and ``turnover`` are cumulative for the trading day."""

    symbol: str
    exchange: Exchange
    datetime: datetime
    trading_day: date
    last_price: Decimal
    volume: int
    turnover: Decimal
    open_interest: int
    bid_price: Decimal
    bid_volume: int
    ask_price: Decimal
    ask_volume: int
    open_price: Decimal
    high_price: Decimal
    low_price: Decimal
    pre_settlement: Decimal
    pre_close: Decimal
    limit_up: Decimal
    limit_down: Decimal

    @property
    def timestamp_ms(self) -> int:
        return int(self.datetime.timestamp() * 1000)

    @property
    def mid_price(self) -> Decimal:
        return (self.bid_price + self.ask_price) / 2
