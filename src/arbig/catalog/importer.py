"""`arbig data import`: a CSV file into the catalog, whole or not at all.

The file is decoded (UTF-8, or GB18030 as Chinese tools write it), its format told
from its header (or given), every row parsed and put through the tick hygiene rules
(``domain.tick_hygiene``) and a few of its own: a duplicate row, a stale snapshot whose
cumulative volume went back, a CTP trading day that does not fit the time. Dropped
rows are counted by reason with the first example of each. Only then is anything
written, every day of the file in one all-or-nothing write.
"""

import codecs
import csv
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pyarrow.parquet as pq

from arbig.catalog.catalog import Catalog, Staged, build_bars
from arbig.catalog.csvformats import FormatError, RowError, SpecFor, detect, make_format
from arbig.catalog.layout import Kind
from arbig.catalog.schema import BARS, TICKS
from arbig.domain.bar import Bar
from arbig.domain.calendar import TradingCalendar
from arbig.domain.tick import Tick
from arbig.domain.tick_hygiene import tick_fault

PROGRESS_EVERY = 5000
# Rows waiting in memory before the days a contract has moved past are staged.
STAGE_AFTER_ROWS = 100_000
Progress = Callable[[int, int], None]


class ImportRefused(ValueError):
    """A file not imported at all; ``report`` says what was read, when it got that far."""

    def __init__(self, message: str, report: "ImportReport | None" = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass(slots=True)
class ImportReport:
    path: Path
    format: str = ""
    kind: str = ""
    encoding: str = ""
    rows: int = 0
    imported: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)  # reason -> first line dropped
    days: dict[str, list[date]] = field(default_factory=dict)
    merged: int = 0  # days the catalog already held, the file's rows added to them
    replaced: int = 0  # days the catalog already held, replaced (``replace=True``)

    def drop(self, reason: str, line: int, detail: str) -> None:
        self.dropped[reason] += 1
        self.examples.setdefault(reason, f"line {line}: {detail}")


def scan(path: Path, encoding: str) -> tuple[str, int]:
    """The encoding ``path`` reads in and its line count, in one pass over its bytes
    (never all in memory): ``auto`` is UTF-8 (with or without a BOM), else GB18030."""
    candidates = ["utf-8-sig", "gb18030"] if encoding == "auto" else [encoding]
    try:
        decoders = {name: codecs.getincrementaldecoder(name)() for name in candidates}
    except LookupError:
        raise ImportRefused(f"unknown encoding {encoding!r}") from None
    lines, blank = 0, True
    try:
        with open(path, "rb") as file:
            while chunk := file.read(1 << 20):
                lines += chunk.count(b"\n")
                blank = blank and not chunk.strip()
                for name, decoder in list(decoders.items()):
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        del decoders[name]
    except OSError as exc:
        raise ImportRefused(f"cannot read it: {exc.strerror or exc}") from None
    if blank:
        raise ImportRefused("the file is empty: nothing imported")
    for name in candidates:
        if name in decoders:
            try:
                decoders[name].decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return name, lines
    raise ImportRefused(f"the file is not {' or '.join(candidates)} text; pass --encoding")


