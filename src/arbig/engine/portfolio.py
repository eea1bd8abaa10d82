"""Positions and the account, valued at the last price and settled at each new trading day."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from arbig.domain.account import AccountBook, DailySettlement, DayCash, frozen_for
from arbig.domain.contract import ContractSpec
from arbig.domain.enums import Direction, Offset
from arbig.domain.handover import Handover, free_to_hand
from arbig.domain.order import Order
from arbig.domain.position import Lot, PositionBook, PositionError, PositionLeg
from arbig.domain.reconcile import AccountFigures
from arbig.domain.snapshot import AccountSnapshot, OwnedLots, PositionSnapshot
from arbig.domain.tick import Tick
from arbig.domain.trade import Trade

ZERO = Decimal(0)
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class CashMove:
    """The book's deposit and withdrawal totals for ``trading_day`` moved from
    ``deposit_before``/``withdraw_before`` to the broker's; ``change`` is what the
    balance moved by (positive: money came in)."""

    trading_day: date
    deposit_before: Decimal
    withdraw_before: Decimal
    deposit: Decimal
    withdraw: Decimal
    change: Decimal


def cents(amount: Decimal) -> Decimal:
    """``amount`` to the cent, never ``-0.00``."""
    return amount.quantize(CENT) + ZERO


class Portfolio:
    """The trader's own book: built from trades, valued at the last price.

    Working orders freeze margin and commission. At each new trading day the day
    just ended is settled at the settlement prices (CTP's daily settlement): the
    record waits in ``settled`` for whoever stores it, and yesterday's lots are
    from then on margined and marked from that settlement price.

    A tick only notes the last price: the floating P&L is marked at the last prices
    when the account is next read (``account``), so that a tick nobody looks at the
    account after costs no valuation; what any reader sees is the same.
    """

    def __init__(
        self, account_id: str, capital: Decimal, spec_for: Callable[[str], ContractSpec]
    ) -> None:
        self.positions = PositionBook()
        self._account = AccountBook(account_id, capital)
        # The floating P&L waits for a read: a held symbol's price moved since the mark.
        self._stale = False
        self._held: frozenset[str] = frozenset()  # the symbols with lots
        self._spec_for = spec_for
        self._last: dict[str, Decimal] = {}
        self._open_time: dict[tuple[str, Direction], datetime] = {}
        self._trading_day: date | None = None
        self._working: dict[str, Order] = {}
        # The previous settlement price per symbol: the basis of yesterday's lots.
        self._settlement: dict[str, Decimal] = {}
        # Settlement prices already recorded, by day: a replay settles at the same prices.
        self._known: dict[date, dict[str, Decimal]] = {}
        # Deposits and withdrawals already recorded, by day: a replay books them again.
        self._known_cash: dict[date, tuple[Decimal, Decimal]] = {}
        # The broker's deposit and withdrawal totals for days the book has not reached.
        self._expected_cash: dict[date, tuple[Decimal, Decimal]] = {}
        # An unsettled day's totals recorded before a restart: booked again when the
        # book reaches the day, not told again (they were when reported).
        self._recorded_cash: dict[date, tuple[Decimal, Decimal]] = {}
        self.settled: list[DailySettlement] = []
        # Cash moves the broker reported, booked since the core last took them.
        self.cash_moves: list[CashMove] = []
        self.last_close_profit = ZERO
        # Each strategy's own position: the net of its own fills (vn.py's ``pos``).
        self._owned: dict[str, PositionBook] = {}

    @property
    def account(self) -> AccountBook:
        """The money side of the book, its floating P&L marked at the last prices."""
        if self._stale:
            self._remark()
        return self._account

    @property
    def account_id(self) -> str:
        return self._account.account_id

    @property
    def trading_day(self) -> date | None:
        """The trading day of the newest tick or fill the book has seen."""
        return self._trading_day

    def last_price(self, symbol: str) -> Decimal | None:
        return self._last.get(symbol)

    def pre_settlement(self, symbol: str) -> Decimal | None:
        """The settlement price yesterday's lots of ``symbol`` are margined and marked from."""
        return self._settlement.get(symbol)

    def restore_settlements(self, records: Iterable[DailySettlement]) -> None:
        """Settlement prices already recorded: replayed days settle at the same prices."""
        for record in records:
            self._known[record.trading_day] = dict(record.prices)
            if record.deposit or record.withdraw:
                self._known_cash[record.trading_day] = (record.deposit, record.withdraw)

    def restore_day_cash(self, cash: DayCash) -> None:
        """The deposit and withdrawal totals recorded with the account before a restart,
        of a day not settled: booked when the book reaches that day, silently."""
        day = cash.trading_day
        if (cash.deposit or cash.withdraw) and day not in self._known:
            self._recorded_cash[day] = (cash.deposit, cash.withdraw)

    def roll_to(self, trading_day: date, prices: Mapping[str, Decimal] | None = None) -> bool:
        """Move to ``trading_day``; True if it changed.

        The day being left is settled at its recorded prices, else at ``prices`` (the
        new day's pre-settlement from the exchange), else at the last price; days in
        between that were recorded before are settled again at their prices, and so are
        recorded days before the book's first (money moved on a day without trades).
        """
        if self._trading_day is not None and trading_day <= self._trading_day:
            return False
        left = self._trading_day
        if left is not None:
            self._settle(left, self._known.get(left) or prices or {})
        # Days the book saw no tick nor fill of, but with figures recorded or reported.
        skipped = self._known.keys() | self._expected_cash.keys() | self._recorded_cash.keys()
        for day in sorted(d for d in skipped if (left is None or left < d) and d < trading_day):
            self._settle(day, self._known.get(day) or prices or {})
        self._trading_day = trading_day
        recorded = self._recorded_cash.pop(trading_day, None)
        if recorded is not None:
            self._account.move_cash(*recorded)
        expected = self._expected_cash.pop(trading_day, None)
        if expected is not None:
            self._book_cash(trading_day, *expected)
        return True

    def broker_cash(self, day: date, deposit: Decimal, withdraw: Decimal) -> None:
        """The broker's deposit and withdrawal totals for ``day``: booked now for the
        book's own trading day (a change is added to ``cash_moves``), when the book
        reaches it for a later day, not at all for a day the book has settled.

        Raises ValueError for a negative total."""
        if deposit < 0 or withdraw < 0:
            raise ValueError(
                f"the broker's deposit and withdraw cannot be negative, got deposit "
                f"{deposit}, withdraw {withdraw} for {day}"
            )
        if self._trading_day is None or day > self._trading_day:
            self._expected_cash[day] = (deposit, withdraw)
        elif day == self._trading_day:
            self._book_cash(day, deposit, withdraw)

    def take_cash_moves(self) -> list["CashMove"]:
        """The cash moves booked since the last call."""
        moves, self.cash_moves = self.cash_moves, []
        return moves

    def _book_cash(self, day: date, deposit: Decimal, withdraw: Decimal) -> None:
        book = self._account
        before = (book.deposit, book.withdraw)
        if (deposit, withdraw) == before:
            return
        change = book.move_cash(deposit, withdraw)
        self.cash_moves.append(CashMove(day, before[0], before[1], deposit, withdraw, change))

    def _settle(self, day: date, prices: Mapping[str, Decimal]) -> None:
        kept = self._recorded_cash.pop(day, None)
        if kept is not None:  # a restart: told when it was reported
            self._account.move_cash(*kept)
        expected = self._expected_cash.pop(day, None)
        if expected is not None:
            self._book_cash(day, *expected)
        elif (recorded := self._known_cash.get(day)) is not None:
            self._account.move_cash(*recorded)  # a replay: booked when it was reported
        marks: dict[str, Decimal] = {}
        profit = ZERO
        for leg in self.positions.held():
            price = prices.get(leg.symbol) or self._last.get(leg.symbol) or leg.avg_price
            marks[leg.symbol] = price
            profit += self._position_profit(leg, price)
        self.settled.append(self._account.settle(day, profit, marks.items()))
        self._settlement.update(marks)
        self.positions.roll_day()
        for owned in self._owned.values():
            owned.roll_day()
        self._revalue()

    def _position_profit(self, leg: PositionLeg, price: Decimal) -> Decimal:
        """Mark to market by date: today's lots from their open price, yesterday's from
        the previous settlement."""
        basis = self._settlement.get(leg.symbol)
        held_cost = leg.cost if basis is None else leg.cost_today + basis * leg.volume_yesterday
        multiplier = self._spec_for(leg.symbol).multiplier
        return leg.sign * (price * leg.volume - held_cost) * multiplier

    def take_settled(self) -> list[DailySettlement]:
        """The settlement records produced since the last call."""
        settled, self.settled = self.settled, []
        return settled

    def apply_trade(self, trade: Trade) -> Decimal:
        """Apply a fill; returns its realized P&L (by trade; ``last_close_profit`` holds
        the same close measured by date)."""
        self.roll_to(trade.trading_day)
        spec = self._spec_for(trade.symbol)
        key = (trade.symbol, trade.direction)
        leg = self.positions.leg(*key)
        yesterday_volume, yesterday_cost = leg.volume_yesterday, leg.cost - leg.cost_today
        realized = self.positions.apply(trade, spec.multiplier)
        close_profit = realized
        basis = self._settlement.get(trade.symbol)
        taken = yesterday_volume - leg.volume_yesterday
        if basis is not None and taken:
            taken_cost = yesterday_cost - (leg.cost - leg.cost_today)
            close_profit += leg.sign * (taken_cost - basis * taken) * spec.multiplier
        self.last_close_profit = close_profit
        self._account.record_fill(realized, trade.commission, close_profit)
        if leg.volume == 0:
            self._open_time.pop(key, None)
        else:
            self._open_time.setdefault(key, trade.datetime)
        self._last.setdefault(trade.symbol, trade.price)
        self._revalue()
        return realized

    def apply_owned(self, owner: str, trade: Trade) -> bool:
        """Count a fill of ``owner``'s order (a strategy's) in ``owner``'s own position;
        False when it does not fit (a close of lots the owner never opened)."""
        book = self._owned.get(owner)
        if book is None:  # not setdefault: that would build an empty book on every fill
            book = self._owned[owner] = PositionBook()
        try:
            book.apply(trade, self._spec_for(trade.symbol).multiplier)
        except PositionError:
            return False
        return True

    def owned_leg(self, owner: str, symbol: str, direction: Direction) -> PositionLeg:
        """``owner``'s own lots of ``symbol`` in ``direction`` (an empty leg if none)."""
        book = self._owned.get(owner)
        leg = None if book is None else book.legs.get((symbol, direction))
        return leg if leg is not None else PositionLeg(symbol, direction)

    def owned_legs(self, symbol: str, direction: Direction) -> list[PositionLeg]:
        """Every strategy's own leg of ``symbol`` in ``direction``."""
        found = (book.legs.get((symbol, direction)) for book in self._owned.values())
        return [leg for leg in found if leg is not None and leg.volume > 0]

    def cap_owned(self, symbol: str, direction: Direction) -> list[str]:
        """Trim strategies' own lots to what the account holds (the operator closed some
        by hand), yesterday's and today's each; returns the strategies trimmed."""
        account = self.positions.legs.get((symbol, direction)) or PositionLeg(symbol, direction)
        owned = [
            (name, leg)
            for name, book in self._owned.items()
            if (leg := book.legs.get((symbol, direction))) is not None and leg.volume > 0
        ]
        trimmed: list[str] = []
        if not owned:
            return trimmed
        for offset, held in (
            (Offset.CLOSE_YESTERDAY, account.volume_yesterday),
            (Offset.CLOSE_TODAY, account.volume_today),
        ):
            excess = sum(leg.closable(offset) for _, leg in owned) - held
            for name, leg in owned:
                take = min(excess, leg.closable(offset))
                if take > 0:
                    leg.close(offset, leg.avg_price, take, 1)
                    excess -= take
                    trimmed.append(name)
        return trimmed

    def hand_over(self, handover: Handover) -> None:
        """Make lots of the account the strategy's own (checked by ``split_handover``)."""
        self.roll_to(handover.trading_day)
        book = self._owned.setdefault(handover.strategy_name, PositionBook())
        leg = book.leg(handover.symbol, handover.direction)
        today, yesterday = list(leg.today), list(leg.yesterday)
        if handover.volume_today:
            today.append(Lot(handover.price, handover.volume_today))
        if handover.volume_yesterday:
            yesterday.append(Lot(handover.price, handover.volume_yesterday))
        leg.restore(today, yesterday)

    def on_order(self, order: Order) -> bool:
        """Track working orders; True if the frozen margin or commission changed."""
        if order.is_active:
            self._working[order.order_id] = order
        elif self._working.pop(order.order_id, None) is None:
            return False
        book = self._account
        frozen = frozen_for(self._working.values(), self._spec_for)
        if frozen == (book.frozen_margin, book.frozen_commission):
            return False
        book.frozen_margin, book.frozen_commission = frozen
        return True

    def mark(self, tick: Tick) -> bool:
        """Value the book at ``tick``; True if a held position's P&L changed."""
        if self._trading_day is None or tick.trading_day > self._trading_day:
            prices = {tick.symbol: tick.pre_settlement} if tick.pre_settlement > 0 else None
            self.roll_to(tick.trading_day, prices)
        symbol = tick.symbol
        previous = self._last.get(symbol)
        self._last[symbol] = tick.last_price
        if previous == tick.last_price or symbol not in self._held:
            return False
        self._stale = True
        return True

    def _revalue(self) -> None:
        """Margin and floating P&L anew: after a fill or a settlement, what margin is
        made of (lots, settlement prices) has changed."""
        margin = ZERO
        held = self.positions.held()
        for leg in held:
            margin += leg.margin(self._spec_for(leg.symbol), self._settlement.get(leg.symbol))
        self._account.margin = margin
        self._held = frozenset(leg.symbol for leg in held)
        self._remark()

    def _remark(self) -> None:
        """Floating P&L at the last prices; the margin does not depend on them."""
        unrealized = profit = ZERO
        for leg in self.positions.held():
            last = self._last.get(leg.symbol, leg.avg_price)
            unrealized += leg.unrealized_pnl(last, self._spec_for(leg.symbol).multiplier)
            profit += self._position_profit(leg, last)
        self._account.unrealized_pnl = unrealized
        self._account.position_profit = profit
        self._stale = False

    def position_snapshots(self, now: datetime) -> list[PositionSnapshot]:
        """Every leg the book has seen, flat ones with volume 0 (so stores can remove them)."""
        return [self._snapshot(leg, now) for leg in self.positions.legs.values()]

    def _ownership(self, leg: PositionLeg) -> tuple[tuple[OwnedLots, ...], int]:
        """Who owns lots of ``leg`` and how many are free to hand: from the strategies'
        running books and the working orders, the rule the hand-over refuses by."""
        if leg.volume == 0:
            return (), 0
        if not self._owned and not self._working:  # no strategy, no close: all free
            return (), leg.volume
        key = (leg.symbol, leg.direction)
        owned: list[PositionLeg] = []
        lots: list[OwnedLots] = []
        for name, book in self._owned.items():
            mine = book.legs.get(key)
            if mine is not None and mine.volume > 0:
                owned.append(mine)
                lots.append(OwnedLots(name, mine.volume))
        yesterday, today = free_to_hand(leg, owned, self._working.values())
        return tuple(lots), yesterday + today

    def _snapshot(self, leg: PositionLeg, now: datetime) -> PositionSnapshot:
        spec = self._spec_for(leg.symbol)
        last = self._last.get(leg.symbol, leg.avg_price)
        owned, free = self._ownership(leg)
        return PositionSnapshot(
            account_id=self.account_id,
            symbol=leg.symbol,
            direction=leg.direction,
            volume=leg.volume,
            volume_today=leg.volume_today,
            volume_yesterday=leg.volume_yesterday,
            avg_price=leg.avg_price.quantize(Decimal("0.0001")),
            current_price=last,
            unrealized_pnl=cents(leg.unrealized_pnl(last, spec.multiplier)),
            margin=leg.margin(spec, self._settlement.get(leg.symbol)),
            open_time=self._open_time.get((leg.symbol, leg.direction), now),
            update_time=now,
            owned=owned,
            free_volume=free,
        )

    def account_figures(self) -> AccountFigures:
        """The figures compared with the broker's account report, to the cent (as
        ``account_snapshot`` has them)."""
        book = self.account
        return AccountFigures(
            balance=cents(book.balance),
            available=cents(book.available),
            margin=cents(book.margin),
            frozen_margin=cents(book.frozen_margin),
            commission=cents(book.today_commission),
            close_profit=cents(book.close_profit),
            pre_balance=cents(book.opening_balance),
        )

    def account_snapshot(self, now: datetime) -> AccountSnapshot:
        book = self.account
        return AccountSnapshot(
            account_id=book.account_id,
            balance=cents(book.balance),
            available=cents(book.available),
            margin=cents(book.margin),
            frozen_margin=cents(book.frozen_margin),
            unrealized_pnl=cents(book.unrealized_pnl),
            realized_pnl=cents(book.realized_pnl),
            commission=cents(book.commission),
            update_time=now,
            frozen_commission=cents(book.frozen_commission),
            pre_balance=cents(book.opening_balance),
            close_profit=cents(book.close_profit),
            position_profit=cents(book.position_profit),
            today_commission=cents(book.today_commission),
            deposit=cents(book.deposit),
            withdraw=cents(book.withdraw),
        )
