"""Portable backups: every table as JSON lines, restorable into any supported backend.

The file starts with a header line (format, version, schema revision, row counts),
then one line per row: ``{"t": table, "r": {column: value}}``. Money travels as
decimal strings and instants as ISO 8601 with their offset, so nothing is lost
between SQLite, MySQL/MariaDB and PostgreSQL. A name ending in ``.gz`` is gzipped.
"""

import gzip
import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Date, Integer, Table, func, insert, select, text
from sqlalchemy.engine import Connection

from arbig.storage.models import Base
from arbig.storage.types import Money, UTCDateTime

FORMAT = "arbig-backup"
VERSION = 1
CHUNK = 1000

Progress = Callable[[str, int], None]
"""Called with a table name and the number of rows just copied."""


class BackupError(RuntimeError):
    """A backup file that cannot be restored here, or a restore that would overwrite."""


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def _open(path: Path, mode: str) -> IO[str]:
    if path.suffix == ".gz":
        if mode == "w":
            return gzip.open(path, "wt", encoding="utf-8")
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(mode, encoding="utf-8")


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decoder(table: Table, column: str) -> Callable[[Any], Any]:
    kind = table.c[column].type
    if isinstance(kind, Money):
        return lambda v: None if v is None else Decimal(v)
    if isinstance(kind, UTCDateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v).astimezone(UTC)
    if isinstance(kind, Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    return lambda v: v


def count_rows(connection: Connection) -> dict[str, int]:
    """Rows per table, in dependency order."""
    return {
        table.name: connection.scalar(select(func.count()).select_from(table)) or 0
        for table in _tables()
    }


def dump(connection: Connection, path: Path, revision: str | None, progress: Progress) -> int:
    """Write every table to ``path``; returns the number of rows written."""
    counts = count_rows(connection)
    header = {
        "format": FORMAT,
        "version": VERSION,
        "revision": revision,
        "created": datetime.now(UTC).isoformat(),
        "tables": counts,
    }
    written = 0
    with _open(path, "w") as out:
        out.write(json.dumps(header) + "\n")
        for table in _tables():
            query = select(table).order_by(*table.primary_key.columns)
            result = connection.execution_options(yield_per=CHUNK).execute(query)
            for chunk in result.mappings().partitions(CHUNK):
                for row in chunk:
                    line = {"t": table.name, "r": {k: _encode(v) for k, v in row.items()}}
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")
                written += len(chunk)
                progress(table.name, len(chunk))
    return written


def read_header(path: Path) -> dict[str, Any]:
    """The header of a backup file; BackupError when it is not one."""
    try:
        with _open(path, "r") as source:
            header = json.loads(source.readline())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path} is not a readable ARBIG backup: {exc}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"{path} is not an ARBIG backup")
    if header.get("version") != VERSION:
        raise BackupError(f"{path}: backup format version {header.get('version')} is unknown")
    return header


def _lines(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    with _open(path, "r") as source:
        source.readline()
        for number, line in enumerate(source, start=2):
            try:
                entry = json.loads(line)
                yield entry["t"], entry["r"]
            except (ValueError, KeyError, TypeError):
                raise BackupError(f"{path}, line {number}: not a backup row") from None


def load(connection: Connection, path: Path, *, force: bool, progress: Progress) -> int:
    """Restore ``path`` into the (migrated) database of ``connection``; the caller's
    transaction makes it all or nothing. Refuses a non-empty database unless ``force``,
    which deletes what is there first. Returns the number of rows restored."""
    read_header(path)
    tables = {table.name: table for table in _tables()}
    present = {name: n for name, n in count_rows(connection).items() if n}
    if present and not force:
        listed = ", ".join(f"{name} ({n})" for name, n in present.items())
        raise BackupError(f"database is not empty: {listed}; pass --force to replace it")
    for table in reversed(_tables()):
        connection.execute(table.delete())
    pending: dict[str, list[dict[str, Any]]] = {}
    decoders: dict[tuple[str, str], Callable[[Any], Any]] = {}
    restored = 0

    def flush(name: str) -> None:
        nonlocal restored
        rows = pending.pop(name, [])
        if rows:
            connection.execute(insert(tables[name]), rows)
            restored += len(rows)
            progress(name, len(rows))

    for name, raw in _lines(path):
        table = tables.get(name)
        if table is None:
            raise BackupError(f"backup holds table {name!r}, which this version does not have")
        unknown = set(raw) - set(table.c.keys())
        if unknown:
            raise BackupError(f"backup column(s) {sorted(unknown)} of {name} are unknown here")
        row = {}
        for column, value in raw.items():
            key = (name, column)
            if key not in decoders:
                decoders[key] = _decoder(table, column)
            row[column] = decoders[key](value)
        pending.setdefault(name, []).append(row)
        if len(pending[name]) >= CHUNK:
            flush(name)
    for name in list(pending):
        flush(name)
    if connection.dialect.name == "postgresql":
        _reset_sequences(connection)
    return restored


def _reset_sequences(connection: Connection) -> None:
    # Rows came with their ids; PostgreSQL's sequences must move past them. Only an
    # integer id has a sequence (a session's id is its token).
    for table in _tables():
        id_column = table.c.get("id")
        if id_column is None or not isinstance(id_column.type, Integer):
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"
            )
        )
