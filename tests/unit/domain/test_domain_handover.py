"""Handing a strategy lots: only lots no strategy owns and no manual close has promised."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from arbig.domain.enums import Direction, Exchange, Offset, OrderSource, Side
from arbig.domain.handover import HandoverError, free_to_hand, split_handover
from arbig.domain.order import Order, OrderRequest
from arbig.domain.position import PositionLeg

SYMBOL = "au2612"
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def leg(yesterday: int = 0, today: int = 0) -> PositionLeg:
    held = PositionLeg(SYMBOL, Direction.LONG)
    if yesterday:
        held.open(Decimal("920.00"), yesterday)
        held.roll_day()
    if today:
        held.open(Decimal("921.00"), today)
    return held


def close(volume: int, offset: Offset, source: OrderSource = OrderSource.OPERATOR) -> Order:
    request = OrderRequest(
        SYMBOL, Exchange.SHFE, Side.SELL, offset, Decimal("919.00"), volume, source=source
    )
    return Order.from_request(f"O{volume}{offset}{source}", request, NOW)


def test_every_lot_of_an_unowned_leg_is_free_yesterday_first() -> None:
    assert free_to_hand(leg(2, 3), [], []) == (2, 3)
    assert split_handover(leg(2, 3), [], [], 3) == (2, 1)
    assert split_handover(leg(2, 3), [], [], 1) == (1, 0)


def test_lots_another_strategy_owns_are_not_free() -> None:
    assert free_to_hand(leg(2, 3), [leg(1, 2)], []) == (1, 1)
    with pytest.raises(HandoverError, match="cannot hand 3 lots: the account holds 5, of which 2"):
        split_handover(leg(2, 3), [leg(1, 2)], [], 3)


def test_lots_a_manual_close_has_promised_are_not_free_but_a_strategy_close_is_its_own() -> None:
    working = [close(1, Offset.CLOSE_TODAY), close(1, Offset.CLOSE_YESTERDAY, OrderSource.STRATEGY)]
    assert free_to_hand(leg(2, 3), [leg(1, 0)], working) == (1, 2)


def test_nothing_is_free_when_the_account_holds_nothing() -> None:
    assert free_to_hand(None, [], []) == (0, 0)
    with pytest.raises(HandoverError, match="holds 0"):
        split_handover(None, [], [], 1)


def test_a_volume_that_is_not_positive_is_refused() -> None:
    with pytest.raises(HandoverError, match="positive"):
        split_handover(leg(0, 3), [], [], 0)
