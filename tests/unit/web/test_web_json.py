"""The API's JSON (orjson on the domain values) is the wire format spelled out by hand
here: Decimals as their own text, dates and times in ISO 8601 with their offset, enums
by value, dataclasses by field, a tick with its epoch-ms ``timestamp``."""

import sys
from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parents[1] / "storage"))

from storage_samples import make_account, make_order, make_position, make_trade

sys.path.insert(0, str(Path(__file__).parents[1] / "ticks"))
from tickkit import make_tick as _tick_at

from arbig.api.health import Component, ComponentState, Health
from arbig.api.reports import TradeRecord
from arbig.codec import json_bytes
from arbig.domain.enums import Direction
from arbig.domain.statistics import ClosedFill, statistics
from arbig.domain.tick import Tick
from arbig.web.hub import envelope
from arbig.web.responses import DomainJSON

CST = timezone(timedelta(hours=8))


def make_tick(second: int = 0) -> Any:
    return _tick_at(datetime(2026, 11, 23, 1, 30, second, 250_000, tzinfo=UTC), "920.02", 7)


def spelled_out(value: Any) -> Any:
    """The wire format, walked by hand (the oracle the fast path is checked against)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        data = {f.name: spelled_out(getattr(value, f.name)) for f in fields(value)}
        if isinstance(value, Tick):
            data["timestamp"] = value.timestamp_ms
        return data
    if isinstance(value, dict):
        return {
            spelled_out(k) if not isinstance(k, str) else k: spelled_out(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [spelled_out(v) for v in value]
    return value


def _same(value: Any) -> None:
    assert orjson.loads(json_bytes(value)) == orjson.loads(orjson.dumps(spelled_out(value)))


@pytest.mark.parametrize(
    "value",
    [
        make_order(),
        [TradeRecord(make_trade(f"t{i}", seconds=i), Decimal("-12.50")) for i in range(3)],
        make_position(3, Direction.SHORT),
        make_account(),
        statistics(
            [ClosedFill(date(2026, 11, 20), Decimal("1480.00"), Decimal("5.5"))],
            {date(2026, 11, 20): Decimal("25.5")},
            [Decimal("1000000"), Decimal("1001450.0000"), Decimal("999000")],
        ),
        Health(
            status=ComponentState.DEGRADED,
            main_contract="au2612",
            version="1.0",
            uptime_s=12.5,
            components={"database": Component(ComponentState.UP, "sqlite")},
        ),
        {"when": datetime(2026, 11, 22, 9, 0, 0, 500, tzinfo=CST), "day": date(2026, 11, 23)},
        {date(2026, 11, 20): [Decimal("0E-8"), Decimal("1E+3"), None, True, 7]},
        make_tick(),
        [make_tick(), make_tick(1)],
    ],
    ids=[
        "order",
        "trades",
        "position",
        "account",
        "statistics",
        "health",
        "times",
        "keys",
        "tick",
        "ticks",
    ],
)
def test_the_json_is_the_wire_format(value: Any) -> None:
    _same(value)


@given(
    st.decimals(allow_nan=False, allow_infinity=False),
    st.datetimes(timezones=st.just(UTC)),
)
def test_decimals_and_instants_are_spelled_the_same(amount: Decimal, moment: datetime) -> None:
    _same({"amount": amount, "moment": moment})


def test_an_unknown_type_is_an_error_not_a_guess() -> None:
    with pytest.raises(TypeError, match="complex"):
        json_bytes({"x": complex(1, 2)})


def test_the_response_carries_the_status_and_the_json() -> None:
    response = DomainJSON({"price": Decimal("920.02")}, status_code=503)
    assert response.status_code == 503
    assert response.body == b'{"price":"920.02"}'
    assert response.headers["content-type"] == "application/json"


def test_a_tick_message_on_the_websocket_carries_the_tick_in_the_wire_format() -> None:
    tick = make_tick()
    message = orjson.loads(envelope("tick:au2612", 7, tick, snapshot=True))
    assert message == {
        "type": "tick",
        "topic": "tick:au2612",
        "seq": 7,
        "data": spelled_out(tick),
        "snapshot": True,
    }
    assert message["data"]["timestamp"] == tick.timestamp_ms
