"""Positions: long and short legs kept apart, today's and yesterday's lots apart.

Lots are closed first-in first-out within the part of the leg that the offset
names, and realized P&L is measured against each lot's open price (the
trade-by-trade method CTP reports as close profit).

A fill is applied as the exchange reports it (a plain close takes yesterday's lots,
then today's); what an order may close before it is sent, which depends on the
exchange, is ``close_limit`` of what ``free_to_close`` leaves.
"""

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from arbig.domain.contract import ContractSpec
from arbig.domain.enums import Direction, Exchange, Offset
from arbig.domain.order import Order
from arbig.domain.trade import Trade

# SHFE and INE take a plain close (CTP's Close) for yesterday's lots only: today's lots
# are closed with close_today, and a plain close for more than yesterday's is refused
# (vn.py's OffsetConverter splits a close into the two for these exchanges alone).
# The other exchanges take a plain close from either part.
_PLAIN_CLOSE_YESTERDAY_ONLY = frozenset({Exchange.SHFE, Exchange.INE})


def plain_close_takes_today(exchange: Exchange) -> bool:
    """Whether a plain close may take today's lots on ``exchange``."""
    return exchange not in _PLAIN_CLOSE_YESTERDAY_ONLY


def close_limit(offset: Offset, exchange: Exchange, yesterday: int, today: int) -> int:
    """How many lots an order with ``offset`` may close, of ``yesterday``'s and
    ``today``'s free lots."""
    if offset is Offset.CLOSE_TODAY:
        return today
    if offset is Offset.CLOSE_YESTERDAY:
        return yesterday
    if offset is Offset.CLOSE:
        return yesterday + today if plain_close_takes_today(exchange) else yesterday
    return 0


class PositionError(ValueError):
    """A close for more than is held, or a fill that does not fit the book."""


@dataclass(slots=True)
class Lot:
    price: Decimal
    volume: int


@dataclass(slots=True)
class PositionLeg:
    """One direction of one contract.

    The lots are changed only through ``open``, ``close``, ``roll_day`` and
    ``restore``, which keep running totals: the book is valued on every tick, and
    summing the lots each time grew with the number of fills.
    """

    symbol: str
    direction: Direction
    today: deque[Lot] = field(default_factory=deque)
    yesterday: deque[Lot] = field(default_factory=deque)
    _volume_today: int = field(init=False, repr=False, compare=False, default=0)
    _volume_yesterday: int = field(init=False, repr=False, compare=False, default=0)
    _cost: Decimal = field(init=False, repr=False, compare=False, default=Decimal(0))
    _cost_today: Decimal = field(init=False, repr=False, compare=False, default=Decimal(0))

    def __post_init__(self) -> None:
        self._recount()

    def _recount(self) -> None:
        self._volume_today = sum(lot.volume for lot in self.today)
        self._volume_yesterday = sum(lot.volume for lot in self.yesterday)
        self._cost_today = sum((lot.price * lot.volume for lot in self.today), Decimal(0))
        self._cost = self._cost_today + sum(
            (lot.price * lot.volume for lot in self.yesterday), Decimal(0)
        )

    def restore(self, today: Iterable[Lot], yesterday: Iterable[Lot]) -> None:
        """Replace the lots (a saved book being loaded)."""
        self.today = deque(today)
        self.yesterday = deque(yesterday)
        self._recount()

    @property
    def volume_today(self) -> int:
        return self._volume_today

    @property
    def volume_yesterday(self) -> int:
        return self._volume_yesterday

    @property
    def volume(self) -> int:
        return self._volume_today + self._volume_yesterday

    @property
    def cost(self) -> Decimal:
        """Sum of open price times volume over the lots held."""
        return self._cost

    @property
    def cost_today(self) -> Decimal:
        """Sum of open price times volume over today's lots."""
        return self._cost_today

    @property
    def avg_price(self) -> Decimal:
        volume = self._volume_today + self._volume_yesterday
        return self._cost / volume if volume else Decimal(0)

    @property
    def sign(self) -> int:
        return 1 if self.direction is Direction.LONG else -1

    def unrealized_pnl(self, last_price: Decimal, multiplier: int) -> Decimal:
        """DESIGN.md: (last - avg_price) * volume * multiplier, negated for a short leg."""
        volume = self._volume_today + self._volume_yesterday  # the properties, inline
        sign = 1 if self.direction is Direction.LONG else -1
        return sign * (last_price * volume - self._cost) * multiplier

    def margin(self, spec: ContractSpec, pre_settlement: Decimal | None = None) -> Decimal:
        """Margin as CTP charges it: today's lots at their open price, yesterday's at the
        previous settlement price (at their open price while no settlement is known)."""
        if pre_settlement is None:
            base = self._cost
        else:
            base = self._cost_today + pre_settlement * self._volume_yesterday
        volume = self._volume_today + self._volume_yesterday
        amount = base * spec.multiplier * spec.margin_ratio + spec.margin_per_lot * volume
        return amount.quantize(Decimal("0.01"))

    def closable(self, offset: Offset) -> int:
        if offset is Offset.CLOSE_TODAY:
            return self.volume_today
        if offset is Offset.CLOSE_YESTERDAY:
            return self.volume_yesterday
        return self.volume

    def open(self, price: Decimal, volume: int) -> None:
        if volume <= 0:
            raise PositionError(f"{self.symbol} {self.direction}: cannot open {volume}")
        self.today.append(Lot(price, volume))
        self._volume_today += volume
        self._cost += price * volume
        self._cost_today += price * volume

    def close(self, offset: Offset, price: Decimal, volume: int, multiplier: int) -> Decimal:
        """Remove ``volume`` lots and return the realized P&L of the close.

        A refused close raises PositionError before anything changes.
        """
        if not offset.is_close or volume <= 0:
            raise PositionError(f"{self.symbol} {self.direction}: cannot {offset} {volume}")
        if volume > self.closable(offset):
            raise PositionError(
                f"{self.symbol} {self.direction}: cannot {offset} {volume}, "
                f"holding {self.closable(offset)}"
            )
        if offset is Offset.CLOSE_TODAY:
            queues = [self.today]
        elif offset is Offset.CLOSE_YESTERDAY:
            queues = [self.yesterday]
        else:
            queues = [self.yesterday, self.today]
        realized = Decimal(0)
        left = volume
        for queue in queues:
            while left and queue:
                lot = queue[0]
                taken = min(lot.volume, left)
                realized += self.sign * (price - lot.price) * taken * multiplier
                lot.volume -= taken
                left -= taken
                self._cost -= lot.price * taken
                if queue is self.today:
                    self._volume_today -= taken
                    self._cost_today -= lot.price * taken
                else:
                    self._volume_yesterday -= taken
                if lot.volume == 0:
                    queue.popleft()
        return realized

    def roll_day(self) -> None:
        """At a new trading day today's lots become yesterday's."""
        self.yesterday.extend(self.today)
        self.today.clear()
        self._volume_yesterday += self._volume_today
        self._volume_today = 0
        self._cost_today = Decimal(0)