def import_file(
    catalog: Catalog,
    path: Path,
    spec_for: SpecFor,
    calendar: TradingCalendar,
    *,
    fmt: str = "auto",
    symbol: str | None = None,
    mapping: Mapping[str, str] | None = None,
    datetime_format: str | None = None,
    encoding: str = "auto",
    check_sessions: bool = True,
    replace: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``path`` whole, or raise ImportRefused and import nothing. A day the
    catalog already holds gets the file's rows added (a row it holds already is not
    doubled), or with ``replace`` is replaced by the file's."""
    report = ImportReport(path)
    name, total = scan(path, encoding)
    report.encoding = "utf-8" if name == "utf-8-sig" else name
    # The lock from the first day staged to the commit: a compaction meanwhile would
    # fold segments into a day file that the commit then replaces.
    with open(path, encoding=name, newline="") as file, catalog.lock():
        reader = csv.DictReader(file)
        columns = [column.strip() for column in reader.fieldnames or []]
        reader.fieldnames = columns
        try:
            report.format = detect(columns) if fmt == "auto" else fmt
            parser = make_format(
                report.format,
                columns,
                spec_for,
                calendar,
                symbol=symbol,
                mapping=mapping,
                datetime_format=datetime_format,
            )
        except FormatError as exc:
            raise ImportRefused(str(exc)) from None
        report.kind = parser.kind
        days = _Days(catalog, report, replace=replace, source=f"import {path.name}")
        try:
            for row in reader:
                report.rows += 1
                line = reader.line_num
                if progress is not None and report.rows % PROGRESS_EVERY == 0:
                    progress(line, total)
                if None in row or None in row.values():
                    report.drop("unparsable", line, f"{len(columns)} columns expected")
                    continue
                try:
                    value = parser.parse(row)
                except RowError as exc:
                    report.drop(exc.reason, line, str(exc))
                    continue
                reason = _hygiene(value, calendar, check_sessions, report.format)
                if reason is not None:
                    report.drop(reason, line, _describe(value))
                    continue
                days.add(line, value)
            days.stage_all()
            if not report.imported:
                raise ImportRefused("no row could be imported: nothing imported", report)
        except BaseException:
            days.discard()
            raise
        days.commit()
    if progress is not None:
        progress(total, total)
    return report


class _Days:
    """A file's rows by contract and trading day. Once many rows wait, the days a
    contract has moved past are cleaned (order, duplicates, stale snapshots), merged with
    what the catalog holds and staged aside, so a file of a year of ticks never sits in
    memory at once; ``commit`` puts every staged day in at the end."""

    def __init__(self, catalog: Catalog, report: ImportReport, *, replace: bool, source: str):
        self._catalog = catalog
        self._report = report
        self._replace = replace
        self._source = source
        self._pending: dict[tuple[str, date], list[tuple[int, Tick | Bar]]] = {}
        self._waiting = 0
        self._newest: dict[str, date] = {}
        self._staged: dict[tuple[str, date], list[Staged]] = {}
        self._held: dict[str, set[date]] = {}
        # Per day file: the journal segments whose rows the staged file holds or replaces.
        self._taken: dict[tuple[Kind, str, date], set[str]] = {}

    def add(self, line: int, value: Tick | Bar) -> None:
        key = (value.symbol, value.trading_day)
        self._pending.setdefault(key, []).append((line, value))
        self._waiting += 1
        newest = self._newest.get(value.symbol)
        if newest is None or value.trading_day > newest:
            self._newest[value.symbol] = value.trading_day
            if self._waiting >= STAGE_AFTER_ROWS:
                for done in [k for k in self._pending if k[0] == key[0] and k[1] < key[1]]:
                    self._stage(done)

    def stage_all(self) -> None:
        for key in sorted(self._pending):
            self._stage(key)

    def commit(self) -> None:
        self._catalog.commit([item for staged in self._staged.values() for item in staged])

    def discard(self) -> None:
        for staged in self._staged.values():
            self._catalog.discard(staged)

    def _stage(self, key: tuple[str, date]) -> None:
        values = self._pending.pop(key)
        self._waiting -= len(values)
        cleaned = _in_order(values, self._report)
        if not cleaned:
            return
        self._report.imported += len(cleaned)
        symbol, day = key
        is_ticks = isinstance(cleaned[0], Tick)
        earlier = self._staged.pop(key, None)
        if earlier is not None:  # the file came back to a day already staged: read it back
            base = _staged_rows(earlier, is_ticks)
            self._catalog.discard(earlier)
        else:
            self._report.days.setdefault(symbol, []).append(day)
            base = self._held_rows(symbol, day, is_ticks)
        rows = _merged(base, cleaned)
        ticks = [v for v in rows if isinstance(v, Tick)]
        bars = [v for v in rows if isinstance(v, Bar)]
        self._staged[key] = self._catalog.stage(
            {key: ticks} if ticks else {},
            {key: bars} if bars else {},
            source=self._source,
            taken=self._taken,
        )

    def _held_rows(self, symbol: str, day: date, ticks: bool) -> list[Tick | Bar]:
        held = self._held.get(symbol)
        if held is None:
            days = self._catalog.days(symbol) if ticks else self._catalog.bar_days(symbol)
            held = self._held[symbol] = set(days)
        if day not in held:
            return []
        # The whole day as a read gives it, the recorder's uncompacted journal included:
        # the bars staged are then built from every tick of the day, and the segments
        # whose writer is done are listed as taken in, so they are not added twice.
        kind = Kind.TICKS if ticks else Kind.BARS
        table, done = self._catalog.day_rows(kind, symbol, day)
        self._taken[kind, symbol, day] = done
        if self._replace:
            if ticks:  # the day's recorded bars go with its recorded ticks
                self._taken[Kind.BARS, symbol, day] = self._catalog.day_rows(
                    Kind.BARS, symbol, day
                )[1]
            self._report.replaced += 1
            return []
        self._report.merged += 1
        if ticks:
            return list(TICKS.rows(table)) if table is not None else []
        if table is not None:
            return list(BARS.rows(table))
        day_ticks = self._catalog.day_table(Kind.TICKS, symbol, day)
        return list(build_bars(symbol, TICKS.rows(day_ticks))) if day_ticks is not None else []


