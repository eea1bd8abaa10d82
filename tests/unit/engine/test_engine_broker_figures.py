"""The book counts money the way a CTP broker does, checked against a plain reference.

For random sequences of orders, fills, cancels, ticks and trading-day rollovers, the
portfolio's frozen margin and commission, its margin (yesterday's lots at the previous
settlement price), the trading day's close profit, position profit and commission, and
every daily settlement record equal what a straightforward recomputation gives, to the
cent; and the balance counted by date equals the balance counted trade by trade.
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from enginekit import MONDAY, MONDAY_10AM, OTHER, SYMBOL, make_tick, spec_for
from hypothesis import given, settings
from hypothesis import strategies as st

from arbig.domain.account import DailySettlement
from arbig.domain.enums import Direction, Exchange, Offset, OrderStatus, Side
from arbig.domain.order import Order
from arbig.domain.trade import Trade
from arbig.engine.portfolio import Portfolio

CAPITAL = Decimal("1000000.00")
CENT = Decimal("0.01")
SYMBOLS = (SYMBOL, OTHER)


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT) + 0


@dataclass
class RefLot:
    open_price: Decimal
    volume: int
    today: bool


@dataclass
class Reference:
    """The broker's arithmetic written out plainly: lots in lists, sums in loops."""

    balance_start: Decimal = CAPITAL
    lots: dict[tuple[str, Direction], list[RefLot]] = field(default_factory=dict)
    settlement: dict[str, Decimal] = field(default_factory=dict)
    last: dict[str, Decimal] = field(default_factory=dict)
    working: dict[str, Order] = field(default_factory=dict)
    close_profit: Decimal = Decimal(0)
    commission: Decimal = Decimal(0)
    records: list[DailySettlement] = field(default_factory=list)

    def basis(self, symbol: str, lot: RefLot) -> Decimal:
        """Today's lots count from their open price, yesterday's from the settlement."""
        return lot.open_price if lot.today else self.settlement[symbol]

    def frozen(self) -> tuple[Decimal, Decimal]:
        margin = commission = Decimal(0)
        for order in self.working.values():
            spec = spec_for(order.symbol)
            rate = {
                Offset.OPEN: spec.commission_open,
                Offset.CLOSE_TODAY: spec.commission_close_today,
            }.get(order.offset, spec.commission_close)
            commission += (rate * order.remaining).quantize(CENT)
            if order.offset is Offset.OPEN:
                margin += (
                    order.price * order.remaining * spec.multiplier * spec.margin_ratio
                ).quantize(CENT)
        return margin, commission

    def margin(self) -> Decimal:
        total = Decimal(0)
        for (symbol, _), lots in self.lots.items():
            spec = spec_for(symbol)
            base = sum((self.basis(symbol, lot) * lot.volume for lot in lots), Decimal(0))
            total += (base * spec.multiplier * spec.margin_ratio).quantize(CENT)
        return total

    def position_profit(self, prices: dict[str, Decimal]) -> Decimal:
        total = Decimal(0)
        for (symbol, direction), lots in self.lots.items():
            sign = 1 if direction is Direction.LONG else -1
            multiplier = spec_for(symbol).multiplier
            for lot in lots:
                total += sign * (prices[symbol] - self.basis(symbol, lot)) * lot.volume * multiplier
        return total

    def fill(self, trade: Trade) -> None:
        self.last.setdefault(trade.symbol, trade.price)
        self.commission += trade.commission
        key = (trade.symbol, trade.direction)
        lots = self.lots.setdefault(key, [])
        if trade.offset is Offset.OPEN:
            lots.append(RefLot(trade.price, trade.volume, today=True))
            return
        sign = 1 if trade.direction is Direction.LONG else -1
        multiplier = spec_for(trade.symbol).multiplier
        order = {
            Offset.CLOSE_TODAY: [lot for lot in lots if lot.today],
            Offset.CLOSE_YESTERDAY: [lot for lot in lots if not lot.today],
            Offset.CLOSE: [lot for lot in lots if not lot.today]
            + [lot for lot in lots if lot.today],
        }[trade.offset]
        left = trade.volume
        for lot in order:
            taken = min(left, lot.volume)
            basis = self.basis(trade.symbol, lot)
            self.close_profit += sign * (trade.price - basis) * taken * multiplier
            lot.volume -= taken
            left -= taken
        assert left == 0
        self.lots[key] = [lot for lot in lots if lot.volume > 0]

    def settle(self, account_id: str, day: date, main_settlement: Decimal) -> None:
        held = {symbol for (symbol, _), lots in self.lots.items() if lots}
        prices = {s: main_settlement if s == SYMBOL else self.last[s] for s in held}
        profit = self.position_profit(prices)
        balance = self.balance_start + self.close_profit + profit - self.commission
        self.records.append(
            DailySettlement(
                account_id,
                day,
                self.balance_start,
                Decimal(0),
                Decimal(0),
                self.close_profit,
                profit,
                self.commission,
                balance,
                tuple(sorted(prices.items())),
            )
        )
        self.balance_start = balance
        self.close_profit = self.commission = Decimal(0)
        self.settlement.update(prices)
        for lots in self.lots.values():
            for lot in lots:
                lot.today = False

    def closable(self, symbol: str, direction: Direction, offset: Offset) -> int:
        lots = self.lots.get((symbol, direction), [])
        today = sum(lot.volume for lot in lots if lot.today)
        yesterday = sum(lot.volume for lot in lots if not lot.today)
        pending = sum(
            o.remaining
            for o in self.working.values()
            if o.symbol == symbol and o.direction is direction and o.offset.is_close
        )
        free = {
            Offset.CLOSE_TODAY: today,
            Offset.CLOSE_YESTERDAY: yesterday,
            Offset.CLOSE: yesterday + today,
        }[offset]
        return max(0, free - pending)


