"""The split deployment's wire: every CoreClient call and event survives the trip."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from arbig.api.actor import Actor
from arbig.api.errors import CoreUnreachable, OrderRefused
from arbig.api.events import EventType
from arbig.api.reports import TradeFilter
from arbig.domain.contract import ContractError
from arbig.domain.enums import Direction, Exchange, Offset, Side
from arbig.domain.order import OrderRequest
from arbig.domain.snapshot import OwnedLots, PositionSnapshot
from arbig.domain.tick import Tick
from arbig.host.wire import (
    COMMANDS,
    GAP,
    METHODS,
    CoreFailed,
    WireError,
    answer_fields,
    decode_answer,
    decode_event,
    decode_request,
    event_fields,
    request_fields,
)

SHANGHAI = timezone(timedelta(hours=8))


def tick() -> Tick:
    return Tick(
        symbol="au2702",
        exchange=Exchange.SHFE,
        datetime=datetime(2026, 12, 3, 21, 0, 0, 500_000, tzinfo=SHANGHAI),
        trading_day=datetime(2026, 12, 4).date(),
        last_price=Decimal("912.34"),
        volume=10,
        bid_price=Decimal("912.32"),
        ask_price=Decimal("912.36"),
        bid_volume=3,
        ask_volume=4,
        turnover=Decimal("9123400"),
        open_interest=1000,
        open_price=Decimal("910.00"),
        high_price=Decimal("913.00"),
        low_price=Decimal("909.00"),
        pre_settlement=Decimal("911.00"),
        pre_close=Decimal("911.50"),
        limit_up=Decimal("1002.00"),
        limit_down=Decimal("820.00"),
    )


def test_every_core_client_method_is_on_the_wire_and_commands_are_known_methods() -> None:
    assert METHODS.keys() >= {"send_order", "confirm_close", "health", "trades"}
    assert "events" not in METHODS
    assert METHODS.keys() >= COMMANDS


def test_a_tick_keeps_its_decimals_and_its_exchange_offset() -> None:
    decoded = decode_event(event_fields(EventType.TICK, tick()))
    assert decoded == (EventType.TICK, tick())
    assert decoded is not None and decoded[1].datetime.utcoffset() == timedelta(hours=8)


def test_the_cores_gap_marker_reads_as_no_event() -> None:
    assert decode_event({b"t": GAP}) is None


def test_an_event_of_an_unknown_type_is_a_wire_error() -> None:
    with pytest.raises(WireError):
        decode_event({b"t": b"weather", b"d": b"{}"})


def test_an_order_request_arrives_as_the_typed_values_sent() -> None:
    request = OrderRequest("au2702", Exchange.SHFE, Side.BUY, Offset.OPEN, Decimal("912.34"), 2)
    actor = Actor("operator", "10.0.0.7")
    fields = request_fields("r1", "send_order", {"request": request, "actor": actor}, 5, "x")
    decoded = decode_request(fields)
    assert decoded.method.name == "send_order" and decoded.method.is_command
    assert decoded.args == {"request": request, "actor": actor}
    assert decoded.expired  # a deadline of 5 ms after the epoch


def test_a_read_with_defaults_left_out_takes_the_methods_defaults() -> None:
    fields = request_fields(
        "r2", "trades", {"filters": TradeFilter(), "limit": 5, "offset": 0}, 0, "x"
    )
    decoded = decode_request(fields)
    assert decoded.args["filters"] == TradeFilter() and not decoded.method.is_command


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        (
            {b"id": b"r3", b"m": b"sell_everything", b"a": b"{}", b"dl": b"1", b"r": b"x"},
            "no method",
        ),
        (
            {b"id": b"r4", b"m": b"cancel_order", b"a": b'{"x": 1}', b"dl": b"1", b"r": b"x"},
            "do not fit",
        ),
        ({b"id": b"r5", b"m": b"positions", b"a": b"{}", b"r": b"x"}, "KeyError"),
        (
            {b"id": b"r6", b"m": b"send_order", b"a": b'{"request": 3}', b"dl": b"1", b"r": b"x"},
            "send_order(request)",
        ),
    ],
)
def test_a_request_the_core_cannot_read_says_what_is_wrong(
    fields: dict[bytes, bytes], says: str
) -> None:
    with pytest.raises(WireError, match=says.replace("(", r"\(").replace(")", r"\)")):
        decode_request(fields)


def test_a_refusal_is_raised_again_as_the_class_the_core_raised() -> None:
    method = METHODS["send_order"]
    with pytest.raises(OrderRefused, match="limit_band"):
        decode_answer(answer_fields("r", error=OrderRefused("limit_band: outside")), method)
    with pytest.raises(ContractError, match="no such"):
        decode_answer(answer_fields("r", error=ContractError("no such month")), method)
    with pytest.raises(CoreUnreachable):
        decode_answer(answer_fields("r", error=CoreUnreachable("down")), method)


def test_a_failure_that_is_no_refusal_is_core_failed() -> None:
    with pytest.raises(CoreFailed, match="boom"):
        decode_answer(answer_fields("r", error=KeyError("boom")), METHODS["positions"])


def test_a_result_comes_back_typed() -> None:
    when = datetime(2026, 12, 3, tzinfo=UTC)
    assert decode_answer(answer_fields("r", result="S1"), METHODS["send_order"]) == "S1"
    assert decode_answer(answer_fields("r", result=None), METHODS["cancel_order"]) is None
    assert decode_answer(answer_fields("r", result=tick()), METHODS["latest_tick"]) == tick()
    assert decode_answer(answer_fields("r", result=("a", "b")), METHODS["watchlist"]) == ("a", "b")
    assert when.tzinfo is UTC


def test_positions_keep_who_owns_their_lots() -> None:
    opened = datetime(2026, 12, 3, 21, 0, tzinfo=SHANGHAI)
    leg = PositionSnapshot(
        account_id="sim-001",
        symbol="au2702",
        direction=Direction.LONG,
        volume=3,
        volume_today=2,
        volume_yesterday=1,
        avg_price=Decimal("920.4200"),
        current_price=Decimal("921.00"),
        unrealized_pnl=Decimal("1740.00"),
        margin=Decimal("27612.60"),
        open_time=opened,
        update_time=opened,
        owned=(OwnedLots("ma_crossover", 1), OwnedLots("donchian", 1)),
        free_volume=1,
    )

    decoded = decode_event(event_fields(EventType.POSITIONS, [leg]))

    assert decoded == (EventType.POSITIONS, [leg])
