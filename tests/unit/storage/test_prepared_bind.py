"""The writer's direct conversions give the driver exactly what SQLAlchemy's own bind
processors give, for every column of every table the writer fills, on each backend's
dialect: the fast path (``arbig.fastpath.SQLALCHEMY_BIND``) stays a pure shortcut."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Column, Table
from sqlalchemy.dialects.mysql import asyncmy
from sqlalchemy.dialects.postgresql import asyncpg
from sqlalchemy.dialects.sqlite import aiosqlite
from sqlalchemy.engine import Dialect

from arbig.storage.batch import ACCOUNTS, BARS, EQUITY, ORDERS, POSITIONS, TRADES
from arbig.storage.prepared import converter

DIALECTS = [aiosqlite.dialect(), asyncmy.dialect(), asyncpg.dialect()]
TABLES = [ORDERS, TRADES, POSITIONS, ACCOUNTS, EQUITY, BARS]
SHANGHAI = timezone(timedelta(hours=8))
SAMPLES: dict[Any, list[Any]] = {
    Decimal: [Decimal("512.34"), Decimal("0.00005"), Decimal("-1.5"), 3, None],
    datetime: [
        datetime(2026, 11, 20, 1, 2, 3, 456789, tzinfo=UTC),
        datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI),
        None,
    ],
    date: [date(2026, 11, 20), None],
    str: ["au2612", ""],
    int: [0, 7],
}


def samples(column: Column[Any]) -> list[Any]:
    return SAMPLES.get(column.type.python_type, [None])


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.driver)
@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_the_direct_conversion_equals_sqlalchemys_bind_processor(
    dialect: Dialect, table: Table
) -> None:
    for column in table.columns:
        direct = converter(column.type, dialect, fast=True)
        public = converter(column.type, dialect, fast=False)
        for value in samples(column):
            fast_value, public_value = direct(value), public(value)
            assert (fast_value, type(fast_value)) == (public_value, type(public_value)), (
                f"{table.name}.{column.name} on {dialect.name}: {value!r}"
            )
