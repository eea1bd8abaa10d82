"""Ticks as stream entries: DESIGN.md's fields, strings only, exact both ways."""

from decimal import Decimal

import hiredis
import pytest
from tickkit import at, make_tick

from arbig.domain.calendar import EXCHANGE_TZ
from arbig.ticks.codec import (
    TickDecodeError,
    decode_tick,
    encode_tick,
    epoch_ms,
    stream_key,
    xadd_command,
    xadd_head,
)

DESIGN_FIELDS = {
    "timestamp", "last_price", "volume", "bid_price", "ask_price", "bid_volume",
    "ask_volume", "high_price", "low_price", "open_price",
}  # fmt: skip


def test_stream_key_follows_the_design_contract() -> None:
    assert stream_key("au2612") == "market_data:au2612"


def test_entry_carries_every_design_field_as_a_string() -> None:
    fields = encode_tick(make_tick(at("2026-11-20 21:00:00.500"), "921.34", 7))
    assert fields.keys() >= DESIGN_FIELDS
    assert all(isinstance(value, str) for value in fields.values())
    assert fields["last_price"] == "921.34"


def test_timestamp_is_exact_epoch_milliseconds() -> None:
    moment = at("2026-11-20 21:00:00.999")
    assert encode_tick(make_tick(moment))["timestamp"] == "1795179600999"
    assert epoch_ms(moment) == 1795179600999


def test_round_trip_gives_back_the_same_tick_in_exchange_time() -> None:
    tick = make_tick(at("2026-11-23 01:15:30.500"), "919.98", 12_345, trading_day=None)
    raw = {k.encode(): v.encode() for k, v in encode_tick(tick).items()}
    back = decode_tick(tick.symbol, raw)
    assert back == tick
    assert back.datetime.tzinfo == EXCHANGE_TZ


def test_entries_of_other_tools_with_only_the_design_fields_are_read() -> None:
    fields = {k: v for k, v in encode_tick(make_tick(at("2026-11-20 10:00:00"))).items()}
    minimal = {k: v for k, v in fields.items() if k in DESIGN_FIELDS}
    tick = decode_tick("au2612", minimal)
    assert tick.last_price == Decimal("920.00")
    assert tick.open_interest == 0


def test_a_broken_field_is_named_in_the_error() -> None:
    fields = encode_tick(make_tick(at("2026-11-20 10:00:00")))
    fields["last_price"] = "n/a"
    with pytest.raises(TickDecodeError, match="last_price"):
        decode_tick("au2612", fields)
    fields["last_price"] = "920.00"
    del fields["volume"]
    with pytest.raises(TickDecodeError, match="volume"):
        decode_tick("au2612", fields)


def test_the_resp_command_is_an_xadd_of_exactly_the_encoded_fields_in_order() -> None:
    tick = make_tick(at("2026-11-23 01:15:30.500"), "919.98", 12_345)
    head = xadd_head("market_data:au2612", 1000)
    text = xadd_command(head, "1795367730500-2", tick, epoch_ms(tick.datetime))
    parser = hiredis.Reader(encoding="utf-8")
    parser.feed(text.encode())
    args = parser.gets()
    assert parser.gets() is False, "one command, nothing left over"
    assert args[:6] == ["XADD", "market_data:au2612", "MAXLEN", "~", "1000", "1795367730500-2"]
    pairs = list(zip(args[6::2], args[7::2], strict=True))
    assert pairs == list(encode_tick(tick).items())


def test_resp_lengths_count_bytes_for_a_key_beyond_ascii() -> None:
    tick = make_tick(at("2026-11-20 10:00:00"), "0.00001", 0)  # a Decimal printed as 0.00001
    parser = hiredis.Reader(encoding="utf-8")
    parser.feed(xadd_command(xadd_head("行情:au2612", 7), "1-0", tick, 1).encode())
    args = parser.gets()
    assert args[1] == "行情:au2612" and args[4] == "7"
    assert dict(zip(args[6::2], args[7::2], strict=True))["last_price"] == "0.00001"
