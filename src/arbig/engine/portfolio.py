"""Positions and the account, marked to every tick."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from arbig.domain.account import AccountBook
from arbig.domain.contract import ContractSpec
from arbig.domain.enums import Direction
from arbig.domain.position import PositionBook, PositionLeg
from arbig.domain.snapshot import AccountSnapshot, PositionSnapshot
from arbig.domain.tick import Tick
from arbig.domain.trade import Trade

ZERO = Decimal(0)


class Portfolio:
    """The trader's own book: built from trades, valued at the last price."""

    def __init__(
        self, account_id: str, capital: Decimal, spec_for: Callable[[str], ContractSpec]
    ) -> None:
        self.positions = PositionBook()
        self.account = AccountBook(account_id, capital)
        self._spec_for = spec_for
        self._last: dict[str, Decimal] = {}
        self._open_time: dict[tuple[str, Direction], datetime] = {}
        self._trading_day: date | None = None

    @property
    def account_id(self) -> str:
        return self.account.account_id

    @property
    def trading_day(self) -> date | None:
        """The trading day of the newest tick or fill the book has seen."""
        return self._trading_day

    def last_price(self, symbol: str) -> Decimal | None:
        return self._last.get(symbol)

    def roll_to(self, trading_day: date) -> bool:
        """Move to ``trading_day``; today's lots become yesterday's. True if it changed."""
        if self._trading_day is not None and trading_day <= self._trading_day:
            return False
        if self._trading_day is not None:
            self.positions.roll_day()
        self._trading_day = trading_day
        return True

    def apply_trade(self, trade: Trade) -> Decimal:
        """Apply a fill; returns its realized P&L."""
        self.roll_to(trade.trading_day)
        spec = self._spec_for(trade.symbol)
        realized = self.positions.apply(trade, spec.multiplier)
        self.account.record_fill(realized, trade.commission)
        key = (trade.symbol, trade.direction)
        leg = self.positions.leg(*key)
        if leg.volume == 0:
            self._open_time.pop(key, None)
        else:
            self._open_time.setdefault(key, trade.datetime)
        self._last.setdefault(trade.symbol, trade.price)
        self._revalue()
        return realized

    def mark(self, tick: Tick) -> bool:
        """Value the book at ``tick``; True if a held position's P&L changed."""
        self.roll_to(tick.trading_day)
        symbol = tick.symbol
        previous = self._last.get(symbol)
        self._last[symbol] = tick.last_price
        if previous == tick.last_price:
            return False
        if any(leg.volume > 0 and leg.symbol == symbol for leg in self.positions.legs.values()):
            self._revalue()
            return True
        return False

    def _revalue(self) -> None:
        unrealized = ZERO
        margin = ZERO
        for leg in self.positions.held():
            spec = self._spec_for(leg.symbol)
            last = self._last.get(leg.symbol, leg.avg_price)
            unrealized += leg.unrealized_pnl(last, spec.multiplier)
            margin += leg.margin(spec)
        self.account.unrealized_pnl = unrealized
        self.account.margin = margin

    def position_snapshots(self, now: datetime) -> list[PositionSnapshot]:
        """Every leg the book has seen, flat ones with volume 0 (so stores can remove them)."""
        return [self._snapshot(leg, now) for leg in self.positions.legs.values()]

    def _snapshot(self, leg: PositionLeg, now: datetime) -> PositionSnapshot:
        spec = self._spec_for(leg.symbol)
        last = self._last.get(leg.symbol, leg.avg_price)
        return PositionSnapshot(
            account_id=self.account_id,
            symbol=leg.symbol,
            direction=leg.direction,
            volume=leg.volume,
            volume_today=leg.volume_today,
            volume_yesterday=leg.volume_yesterday,
            avg_price=leg.avg_price.quantize(Decimal("0.0001")),
            current_price=last,
            unrealized_pnl=leg.unrealized_pnl(last, spec.multiplier).quantize(Decimal("0.01")),
            margin=leg.margin(spec),
            open_time=self._open_time.get((leg.symbol, leg.direction), now),
            update_time=now,
        )

    def account_snapshot(self, now: datetime) -> AccountSnapshot:
        book = self.account
        cent = Decimal("0.01")
        return AccountSnapshot(
            account_id=book.account_id,
            balance=book.balance.quantize(cent),
            available=book.available.quantize(cent),
            margin=book.margin.quantize(cent),
            frozen_margin=book.frozen_margin.quantize(cent),
            unrealized_pnl=book.unrealized_pnl.quantize(cent),
            realized_pnl=book.realized_pnl.quantize(cent),
            commission=book.commission.quantize(cent),
            update_time=now,
        )
