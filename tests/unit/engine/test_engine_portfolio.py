"""The trader's book: built from trades, marked to every tick.

Unrealized P&L follows DESIGN.md: ``(last - avg_price) * volume * 1000``, negated
for a short leg (gold trades in yuan per gram, 1000 grams a lot).
"""

from datetime import timedelta
from decimal import Decimal

from enginekit import (
    ACCOUNT,
    MONDAY,
    MONDAY_10AM,
    OTHER,
    SYMBOL,
    TUESDAY,
    make_tick,
    make_trade,
    spec_for,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from arbig.domain.enums import Direction, Offset, Side
from arbig.domain.tick import Tick
from arbig.engine.portfolio import Portfolio

CAPITAL = Decimal("1000000.00")


def portfolio() -> Portfolio:
    return Portfolio(ACCOUNT, CAPITAL, spec_for)


def long_of(book: Portfolio, symbol: str = "au2612") -> tuple[int, int, int]:
    leg = book.positions.leg(symbol, Direction.LONG)
    return leg.volume, leg.volume_today, leg.volume_yesterday


def test_an_opening_buy_makes_a_long_position_at_its_price() -> None:
    book = portfolio()

    realized = book.apply_trade(make_trade(price="920.00", volume=2))

    assert realized == 0
    leg = book.positions.leg("au2612", Direction.LONG)
    assert (leg.volume, leg.avg_price) == (2, Decimal("920.00"))
    assert book.account.commission == Decimal("10.00")


def test_marking_a_long_to_a_higher_last_price_shows_the_gain() -> None:
    book = portfolio()
    book.apply_trade(make_trade(price="920.00", volume=2))

    moved = book.mark(make_tick("921.50"))

    assert moved
    # (921.50 - 920.00) * 2 * 1000
    assert book.account.unrealized_pnl == Decimal("3000")


def test_a_short_position_loses_when_the_price_rises() -> None:
    book = portfolio()
    book.apply_trade(make_trade(side=Side.SELL, price="920.00", volume=1))

    book.mark(make_tick("921.00"))

    # -(921.00 - 920.00) * 1 * 1000
    assert book.account.unrealized_pnl == Decimal("-1000")


def test_unrealized_pnl_is_measured_from_the_average_open_price() -> None:
    book = portfolio()
    book.apply_trade(make_trade("T1", price="920.00"))
    book.apply_trade(make_trade("T2", price="921.00"))

    book.mark(make_tick("921.00"))

    # avg 920.50: (921.00 - 920.50) * 2 * 1000
    assert book.account.unrealized_pnl == Decimal("1000")
    [snapshot] = book.position_snapshots(MONDAY_10AM)
    assert snapshot.avg_price == Decimal("920.5000")
    assert snapshot.unrealized_pnl == Decimal("1000.00")
    assert snapshot.current_price == Decimal("921.00")


def test_long_and_short_legs_of_one_contract_are_valued_apart() -> None:
    book = portfolio()
    book.apply_trade(make_trade("T1", price="920.00"))
    book.apply_trade(make_trade("T2", side=Side.SELL, price="922.00"))

    book.mark(make_tick("921.00"))

    # long +1000, short +1000
    assert book.account.unrealized_pnl == Decimal("2000")


def test_the_balance_moves_with_the_marked_price() -> None:
    book = portfolio()
    book.apply_trade(make_trade(price="920.00", commission="10.00"))

    book.mark(make_tick("919.00"))

    assert book.account.balance == CAPITAL - Decimal("10.00") - Decimal("1000")
    snapshot = book.account_snapshot(MONDAY_10AM)
    assert snapshot.unrealized_pnl == Decimal("-1000.00")
    assert snapshot.balance == Decimal("998990.00")


def test_a_tick_for_a_contract_not_held_leaves_the_book_alone() -> None:
    book = portfolio()
    book.apply_trade(make_trade(price="920.00"))
    book.mark(make_tick("921.00"))

    moved = book.mark(make_tick("800.00", symbol=OTHER))

    assert not moved
    assert book.account.unrealized_pnl == Decimal("1000")
    assert book.last_price(OTHER) == Decimal("800.00")


def test_a_tick_at_an_unchanged_price_reports_no_change() -> None:
    book = portfolio()
    book.apply_trade(make_trade(price="920.00"))
    book.mark(make_tick("921.00"))

    assert not book.mark(make_tick("921.00"))


def test_before_any_tick_a_position_is_valued_at_its_fill_price() -> None:
    book = portfolio()

    book.apply_trade(make_trade(price="920.00"))

    assert book.last_price("au2612") == Decimal("920.00")
    assert book.account.unrealized_pnl == 0


def test_margin_is_the_cost_times_the_multiplier_times_the_margin_ratio() -> None:
    book = portfolio()

    book.apply_trade(make_trade(price="920.00", volume=2))

    # 920.00 * 2 * 1000 * 0.10
    assert book.account.margin == Decimal("184000.00")


def test_closing_realizes_the_pnl_and_frees_the_margin() -> None:
    book = portfolio()
    book.apply_trade(make_trade("T1", price="920.00", volume=2))

    realized = book.apply_trade(
        make_trade("T2", side=Side.SELL, offset=Offset.CLOSE_TODAY, price="921.00", volume=2)
    )

    assert realized == Decimal("2000")
    assert book.account.realized_pnl == Decimal("2000")
    assert book.account.commission == Decimal("20.00")
    assert book.account.margin == 0
    assert book.account.unrealized_pnl == 0


def test_a_new_trading_day_moves_todays_lots_to_yesterday() -> None:
    book = portfolio()
    book.apply_trade(make_trade(price="920.00", volume=2))
    assert long_of(book) == (2, 2, 0)

    assert book.roll_to(TUESDAY)

    assert long_of(book) == (2, 0, 2)


def test_the_first_tick_of_a_new_trading_day_rolls_the_book() -> None:
    book = portfolio()
    book.apply_trade(make_trade(price="920.00", volume=2))

    book.mark(make_tick("920.00", at=MONDAY_10AM + timedelta(days=1), day=TUESDAY))

    assert long_of(book) == (2, 0, 2)


def test_a_trade_of_a_new_trading_day_opens_today_after_the_roll() -> None:
    book = portfolio()
    book.apply_trade(make_trade("T1", volume=2))

    book.apply_trade(make_trade("T2", volume=1, day=TUESDAY))

    assert long_of(book) == (3, 1, 2)


def test_the_same_or_an_earlier_trading_day_does_not_roll_again() -> None:
    book = portfolio()
    book.apply_trade(make_trade("T1", day=TUESDAY))

    assert not book.roll_to(TUESDAY)
    assert not book.roll_to(MONDAY)

    assert long_of(book) == (1, 1, 0)


def test_snapshots_keep_a_flat_leg_with_volume_zero() -> None:
    book = portfolio()
    book.apply_trade(make_trade("T1", price="920.00"))
    book.apply_trade(make_trade("T2", side=Side.SELL, offset=Offset.CLOSE, price="921.00"))

    [snapshot] = book.position_snapshots(MONDAY_10AM)

    assert snapshot.symbol == "au2612"
    assert snapshot.direction is Direction.LONG
    assert (snapshot.volume, snapshot.volume_today, snapshot.volume_yesterday) == (0, 0, 0)
    assert snapshot.unrealized_pnl == 0
    assert snapshot.margin == 0


def test_snapshots_list_every_leg_the_book_has_seen() -> None:
    book = portfolio()
    book.apply_trade(make_trade("T1"))
    book.apply_trade(make_trade("T2", side=Side.SELL, symbol=OTHER))

    snapshots = book.position_snapshots(MONDAY_10AM)

    assert {(s.symbol, s.direction, s.volume) for s in snapshots} == {
        ("au2612", Direction.LONG, 1),
        (OTHER, Direction.SHORT, 1),
    }
    assert all(s.account_id == ACCOUNT for s in snapshots)


def test_a_position_remembers_when_it_was_opened() -> None:
    book = portfolio()
    opened = MONDAY_10AM
    book.apply_trade(make_trade("T1", at=opened))
    book.apply_trade(make_trade("T2", at=opened + timedelta(minutes=5)))

    [snapshot] = book.position_snapshots(opened + timedelta(hours=1))

    assert snapshot.open_time == opened
    assert snapshot.update_time == opened + timedelta(hours=1)


def test_a_manual_close_of_a_strategys_lots_takes_them_from_its_own_position() -> None:
    book = portfolio()
    book.apply_trade(make_trade("T1", volume=1))  # the operator's, by hand
    book.roll_to(TUESDAY)
    mine = make_trade("T2", volume=2, day=TUESDAY, at=MONDAY_10AM + timedelta(days=1))
    book.apply_trade(mine)
    assert book.apply_owned("ma", mine)

    # The operator closes one of today's lots by hand: only the strategy held today's.
    manual = make_trade(
        "T3",
        side=Side.SELL,
        offset=Offset.CLOSE_TODAY,
        volume=1,
        day=TUESDAY,
        at=MONDAY_10AM + timedelta(days=1, minutes=1),
    )
    book.apply_trade(manual)

    assert book.cap_owned("au2612", Direction.LONG) == ["ma"]
    assert book.owned_leg("ma", "au2612", Direction.LONG).volume == 1
    assert book.cap_owned("au2612", Direction.LONG) == []
    # The operator's yesterday lot is not the strategy's to lose.
    assert long_of(book) == (2, 1, 1)


_PRICES = st.integers(min_value=45_950, max_value=46_050).map(lambda c: Decimal(c) / 50)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["tick", "buy", "sell", "next day"]),
            _PRICES,
        ),
        max_size=30,
    )
)
def test_marking_leaves_the_account_as_a_full_revaluation_has_it(
    steps: list[tuple[str, Decimal]],
) -> None:
    """A tick re-marks only the floating P&L; the margin it leaves must equal what valuing
    the whole book anew gives (it changes with fills and settlements, never with a price)."""
    book = portfolio()
    day, at = MONDAY, MONDAY_10AM
    for n, (kind, price) in enumerate(steps):
        at += timedelta(seconds=1)
        if kind == "next day":
            day += timedelta(days=1)
        elif kind == "tick":
            book.mark(make_tick(str(price), at=at, day=day))
        else:
            side = Side.BUY if kind == "buy" else Side.SELL
            book.apply_trade(make_trade(f"T{n}", side=side, price=str(price), at=at, day=day))
        account = book.account
        seen = (account.margin, account.unrealized_pnl, account.position_profit)
        book._revalue()
        assert seen == (account.margin, account.unrealized_pnl, account.position_profit)


