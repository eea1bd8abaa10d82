"""Point-in-time views of the book, as stored, served and pushed."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from arbig.domain.enums import Direction


@dataclass(frozen=True, slots=True)
class OwnedLots:
    """The lots of a leg one strategy owns (its fills and the lots handed to it)."""

    strategy: str
    volume: int


@dataclass(frozen=True, slots=True)
class PositionSnapshot:
    """One position leg marked to the last price (a row of ``positions``).

    ``owned`` lists the strategies that own lots of the leg; ``free_volume`` is what
    could be handed to a strategy: held, owned by none, not promised to a manual
    working close (``free_to_hand``). The table keeps neither: they are the running
    book's, not the position's.
    """

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
    owned: tuple[OwnedLots, ...] = ()
    free_volume: int = 0


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """The account at one moment (a row of ``accounts``; a point of the equity curve).

    ``realized_pnl`` and ``commission`` are totals since inception (trade by trade);
    ``close_profit``, ``position_profit`` and ``today_commission`` are the trading day's,
    marked to market by date from ``pre_balance`` as CTP reports them, and so are
    ``deposit`` and ``withdraw``, the money moved in and out that day.
    """

    account_id: str
    balance: Decimal
    available: Decimal
    margin: Decimal
    frozen_margin: Decimal
    unrealized_pnl: Decimal
    realized_pnl: Decimal
    commission: Decimal
    update_time: datetime
    frozen_commission: Decimal = Decimal(0)
    pre_balance: Decimal = Decimal(0)
    close_profit: Decimal = Decimal(0)
    position_profit: Decimal = Decimal(0)
    today_commission: Decimal = Decimal(0)
    deposit: Decimal = Decimal(0)
    withdraw: Decimal = Decimal(0)