@dataclass(slots=True)
class PositionBook:
    """All legs of one account, keyed by (symbol, direction)."""

    legs: dict[tuple[str, Direction], PositionLeg] = field(default_factory=dict)

    def leg(self, symbol: str, direction: Direction) -> PositionLeg:
        key = (symbol, direction)
        if key not in self.legs:
            self.legs[key] = PositionLeg(symbol, direction)
        return self.legs[key]

    def apply(self, trade: Trade, multiplier: int) -> Decimal:
        """Apply a fill; returns its realized P&L (zero for an open)."""
        if trade.volume <= 0:
            raise PositionError(f"trade {trade.trade_id}: volume {trade.volume}")
        if trade.offset is Offset.OPEN:
            self.leg(trade.symbol, trade.direction).open(trade.price, trade.volume)
            return Decimal(0)
        # A refused close must leave the book as it was, so no empty leg is created here.
        leg = self.legs.get((trade.symbol, trade.direction)) or PositionLeg(
            trade.symbol, trade.direction
        )
        return leg.close(trade.offset, trade.price, trade.volume, multiplier)

    def held(self) -> list[PositionLeg]:
        # ``leg.volume > 0`` without the property: asked on every fill and account read.
        return [leg for leg in self.legs.values() if leg._volume_today + leg._volume_yesterday > 0]

    def roll_day(self) -> None:
        for leg in self.legs.values():
            leg.roll_day()


def free_to_close(leg: PositionLeg, working: Iterable[Order]) -> tuple[int, int]:
    """(yesterday's, today's) lots of ``leg`` not yet promised to a working close order."""
    return free_of_closes(
        leg.symbol, leg.direction, leg.volume_yesterday, leg.volume_today, working
    )


def free_of_closes(
    symbol: str, direction: Direction, yesterday: int, today: int, working: Iterable[Order]
) -> tuple[int, int]:
    """(yesterday's, today's) of ``yesterday`` and ``today`` lots of the ``symbol``
    ``direction`` leg not yet promised to a working close order."""
    pending = {Offset.CLOSE_TODAY: 0, Offset.CLOSE_YESTERDAY: 0, Offset.CLOSE: 0}
    for order in working:
        if (
            order.is_active
            and order.symbol == symbol
            and order.offset.is_close
            and order.direction is direction
        ):
            pending[order.offset] += order.remaining
    yesterday -= pending[Offset.CLOSE_YESTERDAY]
    today -= pending[Offset.CLOSE_TODAY]
    # A plain close takes yesterday's lots first, then (where the exchange lets it,
    # see close_limit) today's.
    from_yesterday = min(max(yesterday, 0), pending[Offset.CLOSE])
    yesterday -= from_yesterday
    today -= pending[Offset.CLOSE] - from_yesterday
    return max(yesterday, 0), max(today, 0)