def _staged_rows(staged: list[Staged], ticks: bool) -> list[Tick | Bar]:
    kind = Kind.TICKS if ticks else Kind.BARS
    for item in staged:
        if item.target.parent.parent.name == kind.value:
            table = pq.read_table(item.temp).replace_schema_metadata(None)
            return list((TICKS if ticks else BARS).rows(table))
    return []


def _merged(held: list[Tick | Bar], new: list[Tick | Bar]) -> list[Tick | Bar]:
    """``held`` and ``new`` in time order (stable: at one time, what was held first),
    without a second copy of a row held already, nor a second bar of a minute held."""
    known: set[Tick | Bar | datetime] = set(held)
    known.update(value.start for value in held if isinstance(value, Bar))
    rows = list(held)
    rows.extend(
        value
        for value in new
        if value not in known and not (isinstance(value, Bar) and value.start in known)
    )
    rows.sort(key=_time)
    return rows


def _hygiene(value: Tick | Bar, calendar: TradingCalendar, sessions: bool, fmt: str) -> str | None:
    if isinstance(value, Bar):
        if sessions and not calendar.in_session(value.start):
            return "out_of_session"
        return None
    # A file has no receiving clock to be skewed against: the tick's own time stands in.
    reason = tick_fault(value, value.datetime, calendar, check_sessions=sessions)
    if (
        reason is None
        and fmt == "ctp"
        and calendar.trading_day(value.datetime) != (value.trading_day)
    ):
        return "trading_day_mismatch"
    return reason


def _in_order(values: list[tuple[int, Tick | Bar]], report: ImportReport) -> list[Tick | Bar]:
    """One day's rows in time order, without duplicates and stale snapshots."""
    values.sort(key=lambda item: _time(item[1]))
    kept: list[Tick | Bar] = []
    seen_at: dict[datetime, Tick | Bar] = {}
    volume = -1
    for line, value in values:
        moment = _time(value)
        if seen_at.get(moment) == value:
            report.drop("duplicate", line, _describe(value))
            continue
        if isinstance(value, Bar) and moment in seen_at:
            report.drop("duplicate", line, f"a second bar for {moment:%Y-%m-%d %H:%M}")
            continue
        if isinstance(value, Tick):
            if value.volume < volume:
                report.drop("stale", line, f"{_describe(value)}: volume {value.volume} < {volume}")
                continue
            volume = value.volume
        seen_at[moment] = value
        kept.append(value)
    return kept


def _time(value: Tick | Bar) -> datetime:
    return value.datetime if isinstance(value, Tick) else value.start


def _describe(value: Tick | Bar) -> str:
    if isinstance(value, Tick):
        return f"{value.symbol} {value.datetime.isoformat()} last {value.last_price}"
    return f"{value.symbol} bar {value.start.isoformat()}"
