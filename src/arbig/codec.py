"""The one codec between the domain dataclasses and what they travel as.

- **JSON for the API and the WebSocket** (``json_bytes``): orjson walks the
  dataclasses, enums and datetimes itself; Decimals are written as their own text,
  datetimes in ISO 8601 with their offset (``+00:00`` for UTC, as the console and
  API clients have always read them), enums by value.
- **Fields for stream entries, files and line protocol** (``text_fields``) and
  **typed values back from plain data** (``convert``): msgspec, which knows every
  dataclass's fields and types, so no module maps a dataclass field by field.
- **Table rows** (``Shape``): the columns come from the dataclass's own fields,
  renamed where a column's name differs; a row is read back through ``convert``.
  Taking a value apart is an ``attrgetter`` of its fields rather than msgspec's
  ``to_builtins``, which costs several times as much per row on the book writer's
  path (docs/performance.md).
"""

from collections.abc import Iterable, Mapping
from dataclasses import fields
from datetime import datetime
from decimal import Decimal
from enum import Enum, StrEnum
from operator import attrgetter
from typing import Any, Generic, TypeVar, get_type_hints

import msgspec
import orjson

from arbig.domain.tick import Tick

T = TypeVar("T")


class CodecError(ValueError):
    """A value that does not convert to its type; the message names the field."""


def text_fields(value: Any) -> dict[str, Any]:
    """A dataclass's fields by name: Decimals as their own text (nothing lost), dates
    in ISO 8601, enums by value, integers as integers, datetimes as they are."""
    data: dict[str, Any] = msgspec.to_builtins(value, builtin_types=(datetime,))
    return data


def convert(data: Any, cls: type[T], *, strict: bool = True) -> T:
    """``data`` (plain values, or Decimals and datetimes as they are) as a ``cls``.

    With ``strict=False`` numbers may also come as text (Redis stream fields).
    Raises CodecError naming the field that does not fit."""
    try:
        return msgspec.convert(data, cls, strict=strict)
    except msgspec.ValidationError as exc:
        raise CodecError(f"{cls.__name__}: {exc}") from None


def field_names(cls: type[Any]) -> tuple[str, ...]:
    """The fields of dataclass ``cls`` that its constructor takes, in order."""
    return tuple(f.name for f in fields(cls) if f.init)


class Shape(Generic[T]):
    """Dataclass ``cls`` stored under other names: a table's columns.

    ``renames`` maps a field to its column where the two differ; ``omit`` names
    fields the table does not keep. Enum fields are stored by value; everything
    else as it is (Decimals, datetimes, dates: what the column types take).
    """

    def __init__(
        self, cls: type[T], renames: Mapping[str, str] | None = None, *, omit: Iterable[str] = ()
    ) -> None:
        names = [name for name in field_names(cls) if name not in set(omit)]
        if len(names) < 2:
            raise TypeError(f"{cls.__name__}: a shape needs two fields or more")
        hints = get_type_hints(cls)
        renames = renames or {}
        self.cls = cls
        self.fields = tuple(names)
        self.columns = tuple(renames.get(name, name) for name in names)
        self._get = attrgetter(*names)
        self._enums = tuple(
            column
            for name, column in zip(names, self.columns, strict=True)
            if _enum_field(cls, name, hints[name])
        )

    def row(self, value: T) -> dict[str, Any]:
        """The columns of ``value``."""
        row = dict(zip(self.columns, self._get(value), strict=True))
        for column in self._enums:
            row[column] = str(row[column])  # a StrEnum's str() is its value
        return row

    def value(self, source: Any, **given: Any) -> T:
        """A ``cls`` from the attributes of ``source`` (an ORM object or a result row)
        named by the columns; ``given`` fields are not read from it."""
        data = {
            name: given[name] if name in given else getattr(source, column)
            for name, column in zip(self.fields, self.columns, strict=True)
        }
        for name in given.keys() - data.keys():
            data[name] = given[name]
        return convert(data, self.cls)


def _enum_field(cls: type[Any], name: str, hint: Any) -> bool:
    if not (isinstance(hint, type) and issubclass(hint, Enum)):
        return False
    if not issubclass(hint, StrEnum):
        raise TypeError(f"{cls.__name__}.{name}: only StrEnum fields can be stored by value")
    return True


def json_bytes(value: Any) -> bytes:
    """The API's JSON of ``value``. A tick's JSON carries its epoch-ms ``timestamp``,
    which orjson cannot add: a tick (or a list of ticks) is given as a dict with it;
    a tick nested deeper would lose it.
    """
    if isinstance(value, Tick):
        value = tick_fields(value)
    elif isinstance(value, list) and value and isinstance(value[0], Tick):
        value = [tick_fields(tick) for tick in value]
    return orjson.dumps(value, default=_decimal_text, option=orjson.OPT_NON_STR_KEYS)


_TICK_FIELDS = field_names(Tick)


def tick_fields(tick: Tick) -> dict[str, Any]:
    """A tick's fields as they are, plus its ``timestamp`` in epoch ms (DESIGN.md)."""
    data = {name: getattr(tick, name) for name in _TICK_FIELDS}
    data["timestamp"] = tick.timestamp_ms
    return data


def _decimal_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