def _close_of(book: Portfolio, symbol: str) -> tuple[Side, Offset] | None:
    """A one-lot close of whatever ``book`` holds in ``symbol`` (yesterday's first)."""
    for direction in (Direction.LONG, Direction.SHORT):
        leg = book.positions.leg(symbol, direction)
        side = Side.SELL if direction is Direction.LONG else Side.BUY
        if leg.volume_yesterday:
            return side, Offset.CLOSE_YESTERDAY
        if leg.volume_today:
            return side, Offset.CLOSE_TODAY
    return None


class MarkedEveryTick(Portfolio):
    """The reference: the floating P&L valued anew at every tick."""

    def mark(self, tick: Tick) -> bool:
        moved = super().mark(tick)
        self._remark()
        return moved


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["tick", "tick", "tick", "buy", "sell", "close", "next day"]),
            st.sampled_from([SYMBOL, OTHER]),
            _PRICES,
            st.booleans(),  # whether the account is read after the step
        ),
        max_size=40,
    )
)
def test_the_account_read_after_any_ticks_and_fills_is_what_marking_every_tick_gives(
    steps: list[tuple[str, str, Decimal, bool]],
) -> None:
    """A tick only notes its price; the account is marked when read. Read at any moment,
    it equals that of a book marked at every tick (read after every step)."""
    lazy, eager = portfolio(), MarkedEveryTick(ACCOUNT, CAPITAL, spec_for)
    day, at = MONDAY, MONDAY_10AM
    for n, (kind, symbol, price, read) in enumerate(steps):
        at += timedelta(seconds=1)
        if kind == "next day":
            day += timedelta(days=1)
            kind = "tick"
        if kind == "tick":
            tick = make_tick(str(price), symbol=symbol, at=at, day=day)
            assert lazy.mark(tick) == eager.mark(tick)
        else:
            if kind == "close":
                close = _close_of(eager, symbol)
                if close is None:
                    continue
                side, offset = close
            else:
                side, offset = (Side.BUY if kind == "buy" else Side.SELL), Offset.OPEN
            trade = make_trade(
                f"T{n}", side=side, offset=offset, price=str(price), symbol=symbol, at=at, day=day
            )
            assert lazy.apply_trade(trade) == eager.apply_trade(trade)
        marked = eager.account_snapshot(at)
        if read:
            assert lazy.account_snapshot(at) == marked
            assert lazy.account == eager.account
    assert lazy.account_snapshot(at) == eager.account_snapshot(at)
    assert lazy.take_settled() == eager.take_settled()
