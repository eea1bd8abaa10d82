"""One-minute bars."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Bar:
    """OHLC of one exchange minute; ``start`` is the minute's first instant."""

    symbol: str
    trading_day: date
    start: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int
    turnover: Decimal
    open_interest: int
