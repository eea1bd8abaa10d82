"""What an order may close: the exchange's plain-close rule and the lots working orders hold."""

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arbig.domain.enums import Direction, Exchange, Offset, OrderStatus, Side
from arbig.domain.order import Order, OrderRequest
from arbig.domain.position import (
    Lot,
    PositionLeg,
    close_limit,
    free_to_close,
    plain_close_takes_today,
)

AU = "au2612"
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
CLOSES = (Offset.CLOSE, Offset.CLOSE_TODAY, Offset.CLOSE_YESTERDAY)


def leg(yesterday: int, today: int) -> PositionLeg:
    held = PositionLeg(AU, Direction.LONG)
    held.restore(
        [Lot(Decimal("920.00"), today)] if today else [],
        [Lot(Decimal("910.00"), yesterday)] if yesterday else [],
    )
    return held


def working_sell(offset: Offset, volume: int, *, traded: int = 0) -> Order:
    status = OrderStatus.PART_TRADED if traded else OrderStatus.NOT_TRADED
    return Order(
        order_id=f"O-{offset}-{volume}-{traded}",
        symbol=AU,
        exchange=Exchange.SHFE,
        side=Side.SELL,
        offset=offset,
        price=Decimal("930.00"),
        volume=volume,
        traded=traded,
        status=status,
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.mark.parametrize("exchange", [Exchange.SHFE, Exchange.INE])
def test_on_shfe_and_ine_a_plain_close_may_take_yesterdays_lots_only(exchange: Exchange) -> None:
    assert not plain_close_takes_today(exchange)
    assert close_limit(Offset.CLOSE, exchange, yesterday=1, today=2) == 1
    assert close_limit(Offset.CLOSE_TODAY, exchange, yesterday=1, today=2) == 2
    assert close_limit(Offset.CLOSE_YESTERDAY, exchange, yesterday=1, today=2) == 1


@pytest.mark.parametrize("exchange", [Exchange.DCE, Exchange.CZCE, Exchange.CFFEX, Exchange.GFEX])
def test_elsewhere_a_plain_close_may_take_both_parts(exchange: Exchange) -> None:
    assert plain_close_takes_today(exchange)
    assert close_limit(Offset.CLOSE, exchange, yesterday=1, today=2) == 3


def test_an_open_closes_nothing() -> None:
    assert close_limit(Offset.OPEN, Exchange.SHFE, yesterday=5, today=5) == 0


def test_working_closes_hold_the_lots_they_name_and_a_plain_close_yesterdays_first() -> None:
    held = leg(yesterday=3, today=4)
    working = [
        working_sell(Offset.CLOSE_TODAY, 3, traded=1),  # 2 of today's still promised
        working_sell(Offset.CLOSE, 2),  # yesterday's first
    ]
    assert free_to_close(held, working) == (1, 2)


def test_orders_that_are_done_or_on_another_leg_hold_nothing() -> None:
    held = leg(yesterday=2, today=2)
    request = OrderRequest(AU, Exchange.SHFE, Side.SELL, Offset.CLOSE_TODAY, Decimal("930"), 2)
    rejected = Order.from_request("O-1", request, NOW).transition(
        OrderStatus.REJECTED, NOW, reason="refused"
    )
    on_the_short_leg = replace(working_sell(Offset.CLOSE_YESTERDAY, 2), side=Side.BUY)
    on_another_symbol = replace(working_sell(Offset.CLOSE, 2), symbol="au2608")
    assert free_to_close(held, [rejected, on_the_short_leg, on_another_symbol]) == (2, 2)


@given(
    yesterday=st.integers(0, 20),
    today=st.integers(0, 20),
    orders=st.lists(st.tuples(st.sampled_from(CLOSES), st.integers(1, 10)), max_size=6),
)
def test_free_lots_stay_within_what_is_held_and_shrink_as_orders_are_added(
    yesterday: int, today: int, orders: list[tuple[Offset, int]]
) -> None:
    held = leg(yesterday, today)
    free = free_to_close(held, [])
    assert free == (yesterday, today)
    working: list[Order] = []
    for offset, volume in orders:
        working.append(working_sell(offset, volume))
        after = free_to_close(held, working)
        assert 0 <= after[0] <= free[0] and 0 <= after[1] <= free[1]
        free = after
