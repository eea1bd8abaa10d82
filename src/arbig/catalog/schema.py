"""Ticks and bars as Arrow tables: the columns are the dataclasses' own fields.

Prices and money are ``decimal128`` (exact, as the domain's Decimals); times are
``timestamp[us, Asia/Shanghai]``; trading days ``date32``; enums their value. Reading
back builds the dataclasses column by column: a decimal column is dictionary-encoded
first, so each distinct price becomes a ``Decimal`` once rather than once per row.
"""

import json
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from enum import Enum
from typing import Any, TypeVar, get_type_hints

import pyarrow as pa
import pyarrow.compute as pc

from arbig.catalog.layout import Kind
from arbig.codec import field_names
from arbig.domain.bar import Bar
from arbig.domain.calendar import EXCHANGE_TZ
from arbig.domain.tick import Tick

T = TypeVar("T")

PRICE = pa.decimal128(18, 4)
MONEY = pa.decimal128(28, 4)  # a day's turnover: volume x price x multiplier
TIME = pa.timestamp("us", tz=str(EXCHANGE_TZ))
_SCALE = Decimal("0.0001")
_CENTS = Decimal("0.01")
# Decimal columns whose values may exceed a price's range.
_MONEY_FIELDS = frozenset({"turnover"})
# Timestamps are read back as an offset from this instant: building datetimes by
# addition is several times faster than pyarrow's per-value conversion.
_BASE = datetime(2000, 1, 1, tzinfo=EXCHANGE_TZ)
_BASE_US = int(_BASE.timestamp()) * 1_000_000


def _arrow_type(name: str, hint: Any) -> pa.DataType:
    if hint is Decimal:
        return MONEY if name in _MONEY_FIELDS else PRICE
    if hint is datetime:
        return TIME
    if hint is date:
        return pa.date32()
    if hint is int:
        return pa.int64()
    if hint is str or (isinstance(hint, type) and issubclass(hint, Enum)):
        return pa.string()
    raise TypeError(f"no Arrow column type for {name}: {hint!r}")


class ArrowShape:
    """A dataclass as an Arrow schema: one column per field, in the field order."""

    def __init__(self, cls: type[Any]) -> None:
        hints = get_type_hints(cls)
        self.cls = cls
        self.fields = field_names(cls)
        self.schema = pa.schema(
            [pa.field(name, _arrow_type(name, hints[name]), nullable=False) for name in self.fields]
        )
        self._enums = {
            name: hints[name]
            for name in self.fields
            if isinstance(hints[name], type) and issubclass(hints[name], Enum)
        }
        # Building values slot by slot is only sound for a plain slotted dataclass: one
        # whose fields are all its slots and that checks nothing after __init__.
        slots = getattr(cls, "__slots__", ())
        plain = tuple(slots) == self.fields and not hasattr(cls, "__post_init__")
        self._setters = [getattr(cls, name).__set__ for name in self.fields] if plain else None

    def table(self, values: Sequence[Any]) -> pa.Table:
        """``values`` (instances of the class) as a table."""
        columns = []
        for field in self.schema:
            column = [getattr(value, field.name) for value in values]
            if field.name in self._enums:
                column = [item.value for item in column]
            columns.append(_array(column, field.type))
        return pa.Table.from_arrays(columns, schema=self.schema)

    def rows(self, table: pa.Table) -> Iterator[Any]:
        """The table's rows as instances of the class, in order."""
        if table.num_rows == 0:
            return iter(())
        table = table.select(list(self.fields)).combine_chunks()
        columns = [self._column(name, table.column(name)) for name in self.fields]
        if self._setters is None:
            cls = self.cls
            return (cls(*row) for row in zip(*columns, strict=True))
        # Column by column through the slots' own descriptors, each call made from C by
        # map(): a frozen dataclass's __init__ sets every field through
        # object.__setattr__, which costs more than the rest of the read.
        new, cls = object.__new__, self.cls
        values = [new(cls) for _ in range(table.num_rows)]
        for setter, column in zip(self._setters, columns, strict=True):
            deque(map(setter, values, column), maxlen=0)
        return iter(values)

    def _column(self, name: str, column: pa.ChunkedArray) -> list[Any]:
        kind = column.type
        if pa.types.is_decimal(kind):
            if name in _MONEY_FIELDS:  # a running total: nearly every value differs
                return [Decimal(_cents(text)) for text in column.cast(pa.string()).to_pylist()]
            return _decoded(column, _trimmed)
        if pa.types.is_date(kind):
            return _decoded(column, lambda day: day)
        if pa.types.is_timestamp(kind):
            micros = column.cast(pa.timestamp("us", tz=kind.tz)).cast(pa.int64()).to_pylist()
            base, base_us = _BASE, _BASE_US
            return [base + timedelta(microseconds=us - base_us) for us in micros]
        enum = self._enums.get(name)
        if enum is not None or pa.types.is_string(kind):
            return _decoded(column, enum or str)
        return list(column.to_pylist())


def _array(column: list[Any], kind: pa.DataType) -> pa.Array:
    try:
        return pa.array(column, type=kind)
    except pa.ArrowInvalid:
        if not pa.types.is_decimal(kind):
            raise
        # A value finer than the column's scale (a gateway's float turned Decimal):
        # rounded to it rather than refusing the whole batch.
        return pa.array([_round(value) for value in column], type=kind)


def _round(value: Decimal) -> Decimal:
    return value.quantize(_SCALE, rounding=ROUND_HALF_EVEN)


def _cents(text: str) -> str:
    """A stored decimal's text with the column's last two zeros dropped (1234.5600 is
    read as 1234.56)."""
    return text[:-2] if text.endswith("00") else text


def _trimmed(value: Decimal) -> Decimal:
    """A stored decimal with the column's extra zeros dropped, down to cents: 612.3400 is
    read as 612.34, as the gateway sent it."""
    short = value.quantize(_CENTS)
    return short if short == value else value.normalize()


def _decoded(column: pa.ChunkedArray, convert: Callable[[Any], T]) -> list[T]:
    encoded = pc.dictionary_encode(column).combine_chunks()
    values = [convert(item) for item in encoded.dictionary.to_pylist()]
    return [values[index] for index in encoded.indices.to_pylist()]


TICKS = ArrowShape(Tick)
BARS = ArrowShape(Bar)
SHAPES: dict[Kind, ArrowShape] = {Kind.TICKS: TICKS, Kind.BARS: BARS}
TIME_COLUMN = {Kind.TICKS: "datetime", Kind.BARS: "start"}

# A day file's key-value metadata: the journal segments folded into it, and where its
# data came from.
SEGMENTS_KEY = b"arbig.segments"
SOURCE_KEY = b"arbig.source"


def consumed_segments(schema: pa.Schema) -> set[str]:
    """The journal segments a day file lists as folded into it."""
    raw = (schema.metadata or {}).get(SEGMENTS_KEY)
    return set(json.loads(raw)) if raw else set()
