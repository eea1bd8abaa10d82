"""Executemany without SQLAlchemy's per-row work, for the writer's hot statements.

SQLAlchemy processes each parameter of each row of an executemany in Python; for a
burst of fills that costs more than the database itself. Here a statement is
compiled once per dialect, each column gets one conversion function, and the
finished tuples go to the driver's executemany.

The conversion is the column type's own bind processor (SQLAlchemy's public
``TypeEngine.bind_processor``), except on the SQLAlchemy version it was checked
against (``arbig.fastpath.SQLALCHEMY_BIND``): there the plain functions of
``types.py`` are called directly, which also writes SQLite's DATE and DATETIME
text itself, in the format of that version's SQLite dialect. A test compares the
two for every column the writer fills, on each backend's dialect.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Date, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from arbig.fastpath import SQLALCHEMY_BIND
from arbig.storage.rows import Row
from arbig.storage.types import (
    Money,
    UTCDateTime,
    instant_naive_utc,
    instant_sqlite,
    instant_utc,
    money_exact,
    money_text,
)

Convert = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _day_text(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _aware(value: Any) -> Any:
    return None if value is None else instant_utc(value)


def converter(column_type: Any, dialect: Dialect, *, fast: bool | None = None) -> Convert:
    """The driver value of a Python value for a column of ``column_type``."""
    if fast is None:
        fast = SQLALCHEMY_BIND.holds()
    if fast:
        return _direct(column_type, dialect.name)
    process: Convert | None = column_type.dialect_impl(dialect).bind_processor(dialect)
    return process or _same


def _direct(column_type: Any, dialect: str) -> Convert:
    mysql = dialect in ("mysql", "mariadb")
    if isinstance(column_type, Money):
        return money_text if dialect == "sqlite" else money_exact
    if isinstance(column_type, UTCDateTime):
        if dialect == "sqlite":
            return instant_sqlite
        return instant_naive_utc if mysql else _aware
    if isinstance(column_type, Date) and dialect == "sqlite":
        return _day_text
    return _same


@dataclass(frozen=True, slots=True)
class Prepared:
    """Driver SQL with its parameter order and a conversion per parameter."""

    sql: str
    keys: tuple[str, ...]
    converts: tuple[Convert, ...]

    def params(self, rows: Sequence[Row]) -> list[tuple[Any, ...]]:
        """Driver parameters for ``rows``, converted column by column (fewer calls)."""
        columns = [
            [row[key] for row in rows] if convert is _same else [convert(row[key]) for row in rows]
            for key, convert in zip(self.keys, self.converts, strict=True)
        ]
        return list(zip(*columns, strict=True))


_CACHE: dict[tuple[str, str], Prepared] = {}


def prepare(
    name: str,
    table: Table,
    build: Callable[[], ClauseElement],
    dialect: Dialect,
    columns: Sequence[str],
) -> Prepared:
    """The statement ``build()`` makes, compiled once per dialect and cached under
    ``name`` (so that it is built only once), for rows with ``columns``."""
    key = (name, dialect.name)
    prepared = _CACHE.get(key)
    if prepared is None:
        compiled = cast(SQLCompiler, build().compile(dialect=dialect, column_keys=list(columns)))
        keys = tuple(compiled.positiontup or ())
        if not keys or set(keys) - set(columns):
            raise TypeError(f"{name}: parameters {keys} do not match the row {columns}")
        converts = tuple(converter(table.c[k].type, dialect) for k in keys)
        prepared = Prepared(compiled.string, keys, converts)
        _CACHE[key] = prepared
    return prepared
