"""Positions and the account they feed, checked against a small reference model.

The reference model keeps, per (symbol, direction) leg, a plain list of
(open price, volume, is_today) lots in the order they were opened. A close takes
lots first-in first-out from the part the offset names: close-today only today's,
close-yesterday only yesterday's, plain close yesterday's first and then today's.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arbig.domain.account import AccountBook
from arbig.domain.contract import ContractSpec
from arbig.domain.enums import Direction, Exchange, Offset, Side
from arbig.domain.position import PositionBook, PositionError, PositionLeg
from arbig.domain.trade import Trade

AU = "au2612"
AU_NEAR = "au2608"
MULTIPLIER = 1000
TICK = Decimal("0.02")
CENT = Decimal("0.01")
SPEC = ContractSpec(
    symbol=AU,
    exchange=Exchange.SHFE,
    multiplier=MULTIPLIER,
    price_tick=TICK,
    margin_ratio=Decimal("0.08"),
    commission_open=Decimal("10.00"),
    commission_close=Decimal("6.00"),
    commission_close_today=Decimal("2.50"),
    limit_ratio=Decimal("0.07"),
)
_ids = count(1)


def trade(side: Side, offset: Offset, price: str | Decimal, volume: int, symbol: str = AU) -> Trade:
    return Trade(
        trade_id=f"t{next(_ids)}",
        order_id="o1",
        symbol=symbol,
        exchange=Exchange.SHFE,
        side=side,
        offset=offset,
        price=Decimal(price),
        volume=volume,
        datetime=datetime(2026, 3, 4, 2, 0, tzinfo=UTC),
        trading_day=date(2026, 3, 4),
        commission=SPEC.commission(offset, volume),
    )


def lots(leg: PositionLeg) -> tuple[list[tuple[Decimal, int]], list[tuple[Decimal, int]]]:
    return (
        [(lot.price, lot.volume) for lot in leg.today],
        [(lot.price, lot.volume) for lot in leg.yesterday],
    )


def book_state(book: PositionBook) -> dict[tuple[str, Direction], object]:
    """Everything observable about the book, as plain values (lots are mutable)."""
    return {key: lots(leg) for key, leg in book.legs.items()}


# ---------------------------------------------------------------- examples


def test_open_adds_a_todays_lot_to_the_leg_the_side_names() -> None:
    book = PositionBook()
    assert book.apply(trade(Side.BUY, Offset.OPEN, "500.00", 2), MULTIPLIER) == 0
    assert book.apply(trade(Side.SELL, Offset.OPEN, "501.00", 1), MULTIPLIER) == 0
    long, short = book.leg(AU, Direction.LONG), book.leg(AU, Direction.SHORT)
    assert (long.volume_today, long.volume_yesterday, long.avg_price) == (2, 0, Decimal("500"))
    assert (short.volume_today, short.volume_yesterday, short.avg_price) == (1, 0, Decimal("501"))


def test_long_and_short_legs_are_kept_apart_not_netted() -> None:
    book = PositionBook()
    book.apply(trade(Side.BUY, Offset.OPEN, "500.00", 3), MULTIPLIER)
    book.apply(trade(Side.SELL, Offset.OPEN, "500.00", 3), MULTIPLIER)
    assert [(leg.direction, leg.volume) for leg in book.held()] == [
        (Direction.LONG, 3),
        (Direction.SHORT, 3),
    ]


def test_roll_day_turns_todays_lots_into_yesterdays() -> None:
    book = PositionBook()
    book.apply(trade(Side.BUY, Offset.OPEN, "500.00", 2), MULTIPLIER)
    book.roll_day()
    book.apply(trade(Side.BUY, Offset.OPEN, "502.00", 1), MULTIPLIER)
    leg = book.leg(AU, Direction.LONG)
    assert (leg.volume_yesterday, leg.volume_today, leg.volume) == (2, 1, 3)


def two_day_long() -> PositionBook:
    """Yesterday 2 @ 500 then 1 @ 501; today 1 @ 505 then 2 @ 506."""
    book = PositionBook()
    book.apply(trade(Side.BUY, Offset.OPEN, "500.00", 2), MULTIPLIER)
    book.apply(trade(Side.BUY, Offset.OPEN, "501.00", 1), MULTIPLIER)
    book.roll_day()
    book.apply(trade(Side.BUY, Offset.OPEN, "505.00", 1), MULTIPLIER)
    book.apply(trade(Side.BUY, Offset.OPEN, "506.00", 2), MULTIPLIER)
    return book


def test_close_today_takes_only_todays_lots_oldest_first() -> None:
    book = two_day_long()
    realized = book.apply(trade(Side.SELL, Offset.CLOSE_TODAY, "510.00", 2), MULTIPLIER)
    # 1 @ 505 and 1 @ 506, each closed at 510
    assert realized == Decimal("9000")
    assert lots(book.leg(AU, Direction.LONG)) == (
        [(Decimal("506.00"), 1)],
        [(Decimal("500.00"), 2), (Decimal("501.00"), 1)],
    )


def test_close_yesterday_takes_only_yesterdays_lots_oldest_first() -> None:
    book = two_day_long()
    realized = book.apply(trade(Side.SELL, Offset.CLOSE_YESTERDAY, "499.00", 3), MULTIPLIER)
    assert realized == Decimal("-4000")  # 2 * -1 + 1 * -2, times 1000
    leg = book.leg(AU, Direction.LONG)
    assert (leg.volume_yesterday, leg.volume_today) == (0, 3)


def test_plain_close_takes_yesterdays_lots_before_todays() -> None:
    book = two_day_long()
    realized = book.apply(trade(Side.SELL, Offset.CLOSE, "510.00", 4), MULTIPLIER)
    assert realized == Decimal("10000") * 2 + Decimal("9000") + Decimal("5000")
    assert lots(book.leg(AU, Direction.LONG)) == ([(Decimal("506.00"), 2)], [])


def test_closing_a_short_realizes_the_fall_in_price() -> None:
    book = PositionBook()
    book.apply(trade(Side.SELL, Offset.OPEN, "520.00", 2), MULTIPLIER)
    realized = book.apply(trade(Side.BUY, Offset.CLOSE_TODAY, "515.50", 2), MULTIPLIER)
    assert realized == Decimal("9000")
    assert book.held() == []


def test_avg_price_is_volume_weighted_over_both_days() -> None:
    leg = two_day_long().leg(AU, Direction.LONG)
    assert leg.avg_price == Decimal(2 * 500 + 501 + 505 + 2 * 506) / 6


def test_flat_leg_has_zero_avg_price_pnl_and_margin() -> None:
    leg = PositionLeg(AU, Direction.LONG)
    assert (leg.volume, leg.avg_price, leg.margin(SPEC)) == (0, Decimal(0), Decimal(0))
    assert leg.unrealized_pnl(Decimal("500.00"), MULTIPLIER) == 0


def test_unrealized_pnl_of_a_long_is_last_minus_avg_times_volume_times_1000() -> None:
    book = PositionBook()
    book.apply(trade(Side.BUY, Offset.OPEN, "500.00", 2), MULTIPLIER)
    leg = book.leg(AU, Direction.LONG)
    assert leg.unrealized_pnl(Decimal("510.00"), MULTIPLIER) == Decimal("20000")


def test_unrealized_pnl_of_a_short_is_the_negative() -> None:
    book = PositionBook()
    book.apply(trade(Side.SELL, Offset.OPEN, "500.00", 2), MULTIPLIER)
    leg = book.leg(AU, Direction.SHORT)
    assert leg.unrealized_pnl(Decimal("510.00"), MULTIPLIER) == Decimal("-20000")


def test_margin_is_open_value_times_multiplier_times_ratio_to_the_cent() -> None:
    book = PositionBook()
    book.apply(trade(Side.BUY, Offset.OPEN, "500.02", 3), MULTIPLIER)
    assert book.leg(AU, Direction.LONG).margin(SPEC) == Decimal("120004.80")


def test_close_for_more_than_held_is_refused_and_changes_nothing() -> None:
    book = two_day_long()
    before = book_state(book)
    for offset, volume in [(Offset.CLOSE_TODAY, 4), (Offset.CLOSE_YESTERDAY, 4), (Offset.CLOSE, 7)]:
        with pytest.raises(PositionError, match="cannot"):
            book.apply(trade(Side.SELL, offset, "510.00", volume), MULTIPLIER)
        assert book_state(book) == before


def test_close_today_is_refused_when_only_yesterdays_lots_are_held() -> None:
    book = PositionBook()
    book.apply(trade(Side.BUY, Offset.OPEN, "500.00", 1), MULTIPLIER)
    book.roll_day()
    with pytest.raises(PositionError):
        book.apply(trade(Side.SELL, Offset.CLOSE_TODAY, "500.00", 1), MULTIPLIER)


def test_close_of_a_leg_never_held_is_refused_without_creating_the_leg() -> None:
    book = PositionBook()
    book.apply(trade(Side.BUY, Offset.OPEN, "500.00", 1), MULTIPLIER)
    before = book_state(book)
    with pytest.raises(PositionError):
        book.apply(trade(Side.SELL, Offset.CLOSE, "500.00", 1, symbol=AU_NEAR), MULTIPLIER)
    with pytest.raises(PositionError):  # buy-close touches the short leg, which is empty
        book.apply(trade(Side.BUY, Offset.CLOSE, "500.00", 1), MULTIPLIER)
    assert book_state(book) == before


@pytest.mark.parametrize("volume", [0, -1])
@pytest.mark.parametrize("offset", list(Offset))
def test_fill_of_non_positive_volume_is_refused(offset: Offset, volume: int) -> None:
    book = two_day_long()
    before = book_state(book)
    with pytest.raises(PositionError):
        book.apply(trade(Side.SELL, offset, "500.00", volume), MULTIPLIER)
    assert book_state(book) == before


@pytest.mark.parametrize("volume", [0, -1])
def test_leg_refuses_non_positive_volumes_directly(volume: int) -> None:
    leg = two_day_long().leg(AU, Direction.LONG)
    before = lots(leg)
    with pytest.raises(PositionError):
        leg.close(Offset.CLOSE, Decimal("500.00"), volume, MULTIPLIER)
    with pytest.raises(PositionError):
        leg.open(Decimal("500.00"), volume)
    assert lots(leg) == before


def test_leg_refuses_open_as_a_close_offset() -> None:
    leg = two_day_long().leg(AU, Direction.LONG)
    with pytest.raises(PositionError):
        leg.close(Offset.OPEN, Decimal("500.00"), 1, MULTIPLIER)


def test_held_lists_only_legs_with_volume() -> None:
    book = PositionBook()
    book.apply(trade(Side.BUY, Offset.OPEN, "500.00", 1), MULTIPLIER)
    book.apply(trade(Side.SELL, Offset.OPEN, "500.00", 1, symbol=AU_NEAR), MULTIPLIER)
    book.apply(trade(Side.SELL, Offset.CLOSE_TODAY, "500.00", 1), MULTIPLIER)
    assert [(leg.symbol, leg.direction) for leg in book.held()] == [(AU_NEAR, Direction.SHORT)]


# ---------------------------------------------------------------- account examples


def test_balance_is_capital_plus_realized_minus_commission_plus_floating() -> None:
    account = AccountBook("a1", Decimal("1000000"))
    account.record_fill(Decimal("5000"), Decimal("10.00"))
    account.record_fill(Decimal("-2000"), Decimal("6.00"))
    account.unrealized_pnl = Decimal("-300")
    assert account.realized_pnl == Decimal("3000")
    assert account.commission == Decimal("16.00")
    assert account.balance == Decimal("1002684.00")


def test_available_is_balance_less_margin_and_frozen_amounts() -> None:
    account = AccountBook("a1", Decimal("100000"), margin=Decimal("40000"))
    account.frozen_margin = Decimal("8000")
    account.frozen_commission = Decimal("10")
    assert account.available == Decimal("51990")


def test_can_afford_exactly_what_is_available_and_no_more() -> None:
    account = AccountBook("a1", Decimal("100000"), margin=Decimal("60000"))
    assert account.can_afford(Decimal("39990"), Decimal("10"))
    assert not account.can_afford(Decimal("39990"), Decimal("10.01"))


# ---------------------------------------------------------------- reference model


@dataclass(frozen=True)
class Figures:
    """What the book reports about one leg."""

    today: int
    yesterday: int
    avg: Decimal
    margin: Decimal
    unrealized: Decimal


@dataclass
class RefLot:
    price: Decimal
    volume: int
    is_today: bool


@dataclass
class Reference:
    """The book recomputed the plain way."""

    capital: Decimal
    legs: dict[tuple[str, Direction], list[RefLot]] = field(default_factory=dict)
    realized: Decimal = Decimal(0)
    commission: Decimal = Decimal(0)

    def held(self, key: tuple[str, Direction], offset: Offset) -> int:
        return sum(lot.volume for lot in self.takeable(key, offset))

    def takeable(self, key: tuple[str, Direction], offset: Offset) -> list[RefLot]:
        leg = self.legs.get(key, [])
        yesterday = [lot for lot in leg if not lot.is_today]
        today = [lot for lot in leg if lot.is_today]
        if offset is Offset.CLOSE_TODAY:
            return today
        if offset is Offset.CLOSE_YESTERDAY:
            return yesterday
        return yesterday + today

    def fill(self, side: Side, offset: Offset, price: Decimal, volume: int, symbol: str) -> bool:
        """Apply a fill; False (and nothing changed) when it closes more than is held."""
        direction = (
            Direction.LONG if (side is Side.BUY) == (offset is Offset.OPEN) else (Direction.SHORT)
        )
        key = (symbol, direction)
        if offset is Offset.OPEN:
            self.legs.setdefault(key, []).append(RefLot(price, volume, True))
        else:
            if volume > self.held(key, offset):
                return False
            sign = 1 if direction is Direction.LONG else -1
            left = volume
            for lot in self.takeable(key, offset):
                taken = min(left, lot.volume)
                self.realized += sign * (price - lot.price) * taken * MULTIPLIER
                lot.volume -= taken
                left -= taken
            self.legs[key] = [lot for lot in self.legs[key] if lot.volume]
        rate = {
            Offset.OPEN: SPEC.commission_open,
            Offset.CLOSE_TODAY: SPEC.commission_close_today,
            Offset.CLOSE_YESTERDAY: SPEC.commission_close,
            Offset.CLOSE: SPEC.commission_close,
        }[offset]
        self.commission += (rate * volume).quantize(CENT)
        return True

    def roll(self) -> None:
        for leg in self.legs.values():
            for lot in leg:
                lot.is_today = False

    def leg_figures(self, key: tuple[str, Direction], last: Decimal) -> Figures:
        leg = self.legs.get(key, [])
        volume = sum(lot.volume for lot in leg)
        cost = sum((lot.price * lot.volume for lot in leg), Decimal(0))
        sign = 1 if key[1] is Direction.LONG else -1
        return Figures(
            today=sum(lot.volume for lot in leg if lot.is_today),
            yesterday=sum(lot.volume for lot in leg if not lot.is_today),
            avg=cost / volume if volume else Decimal(0),
            margin=(cost * MULTIPLIER * SPEC.margin_ratio).quantize(CENT),
            unrealized=sum(
                (sign * (last - lot.price) * lot.volume * MULTIPLIER for lot in leg), Decimal(0)
            ),
        )


def leg_figures(leg: PositionLeg, last: Decimal) -> Figures:
    return Figures(
        today=leg.volume_today,
        yesterday=leg.volume_yesterday,
        avg=leg.avg_price,
        margin=leg.margin(SPEC),
        unrealized=leg.unrealized_pnl(last, MULTIPLIER),
    )


prices = st.integers(20_000, 30_000).map(lambda ticks: ticks * TICK)  # 400.00 .. 600.00
KEYS = [(symbol, direction) for symbol in (AU, AU_NEAR) for direction in Direction]
CLOSES = [Offset.CLOSE, Offset.CLOSE_TODAY, Offset.CLOSE_YESTERDAY]


@settings(max_examples=250, deadline=None)
@given(capital=st.integers(100_000, 10_000_000).map(Decimal), data=st.data())
def test_book_and_account_equal_a_plain_recomputation_after_any_fills(
    capital: Decimal, data: st.DataObject
) -> None:
    book = PositionBook()
    account = AccountBook("a1", capital)
    ref = Reference(capital)
    last = {AU: Decimal("500.00"), AU_NEAR: Decimal("498.00")}

    for _ in range(data.draw(st.integers(1, 40), label="steps")):
        kind = data.draw(st.sampled_from(["open", "open", "close", "close", "roll", "mark"]))
        symbol = data.draw(st.sampled_from([AU, AU, AU_NEAR]))
        price = data.draw(prices)
        if kind == "roll":
            book.roll_day()
            ref.roll()
        elif kind == "mark":
            last[symbol] = price
        else:
            direction = data.draw(st.sampled_from(list(Direction)))
            if kind == "open":
                offset = Offset.OPEN
                side = Side.BUY if direction is Direction.LONG else Side.SELL
                volume = data.draw(st.integers(1, 6))
            else:
                offset = data.draw(st.sampled_from(CLOSES))
                side = Side.SELL if direction is Direction.LONG else Side.BUY
                # mostly closes that fit, sometimes one or two lots too many
                volume = data.draw(st.integers(1, ref.held((symbol, direction), offset) + 2))
            fill = trade(side, offset, price, volume, symbol)
            before = book_state(book)
            if ref.fill(side, offset, price, volume, symbol):
                account.record_fill(book.apply(fill, MULTIPLIER), fill.commission)
            else:
                with pytest.raises(PositionError):
                    book.apply(fill, MULTIPLIER)
                assert book_state(book) == before
            last[symbol] = price

        # the account is revalued the way the portfolio engine does it
        account.unrealized_pnl = sum(
            (leg.unrealized_pnl(last[leg.symbol], MULTIPLIER) for leg in book.held()), Decimal(0)
        )
        account.margin = sum((leg.margin(SPEC) for leg in book.held()), Decimal(0))

        expected = {key: ref.leg_figures(key, last[key[0]]) for key in KEYS}
        for key in KEYS:
            leg = book.legs.get(key, PositionLeg(*key))
            assert leg_figures(leg, last[key[0]]) == expected[key], key
        assert account.realized_pnl == ref.realized
        assert account.commission == ref.commission
        ref_unrealized = sum((f.unrealized for f in expected.values()), Decimal(0))
        ref_margin = sum((f.margin for f in expected.values()), Decimal(0))
        ref_balance = capital + ref.realized - ref.commission + ref_unrealized
        assert account.balance == ref_balance
        assert account.available == ref_balance - ref_margin
        assert account.balance.quantize(CENT) == ref_balance.quantize(CENT)


@settings(max_examples=300, deadline=None)
@given(
    direction=st.sampled_from(list(Direction)),
    opens=st.lists(st.tuples(prices, st.integers(1, 50)), min_size=1, max_size=8),
    last=prices,
)
def test_unrealized_pnl_follows_the_design_formula_with_multiplier_1000(
    direction: Direction, opens: list[tuple[Decimal, int]], last: Decimal
) -> None:
    leg = PositionLeg(AU, direction)
    for price, volume in opens:
        leg.open(price, volume)
    volume = sum(v for _, v in opens)
    avg = sum((p * v for p, v in opens), Decimal(0)) / volume
    design = (last - avg) * volume * MULTIPLIER
    if direction is Direction.SHORT:
        design = -design
    # avg is a rounded quotient; the leg's own figure must agree to well within a cent
    assert abs(leg.unrealized_pnl(last, MULTIPLIER) - design) < Decimal("0.000001")
    assert leg.unrealized_pnl(last, MULTIPLIER).quantize(CENT) == design.quantize(CENT)
