"""The order state machine.

The allowed table, written out here independently of the implementation:

    submitting  -> not_traded, part_traded, all_traded, cancelled, rejected
    not_traded  -> part_traded, all_traded, cancelled
    part_traded -> part_traded, all_traded, cancelled
    all_traded, cancelled, rejected -> nothing (terminal)
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arbig.domain.enums import Exchange, Offset, OrderSource, OrderStatus, Side
from arbig.domain.order import IllegalTransition, Order, OrderRequest, can_transition

S = OrderStatus
ALLOWED: dict[OrderStatus, set[OrderStatus]] = {
    S.SUBMITTING: {S.NOT_TRADED, S.PART_TRADED, S.ALL_TRADED, S.CANCELLED, S.REJECTED},
    S.NOT_TRADED: {S.PART_TRADED, S.ALL_TRADED, S.CANCELLED},
    S.PART_TRADED: {S.PART_TRADED, S.ALL_TRADED, S.CANCELLED},
    S.ALL_TRADED: set(),
    S.CANCELLED: set(),
    S.REJECTED: set(),
}
ALL_PAIRS = list(product(OrderStatus, OrderStatus))
LEGAL_PAIRS = [(a, b) for a, b in ALL_PAIRS if b in ALLOWED[a]]
ILLEGAL_PAIRS = [(a, b) for a, b in ALL_PAIRS if b not in ALLOWED[a]]

T0 = datetime(2026, 3, 4, 1, 0, tzinfo=UTC)
VOLUME = 10


def new_order(volume: int = VOLUME) -> Order:
    request = OrderRequest(
        "au2612",
        Exchange.SHFE,
        Side.BUY,
        Offset.OPEN,
        Decimal("500.00"),
        volume,
        source=OrderSource.STRATEGY,
        reference="r1",
    )
    return Order.from_request("o1", request, T0)


def order_in(status: OrderStatus) -> Order:
    """An order of VOLUME lots that reached ``status`` by a legal path."""
    order = new_order()
    later = T0 + timedelta(seconds=1)
    if status is S.SUBMITTING:
        return order
    if status is S.PART_TRADED:
        return order.transition(S.PART_TRADED, later, traded=3)
    if status is S.ALL_TRADED:
        return order.transition(S.ALL_TRADED, later, traded=VOLUME)
    return order.transition(status, later)


def traded_for(order: Order, status: OrderStatus) -> int | None:
    """A traded figure that suits ``status`` (None: leave it as it is)."""
    if status is S.NOT_TRADED:
        return 0
    if status is S.PART_TRADED:
        return order.traded + 1
    if status is S.ALL_TRADED:
        return order.volume
    return None


def test_the_table_has_every_pair() -> None:
    assert len(LEGAL_PAIRS) + len(ILLEGAL_PAIRS) == len(OrderStatus) ** 2 == 36
    assert len(LEGAL_PAIRS) == 11


@pytest.mark.parametrize(("current", "new"), ALL_PAIRS)
def test_can_transition_matches_the_documented_table(
    current: OrderStatus, new: OrderStatus
) -> None:
    assert can_transition(current, new) is (new in ALLOWED[current])


@pytest.mark.parametrize(("current", "new"), LEGAL_PAIRS)
def test_legal_transition_is_applied(current: OrderStatus, new: OrderStatus) -> None:
    order = order_in(current)
    later = T0 + timedelta(minutes=1)
    updated = order.transition(new, later, traded=traded_for(order, new))
    assert updated.status is new
    assert updated.updated_at == later
    assert updated.created_at == T0
    assert order.status is current  # the original is a value and stays as it was


@pytest.mark.parametrize(("current", "new"), ILLEGAL_PAIRS)
def test_illegal_transition_raises(current: OrderStatus, new: OrderStatus) -> None:
    order = order_in(current)
    with pytest.raises(IllegalTransition, match=f"{current} -> {new}"):
        order.transition(new, T0, traded=traded_for(order, new))
    with pytest.raises(IllegalTransition):
        order.transition(new, T0)


@pytest.mark.parametrize("terminal", [S.ALL_TRADED, S.CANCELLED, S.REJECTED])
def test_terminal_states_never_change(terminal: OrderStatus) -> None:
    order = order_in(terminal)
    for status in OrderStatus:
        with pytest.raises(IllegalTransition):
            order.transition(status, T0, traded=traded_for(order, status))
    with pytest.raises(IllegalTransition):
        order.fill(1, T0)


def test_new_order_is_submitting_with_nothing_traded() -> None:
    order = new_order()
    assert (order.status, order.traded, order.remaining) == (S.SUBMITTING, 0, VOLUME)
    assert order.is_active
    assert (order.source, order.reference) == (OrderSource.STRATEGY, "r1")


@pytest.mark.parametrize("volume", [0, -1])
def test_order_of_non_positive_volume_can_only_be_rejected(volume: int) -> None:
    order = new_order(volume)
    for status in (S.NOT_TRADED, S.PART_TRADED, S.ALL_TRADED, S.CANCELLED):
        with pytest.raises(IllegalTransition, match="can only be rejected"):
            order.transition(status, T0)
    rejected = order.transition(S.REJECTED, T0, reason="volume: must be at least 1")
    assert rejected.status is S.REJECTED
    assert rejected.traded == 0
    assert rejected.reject_reason == "volume: must be at least 1"


def test_traded_never_decreases() -> None:
    order = order_in(S.PART_TRADED).transition(S.PART_TRADED, T0, traded=6)
    with pytest.raises(IllegalTransition, match="outside"):
        order.transition(S.PART_TRADED, T0, traded=5)
    with pytest.raises(IllegalTransition, match="outside"):
        order.transition(S.CANCELLED, T0, traded=5)


def test_traded_never_exceeds_volume() -> None:
    with pytest.raises(IllegalTransition, match="outside"):
        new_order().transition(S.PART_TRADED, T0, traded=VOLUME + 1)


def test_part_traded_needs_some_but_not_all_lots() -> None:
    order = new_order()
    for traded in (0, VOLUME):
        with pytest.raises(IllegalTransition, match="part traded"):
            order.transition(S.PART_TRADED, T0, traded=traded)


def test_all_traded_needs_every_lot() -> None:
    with pytest.raises(IllegalTransition, match="all traded"):
        new_order().transition(S.ALL_TRADED, T0, traded=VOLUME - 1)


def test_not_traded_means_nothing_traded() -> None:
    with pytest.raises(IllegalTransition, match="not traded"):
        new_order().transition(S.NOT_TRADED, T0, traded=1)


def test_a_repeated_part_traded_report_with_the_same_figure_is_accepted() -> None:
    order = order_in(S.PART_TRADED)
    assert order.transition(S.PART_TRADED, T0, traded=order.traded).traded == order.traded


def test_cancel_keeps_what_was_traded() -> None:
    cancelled = order_in(S.PART_TRADED).transition(S.CANCELLED, T0)
    assert (cancelled.status, cancelled.traded, cancelled.remaining) == (S.CANCELLED, 3, 7)
    assert not cancelled.is_active


def test_reject_records_the_reason() -> None:
    rejected = new_order().transition(S.REJECTED, T0, reason="insufficient margin")
    assert rejected.reject_reason == "insufficient margin"
    assert rejected.status.is_terminal


def test_fill_accumulates_and_reaches_all_traded_exactly_at_volume() -> None:
    order = new_order()
    order = order.fill(4, T0)
    assert (order.status, order.traded, order.remaining) == (S.PART_TRADED, 4, 6)
    order = order.fill(5, T0)
    assert (order.status, order.traded) == (S.PART_TRADED, 9)
    order = order.fill(1, T0)
    assert (order.status, order.traded, order.remaining) == (S.ALL_TRADED, 10, 0)


def test_fill_beyond_volume_is_refused() -> None:
    order = new_order().fill(8, T0)
    with pytest.raises(IllegalTransition):
        order.fill(3, T0)


@pytest.mark.parametrize("volume", [0, -2])
def test_fill_of_non_positive_volume_is_refused(volume: int) -> None:
    with pytest.raises(IllegalTransition):
        new_order().fill(volume, T0)


def test_fill_from_not_traded_works() -> None:
    order = order_in(S.NOT_TRADED).fill(VOLUME, T0)
    assert order.status is S.ALL_TRADED


# ---------------------------------------------------------------- properties


def expected_after(
    status: OrderStatus, traded: int, volume: int, new: OrderStatus, new_traded: int | None
) -> tuple[OrderStatus, int] | None:
    """Reference model: the (status, traded) after an update, or None if it is refused."""
    if new not in ALLOWED[status]:
        return None
    target = traded if new_traded is None else new_traded
    if not traded <= target <= volume:
        return None
    if new is S.ALL_TRADED and target != volume:
        return None
    if new is S.PART_TRADED and not 0 < target < volume:
        return None
    if new in (S.NOT_TRADED, S.REJECTED) and target != 0:
        return None
    return new, target


updates = st.lists(
    st.tuples(st.sampled_from(list(OrderStatus)), st.none() | st.integers(-1, 12)),
    max_size=12,
)


@given(volume=st.integers(1, 10), steps=updates)
def test_any_sequence_of_updates_follows_the_table(
    volume: int, steps: list[tuple[OrderStatus, int | None]]
) -> None:
    order = new_order(volume)
    for new, new_traded in steps:
        expected = expected_after(order.status, order.traded, volume, new, new_traded)
        if expected is None:
            with pytest.raises(IllegalTransition):
                order.transition(new, T0, traded=new_traded)
            continue
        before = order
        order = order.transition(new, T0, traded=new_traded)
        assert (order.status, order.traded) == expected
        assert order.traded >= before.traded
        assert 0 <= order.traded <= order.volume == volume
        assert order.remaining == volume - order.traded
        if before.status.is_terminal:  # pragma: no cover - the table forbids it
            pytest.fail("a terminal order changed")


@given(volume=st.integers(1, 20), fills=st.lists(st.integers(1, 8), max_size=10))
def test_any_sequence_of_fills_completes_exactly_at_volume(volume: int, fills: list[int]) -> None:
    order = new_order(volume)
    total = 0
    for lots in fills:
        if total + lots > volume or total == volume:
            with pytest.raises(IllegalTransition):
                order.fill(lots, T0)
            continue
        total += lots
        order = order.fill(lots, T0)
        assert order.traded == total
        assert order.status is (S.ALL_TRADED if total == volume else S.PART_TRADED)
