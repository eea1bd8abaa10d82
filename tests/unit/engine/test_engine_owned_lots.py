"""Each position snapshot says which lots strategies own and how many are free to hand
over, by the rule the hand-over refuses by (``free_to_hand``)."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from enginekit import (
    ACCOUNT,
    MONDAY,
    MONDAY_10AM,
    SYMBOL,
    TUESDAY,
    make_order,
    make_trade,
    spec_for,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from arbig.domain.enums import Direction, Offset, OrderSource, OrderStatus, Side
from arbig.domain.handover import Handover, HandoverError, split_handover
from arbig.domain.snapshot import OwnedLots, PositionSnapshot
from arbig.engine.portfolio import Portfolio

TUESDAY_10AM = MONDAY_10AM + timedelta(days=1)


def portfolio() -> Portfolio:
    return Portfolio(ACCOUNT, Decimal("10000000"), spec_for)


def long_leg(book: Portfolio) -> PositionSnapshot:
    [leg] = [s for s in book.position_snapshots(MONDAY_10AM) if s.direction is Direction.LONG]
    return leg


def owned_and_free(book: Portfolio) -> tuple[tuple[OwnedLots, ...], int]:
    leg = long_leg(book)
    return leg.owned, leg.free_volume


def handover(name: str, yesterday: int, today: int, day: object = MONDAY) -> Handover:
    return Handover(
        strategy_name=name,
        symbol=SYMBOL,
        direction=Direction.LONG,
        volume_yesterday=yesterday,
        volume_today=today,
        price=Decimal("920.00"),
        trading_day=day,  # type: ignore[arg-type]
        handed_at=MONDAY_10AM,
    )


def strategy_fill(book: Portfolio, name: str, trade_id: str, **kwargs: object) -> None:
    trade = make_trade(trade_id, **kwargs)  # type: ignore[arg-type]
    book.apply_trade(trade)
    assert book.apply_owned(name, trade)


def test_lots_bought_by_hand_are_all_free() -> None:
    book = portfolio()
    book.apply_trade(make_trade("T1", volume=2))

    assert owned_and_free(book) == ((), 2)


def test_a_strategys_fills_are_its_own_and_not_free() -> None:
    book = portfolio()
    book.apply_trade(make_trade("T1", volume=1))  # by hand
    strategy_fill(book, "ma_crossover", "T2", volume=2)

    assert owned_and_free(book) == ((OwnedLots("ma_crossover", 2),), 1)


def test_handed_lots_become_the_strategys_own() -> None:
    book = portfolio()
    book.apply_trade(make_trade("T1", volume=3))

    book.hand_over(handover("ma_crossover", 0, 2))

    assert owned_and_free(book) == ((OwnedLots("ma_crossover", 2),), 1)


def test_a_manual_close_of_free_lots_leaves_the_strategys_alone() -> None:
    book = portfolio()
    book.apply_trade(make_trade("T1", volume=2))
    strategy_fill(book, "ma_crossover", "T2", volume=1)

    book.apply_trade(make_trade("T3", side=Side.SELL, offset=Offset.CLOSE_TODAY, volume=2))
    book.cap_owned(SYMBOL, Direction.LONG)

    assert owned_and_free(book) == ((OwnedLots("ma_crossover", 1),), 0)


def test_a_strategys_close_frees_nothing_and_takes_its_own() -> None:
    book = portfolio()
    book.apply_trade(make_trade("T1", volume=1))
    strategy_fill(book, "ma_crossover", "T2", volume=2)

    strategy_fill(book, "ma_crossover", "T3", side=Side.SELL, offset=Offset.CLOSE_TODAY, volume=1)

    assert owned_and_free(book) == ((OwnedLots("ma_crossover", 1),), 1)


def test_a_working_manual_close_promises_free_lots() -> None:
    book = portfolio()
    book.apply_trade(make_trade("T1", volume=3))
    close = replace(make_order(volume=2), side=Side.SELL, offset=Offset.CLOSE)
    book.on_order(close)
    assert owned_and_free(book) == ((), 1)

    book.on_order(replace(close, status=OrderStatus.CANCELLED))

    assert owned_and_free(book) == ((), 3)


def test_a_working_strategy_close_does_not_take_free_lots() -> None:
    book = portfolio()
    book.apply_trade(make_trade("T1", volume=1))
    strategy_fill(book, "ma_crossover", "T2", volume=1)
    close = replace(
        make_order(volume=1),
        side=Side.SELL,
        offset=Offset.CLOSE,
        source=OrderSource.STRATEGY,
    )
    book.on_order(close)

    assert owned_and_free(book) == ((OwnedLots("ma_crossover", 1),), 1)


def test_the_figures_last_over_a_day_roll() -> None:
    book = portfolio()
    book.apply_trade(make_trade("T1", volume=2))
    strategy_fill(book, "ma_crossover", "T2", volume=1)
    book.hand_over(handover("breakout", 0, 1))

    book.roll_to(TUESDAY)
    book.apply_trade(make_trade("T3", volume=1, day=TUESDAY, at=TUESDAY_10AM))

    owned, free = owned_and_free(book)
    assert set(owned) == {OwnedLots("ma_crossover", 1), OwnedLots("breakout", 1)}
    assert free == 2
    assert long_leg(book).volume_yesterday == 3


def test_a_flat_leg_has_nothing_owned_nor_free() -> None:
    book = portfolio()
    strategy_fill(book, "ma_crossover", "T1", volume=1)
    strategy_fill(book, "ma_crossover", "T2", side=Side.SELL, offset=Offset.CLOSE, volume=1)

    assert owned_and_free(book) == ((), 0)


# One step of a session: a manual or strategy fill (open or close), a hand-over of
# what is free, a manual close placed or cancelled, a day roll.
_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["open", "close", "s_open", "s_close", "hand", "work", "cancel", "roll"]),
        st.integers(min_value=1, max_value=3),
    ),
    max_size=25,
)


@settings(max_examples=80, deadline=None)
@given(_STEPS)
def test_free_lots_are_exactly_what_a_hand_over_accepts(steps: list[tuple[str, int]]) -> None:
    book = portfolio()
    day = MONDAY
    working = replace(make_order(volume=1), side=Side.SELL, offset=Offset.CLOSE)
    for n, (step, volume) in enumerate(steps):
        trade_id = f"T{n}"
        account = book.positions.leg(SYMBOL, Direction.LONG)
        mine = book.owned_leg("s", SYMBOL, Direction.LONG)
        free = long_leg(book).free_volume if account.volume else 0
        if step == "open":
            book.apply_trade(make_trade(trade_id, volume=volume, day=day))
        elif step == "s_open":
            strategy_fill(book, "s", trade_id, volume=volume, day=day)
        elif step == "close" and free:
            offset = Offset.CLOSE_YESTERDAY if account.volume_yesterday else Offset.CLOSE_TODAY
            take = min(volume, account.closable(offset))
            if take:
                book.apply_trade(
                    make_trade(trade_id, side=Side.SELL, offset=offset, volume=take, day=day)
                )
                book.cap_owned(SYMBOL, Direction.LONG)
        elif step == "s_close" and mine.volume:
            offset = Offset.CLOSE_YESTERDAY if mine.volume_yesterday else Offset.CLOSE_TODAY
            take = min(volume, mine.closable(offset), account.closable(offset))
            if take:
                strategy_fill(
                    book, "s", trade_id, side=Side.SELL, offset=offset, volume=take, day=day
                )
        elif step == "hand" and free:
            yesterday, today = split_handover(
                account, book.owned_legs(SYMBOL, Direction.LONG), book._working.values(), free
            )
            book.hand_over(handover("h", yesterday, today, day))
        elif step == "work":
            working = replace(working, order_id=f"O{n}", volume=volume)
            book.on_order(working)
        elif step == "cancel":
            book.on_order(replace(working, status=OrderStatus.CANCELLED))
        elif step == "roll":
            day += timedelta(days=1)
            book.roll_to(day)

        account = book.positions.leg(SYMBOL, Direction.LONG)
        if account.volume == 0:
            continue
        leg = long_leg(book)
        owned = book.owned_legs(SYMBOL, Direction.LONG)
        assert sum(o.volume for o in leg.owned) == sum(o.volume for o in owned)
        assert sum(o.volume for o in leg.owned) + leg.free_volume <= leg.volume
        # Every free lot can be handed, and not one more.
        working_now = list(book._working.values())
        if leg.free_volume:
            split_handover(account, owned, working_now, leg.free_volume)
        try:
            split_handover(account, owned, working_now, leg.free_volume + 1)
        except HandoverError:
            pass
        else:
            raise AssertionError(f"{leg.free_volume + 1} lots could be handed, not shown free")
