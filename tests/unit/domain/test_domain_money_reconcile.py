"""The comparison of the book's money with the broker's, as properties."""

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arbig.domain.reconcile import MONEY_FIELDS, AccountFigures, money_differences

amounts = st.decimals(
    min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2, allow_nan=False
)
tolerances = st.decimals(min_value=Decimal(0), max_value=Decimal("10"), places=2)


@st.composite
def figures(draw: st.DrawFn, close_profit: bool | None = None) -> AccountFigures:
    """``close_profit``: True for figures that count every optional one."""
    counted = draw(st.booleans()) if close_profit is None else close_profit
    reported = draw(st.booleans()) if close_profit is None else close_profit
    return AccountFigures(
        balance=draw(amounts),
        available=draw(amounts),
        margin=draw(amounts),
        frozen_margin=draw(amounts),
        commission=draw(amounts),
        close_profit=draw(amounts) if counted else None,
        pre_balance=draw(amounts) if reported else None,
    )


@given(figures())
def test_an_account_agrees_with_itself(account: AccountFigures) -> None:
    assert money_differences(account, account) == []


@given(figures(), figures(), tolerances)
def test_each_reported_field_differs_beyond_the_tolerance_and_no_other_does(
    book: AccountFigures, broker: AccountFigures, tolerance: Decimal
) -> None:
    found = {d.field: d for d in money_differences(book, broker, tolerance)}
    for name in MONEY_FIELDS:
        ours, theirs = getattr(book, name), getattr(broker, name)
        if ours is None or theirs is None:
            assert name not in found
        elif abs(ours - theirs) > tolerance:
            assert found[name].difference == ours - theirs
            assert (found[name].book, found[name].broker) == (ours, theirs)
        else:
            assert name not in found


@given(figures(), figures())
def test_swapping_the_sides_negates_every_difference(
    book: AccountFigures, broker: AccountFigures
) -> None:
    there = money_differences(book, broker)
    back = money_differences(broker, book)
    assert [d.field for d in there] == [d.field for d in back]
    assert [d.difference for d in there] == [-d.difference for d in back]


@given(figures(close_profit=True), st.sampled_from(MONEY_FIELDS), amounts)
def test_one_field_moved_by_more_than_a_cent_is_the_one_difference(
    book: AccountFigures, name: str, shift: Decimal
) -> None:
    if abs(shift) <= Decimal("0.01"):
        shift = Decimal("0.02")
    broker = replace(book, **{name: getattr(book, name) + shift})
    (only,) = money_differences(book, broker)
    assert (only.field, only.difference) == (name, -shift)


def test_differences_come_in_a_stable_order_and_read_plainly() -> None:
    book = AccountFigures(Decimal(100), Decimal(50), Decimal(40), Decimal(10), Decimal(2))
    broker = AccountFigures(Decimal(90), Decimal(50), Decimal(40), Decimal(10), Decimal(3))
    assert [str(d) for d in money_differences(book, broker)] == [
        "balance: book 100, broker 90 (+10)",
        "commission: book 2, broker 3 (-1)",
    ]


def test_a_negative_tolerance_is_refused() -> None:
    book = AccountFigures(Decimal(1), Decimal(1), Decimal(0), Decimal(0), Decimal(0))
    with pytest.raises(ValueError, match="tolerance"):
        money_differences(book, book, Decimal("-0.01"))