prices = st.integers(min_value=45_000, max_value=47_000).map(lambda n: Decimal(n) / 50)
steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("order"),
            st.sampled_from(SYMBOLS),
            st.sampled_from(Side),
            st.sampled_from((Offset.OPEN, Offset.OPEN, Offset.CLOSE_TODAY, Offset.CLOSE)),
            prices,
            st.integers(1, 4),
        ),
        st.tuples(st.just("fill"), st.integers(0, 7), st.integers(1, 4), prices),
        st.tuples(st.just("cancel"), st.integers(0, 7)),
        st.tuples(st.just("close"), st.integers(0, 7), prices),
        st.tuples(st.just("tick"), st.sampled_from(SYMBOLS), prices),
        st.tuples(st.just("rollover"), prices),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(steps)
def test_the_broker_figures_equal_a_plain_reference_to_the_cent(
    script: list[tuple[object, ...]],
) -> None:
    book = Portfolio("acct", CAPITAL, spec_for)
    ref = Reference()
    day, now, seq = MONDAY, MONDAY_10AM, 0
    book.roll_to(day)
    for step in script:
        seq += 1
        kind = step[0]
        if kind == "order":
            _, symbol, side, offset, price, volume = step
            assert isinstance(side, Side) and isinstance(offset, Offset)
            order = Order(
                f"O{seq}", str(symbol), Exchange.SHFE, side, offset, Decimal(str(price)),
                int(str(volume)), 0, OrderStatus.NOT_TRADED, now, now,
            )  # fmt: skip
            if offset.is_close and order.volume > ref.closable(
                order.symbol, order.direction, offset
            ):
                continue  # the exchange would refuse it
            ref.working[order.order_id] = order
            book.on_order(order)
        elif kind == "fill" and ref.working:
            _, pick, volume, price = step
            order = list(ref.working.values())[int(str(pick)) % len(ref.working)]
            volume = min(int(str(volume)), order.remaining)
            filled = order.fill(volume, now)
            spec = spec_for(order.symbol)
            trade = Trade(
                f"T{seq}", order.order_id, order.symbol, Exchange.SHFE, order.side,
                order.offset, Decimal(str(price)), volume, now, day,
                spec.commission(order.offset, volume),
            )  # fmt: skip
            if filled.is_active:
                ref.working[order.order_id] = filled
            else:
                del ref.working[order.order_id]
            book.on_order(filled)
            ref.fill(trade)
            book.apply_trade(trade)
        elif kind == "close":
            # Close what a held leg has free, at once: yesterday's lots first.
            held = [key for key, lots in ref.lots.items() if lots]
            if not held:
                continue
            symbol, direction = held[int(str(step[1])) % len(held)]
            volume = ref.closable(symbol, direction, Offset.CLOSE)
            if not volume:
                continue
            side = Side.SELL if direction is Direction.LONG else Side.BUY
            order = Order(
                f"O{seq}", symbol, Exchange.SHFE, side, Offset.CLOSE, Decimal(str(step[2])),
                volume, 0, OrderStatus.NOT_TRADED, now, now,
            )  # fmt: skip
            book.on_order(order)
            trade = Trade(
                f"T{seq}", order.order_id, symbol, Exchange.SHFE, side, Offset.CLOSE,
                order.price, volume, now, day, spec_for(symbol).commission(Offset.CLOSE, volume),
            )  # fmt: skip
            book.on_order(order.fill(volume, now))
            ref.fill(trade)
            book.apply_trade(trade)
        elif kind == "cancel" and ref.working:
            order = list(ref.working.values())[int(str(step[1])) % len(ref.working)]
            del ref.working[order.order_id]
            book.on_order(order.transition(OrderStatus.CANCELLED, now))
        elif kind == "tick":
            _, symbol, price = step
            ref.last[str(symbol)] = Decimal(str(price))
            book.mark(make_tick(str(price), symbol=str(symbol), at=now, day=day))
        elif kind == "rollover":
            settlement = Decimal(str(step[1]))
            # Working orders expire at the end of the day.
            for order in list(ref.working.values()):
                book.on_order(order.transition(OrderStatus.CANCELLED, now))
            ref.working.clear()
            ref.settle("acct", day, settlement)
            day, now = day + timedelta(days=1), now + timedelta(days=1)
            tick = replace(make_tick(str(settlement), at=now, day=day), pre_settlement=settlement)
            ref.last[SYMBOL] = settlement
            book.mark(tick)
        _check(book, ref)


def _check(book: Portfolio, ref: Reference) -> None:
    account = book.account_snapshot(MONDAY_10AM)
    frozen_margin, frozen_commission = ref.frozen()
    assert account.frozen_margin == cents(frozen_margin)
    assert account.frozen_commission == cents(frozen_commission)
    assert account.margin == cents(ref.margin())
    assert account.close_profit == cents(ref.close_profit)
    assert account.today_commission == cents(ref.commission)
    assert account.pre_balance == cents(ref.balance_start)
    marks = {symbol: ref.last[symbol] for (symbol, _), lots in ref.lots.items() if lots}
    assert account.position_profit == cents(ref.position_profit(marks))
    by_date = ref.balance_start + ref.close_profit + ref.position_profit(marks) - ref.commission
    assert account.balance == cents(by_date)
    assert account.available == cents(by_date - ref.margin() - frozen_margin - frozen_commission)
    assert book.settled == ref.records
