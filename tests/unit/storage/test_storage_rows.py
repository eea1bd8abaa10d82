"""Book values to table rows and back through the codec: every field lands in its
column (renamed where the table says so), enums by value, and a row read back is the
value that was written."""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from types import SimpleNamespace
from typing import Any

import pytest
from storage_samples import make_account, make_order, make_position, make_trade

from arbig.codec import CodecError, Shape, convert
from arbig.domain.enums import Side
from arbig.storage import rows
from arbig.storage.batch import ACCOUNTS, EQUITY, ORDERS, POSITIONS, TRADES


def columns(table: Any) -> set[str]:
    return {column.name for column in table.columns} - {"id"}


def as_row(row: dict[str, Any]) -> SimpleNamespace:
    return SimpleNamespace(**row)


def test_an_order_row_has_every_column_and_reads_back_as_the_order() -> None:
    order = make_order()
    row = rows.order_row("acc-1", order)
    assert set(row) == columns(ORDERS)
    assert row["direction"] == "buy" and type(row["direction"]) is str
    assert row["create_time"] == order.created_at
    assert rows.to_order(as_row(row)) == order  # type: ignore[arg-type]


def test_a_trade_row_adds_the_tables_own_columns_and_reads_back_as_the_trade() -> None:
    trade = make_trade()
    row = rows.trade_row("acc-1", trade, Decimal("12.5"), 1000)
    assert set(row) == columns(TRADES)
    assert row["trade_time"] == trade.datetime
    assert row["turnover"] == trade.price * trade.volume * 1000
    assert rows.to_trade(as_row(row)) == trade  # type: ignore[arg-type]


def test_position_and_account_rows_read_back_as_they_were() -> None:
    position, account = make_position(), make_account()
    assert set(rows.position_row(position)) == columns(POSITIONS)
    assert rows.to_position(as_row(rows.position_row(position))) == position  # type: ignore[arg-type]
    row = rows.account_row(account, None)
    assert set(row) == columns(ACCOUNTS)
    assert rows.to_account(as_row(row)) == account  # type: ignore[arg-type]


def test_the_equity_curve_keeps_no_frozen_margin_and_reads_back_with_none() -> None:
    account = make_account()
    row = rows.equity_row(account)
    assert set(row) == columns(EQUITY)
    back = rows.equity_to_account(as_row(row))  # type: ignore[arg-type]
    assert back.frozen_margin == 0
    assert (back.balance, back.update_time) == (account.balance, account.update_time)


def test_a_value_that_does_not_fit_its_field_is_named() -> None:
    row = rows.order_row("acc-1", make_order())
    row["direction"] = "sideways"
    with pytest.raises(CodecError, match="side"):
        rows.to_order(as_row(row))  # type: ignore[arg-type]
    row["direction"], row["price"] = "buy", "n/a"
    with pytest.raises(CodecError, match="price"):
        rows.to_order(as_row(row))  # type: ignore[arg-type]


def test_decimals_keep_their_digits_and_times_their_zone() -> None:
    moment = datetime(2026, 11, 20, 1, 2, 3, 456789, tzinfo=UTC)
    data = {"price": "920.020", "at": "2026-11-20T01:02:03.456789+00:00"}

    @dataclass
    class Sample:
        price: Decimal
        at: datetime

    sample = convert(data, Sample)
    assert str(sample.price) == "920.020"
    assert sample.at == moment and sample.at.utcoffset() is not None


def test_a_shape_refuses_an_enum_it_could_not_store_by_value() -> None:
    class Colour(Enum):
        RED = 1

    @dataclass
    class Painted:
        colour: Colour
        side: Side

    with pytest.raises(TypeError, match="StrEnum"):
        Shape(Painted)
