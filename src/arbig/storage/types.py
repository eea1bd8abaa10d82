"""Column types that keep money exact and timestamps in UTC on every backend.

Migrations import these types, so their storage format must never change; a new
format means a new type and a migration.
"""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Numeric, String
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

MONEY_PLACES = Decimal("0.0001")


class InvalidValue(ValueError):
    """A value ARBIG refuses to store (a naive datetime, money that is not a number)."""


_MYSQL = ("mysql", "mariadb")


class Money(TypeDecorator[Decimal]):
    """An exact amount with four decimal places: NUMERIC(20, 4).

    SQLite has no exact decimal type (a NUMERIC column stores floats), so there
    the value is kept as decimal text; arithmetic in SQL still works on it.
    """

    impl = Numeric(20, 4)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(Numeric(20, 4, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        return money_text(value) if dialect.name == "sqlite" else money_exact(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).quantize(MONEY_PLACES)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant, stored as UTC.

    PostgreSQL keeps the zone (timestamptz); MySQL/MariaDB and SQLite drop it, so
    the value is written as naive UTC and UTC is attached again on read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in _MYSQL:
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        if dialect.name == "postgresql":
            return dialect.type_descriptor(DateTime(timezone=True))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = instant_utc(value)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current instant in UTC (column defaults)."""
    return datetime.now(UTC)


# The bind conversions, also used directly by the writer's prepared statements
# (batch.py), which hand the driver finished values.


def money_exact(value: Decimal | int | None) -> Decimal | None:
    """Money for a NUMERIC(20, 4) column."""
    if value is None:
        return None
    try:
        return (value if isinstance(value, Decimal) else Decimal(value)).quantize(MONEY_PLACES)
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise InvalidValue(f"money {value!r}: {exc}") from None


def money_text(value: Decimal | int | None) -> str | None:
    """Money as SQLite keeps it: decimal text with four places."""
    if type(value) is Decimal:  # the common case, without a second call
        return str(value.quantize(MONEY_PLACES))
    exact = money_exact(value)
    return None if exact is None else str(exact)


def instant_utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive datetime is refused (its zone would be a guess)."""
    if value.tzinfo is UTC:
        return value
    if value.tzinfo is None:
        raise InvalidValue(f"naive datetime {value!r}: ARBIG stores timezone-aware instants")
    return value.astimezone(UTC)


def instant_naive_utc(value: datetime | None) -> datetime | None:
    """An instant for MySQL/MariaDB DATETIME: UTC without the zone."""
    return None if value is None else instant_utc(value).replace(tzinfo=None)


def instant_sqlite(value: datetime | None) -> str | None:
    """An instant as SQLAlchemy's SQLite DATETIME text (UTC, microseconds always)."""
    if value is None:
        return None
    utc = value if value.tzinfo is UTC else instant_utc(value)
    return utc.replace(tzinfo=None).isoformat(" ", "microseconds")
