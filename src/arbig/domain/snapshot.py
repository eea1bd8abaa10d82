"""Point-in-time views of the book, as stored, served and pushed."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from arbig.domain.enums import Direction


@dataclass(frozen=True, slots=True)
class PositionSnapshot:
    """One position leg marked to the last price (a row of ``positions``)."""

    account_id: str
    symbol: str
    direction: Direction
    volume: int
    volume_today: int
    volume_yesterday: int
    avg_price: Decimal
    current_price: Decimal
    unrealized_pnl: Decimal
    margin: Decimal
    open_time: datetime
    update_time: datetime


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """The account at one moment (a row of ``accounts``; a point of the equity curve)."""

    account_id: str
    balance: Decimal
    available: Decimal
    margin: Decimal
    frozen_margin: Decimal
    unrealized_pnl: Decimal
    realized_pnl: Decimal
    commission: Decimal
    update_time: datetime
