"""Enums: stable machine strings and the side/offset -> position leg rule."""

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

import pytest

from arbig.domain.enums import (
    ActionType,
    Direction,
    Exchange,
    Offset,
    OrderSource,
    OrderStatus,
    OrderType,
    Side,
    TradingState,
    TriggerResult,
    position_direction,
)
from arbig.domain.order import OrderRequest
from arbig.domain.trade import Trade

# Every side/offset combination and the leg it touches, written out by hand.
LEG_TABLE: list[tuple[Side, Offset, Direction]] = [
    (Side.BUY, Offset.OPEN, Direction.LONG),
    (Side.BUY, Offset.CLOSE, Direction.SHORT),
    (Side.BUY, Offset.CLOSE_TODAY, Direction.SHORT),
    (Side.BUY, Offset.CLOSE_YESTERDAY, Direction.SHORT),
    (Side.SELL, Offset.OPEN, Direction.SHORT),
    (Side.SELL, Offset.CLOSE, Direction.LONG),
    (Side.SELL, Offset.CLOSE_TODAY, Direction.LONG),
    (Side.SELL, Offset.CLOSE_YESTERDAY, Direction.LONG),
]


def test_leg_table_covers_every_side_and_offset() -> None:
    assert {(side, offset) for side, offset, _ in LEG_TABLE} == {
        (side, offset) for side in Side for offset in Offset
    }


@pytest.mark.parametrize(("side", "offset", "direction"), LEG_TABLE)
def test_position_direction_opening_buys_and_closing_sells_touch_the_long_leg(
    side: Side, offset: Offset, direction: Direction
) -> None:
    assert position_direction(side, offset) is direction


@pytest.mark.parametrize(("side", "offset", "direction"), LEG_TABLE)
def test_trades_and_order_requests_report_the_leg_they_touch(
    side: Side, offset: Offset, direction: Direction
) -> None:
    trade = Trade(
        trade_id="t1",
        order_id="o1",
        symbol="au2612",
        exchange=Exchange.SHFE,
        side=side,
        offset=offset,
        price=Decimal("500.00"),
        volume=1,
        datetime=datetime(2026, 3, 4, 2, 0, tzinfo=UTC),
        trading_day=date(2026, 3, 4),
        commission=Decimal("10.00"),
    )
    request = OrderRequest("au2612", Exchange.SHFE, side, offset, Decimal("500.00"), 1)
    assert trade.direction is direction
    assert request.direction is direction


def test_only_open_is_not_a_close() -> None:
    assert [offset for offset in Offset if not offset.is_close] == [Offset.OPEN]


def test_opposites_flip_and_flip_back() -> None:
    assert Side.BUY.opposite is Side.SELL
    assert Side.SELL.opposite is Side.BUY
    assert Direction.LONG.opposite is Direction.SHORT
    assert Direction.SHORT.opposite is Direction.LONG


def test_terminal_order_statuses_are_all_traded_cancelled_and_rejected() -> None:
    terminal = {status for status in OrderStatus if status.is_terminal}
    assert terminal == {OrderStatus.ALL_TRADED, OrderStatus.CANCELLED, OrderStatus.REJECTED}
    assert all(status.is_active is not status.is_terminal for status in OrderStatus)


@pytest.mark.parametrize(
    "enum",
    [
        Side,
        Direction,
        Offset,
        OrderType,
        OrderStatus,
        OrderSource,
        ActionType,
        TriggerResult,
        TradingState,
    ],
)
def test_enum_values_are_lower_case_machine_strings(enum: type[StrEnum]) -> None:
    for member in enum:
        assert member.value == member.name.lower()
        assert str(member) == member.value


def test_design_md_strings_are_the_stored_values() -> None:
    assert [s.value for s in Side] == ["buy", "sell"]
    assert [d.value for d in Direction] == ["long", "short"]
    assert [a.value for a in ActionType] == ["buy", "sell", "close", "hold"]
    assert [r.value for r in TriggerResult] == ["success", "failed", "pending"]
    assert Exchange.SHFE == "SHFE"
