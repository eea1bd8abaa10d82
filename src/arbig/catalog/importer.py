"""`arbig data import`: a CSV file into the catalog, whole or not at all.

The file is decoded (UTF-8, or GB18030 as Chinese tools write it), its format told
from its header (or given), every row parsed and put through the tick hygiene rules
(``domain.hygiene``) and a few of its own: a duplicate row, a stale snapshot whose
cumulative volume went back, a CTP trading day that does not fit the time. Dropped
rows are counted by reason with the first example of each. Only then is anything
written, every day of the file in one all-or-nothing write.
"""

import csv
import io
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from arbig.catalog.catalog import Catalog
from arbig.catalog.csvformats import FormatError, RowError, SpecFor, detect, make_format
from arbig.domain.bar import Bar
from arbig.domain.calendar import TradingCalendar
from arbig.domain.hygiene import drop_reason
from arbig.domain.tick import Tick

PROGRESS_EVERY = 5000
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
    replaced: int = 0  # days the catalog already held, now replaced

    def drop(self, reason: str, line: int, detail: str) -> None:
        self.dropped[reason] += 1
        self.examples.setdefault(reason, f"line {line}: {detail}")


def decode(data: bytes, encoding: str) -> tuple[str, str]:
    """The file's text and the encoding read: ``auto`` is UTF-8 (with or without a BOM)
    and else GB18030."""
    candidates = ["utf-8-sig", "gb18030"] if encoding == "auto" else [encoding]
    for name in candidates:
        try:
            return data.decode(name), "utf-8" if name == "utf-8-sig" else name
        except UnicodeDecodeError:
            continue
        except LookupError:
            raise ImportRefused(f"unknown encoding {encoding!r}") from None
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
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``path`` whole, or raise ImportRefused and import nothing."""
    report = ImportReport(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportRefused(f"cannot read it: {exc.strerror or exc}") from None
    if not data.strip():
        raise ImportRefused("the file is empty: nothing imported")
    text, report.encoding = decode(data, encoding)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [name.strip() for name in reader.fieldnames or []]
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
    total = text.count("\n")
    kept: dict[tuple[str, date], list[tuple[int, Tick | Bar]]] = {}
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
        kept.setdefault((value.symbol, value.trading_day), []).append((line, value))
    if progress is not None:
        progress(total, total)
    ticks: dict[tuple[str, date], list[Tick]] = {}
    bars: dict[tuple[str, date], list[Bar]] = {}
    for key, values in kept.items():
        cleaned = _in_order(values, report)
        if not cleaned:
            continue
        if isinstance(cleaned[0], Tick):
            ticks[key] = [v for v in cleaned if isinstance(v, Tick)]
        else:
            bars[key] = [v for v in cleaned if isinstance(v, Bar)]
    report.imported = sum(map(len, ticks.values())) + sum(map(len, bars.values()))
    if not report.imported:
        raise ImportRefused("no row could be imported: nothing imported", report)
    for symbol_, day in sorted({*ticks, *bars}):
        report.days.setdefault(symbol_, []).append(day)
        held = catalog.days(symbol_) if ticks else catalog.bar_days(symbol_)
        report.replaced += day in held
    catalog.write(ticks, bars, source=f"import {path.name}")
    return report


def _hygiene(value: Tick | Bar, calendar: TradingCalendar, sessions: bool, fmt: str) -> str | None:
    if isinstance(value, Bar):
        if sessions and not calendar.in_session(value.start):
            return "out_of_session"
        return None
    reason = drop_reason(value, calendar, check_sessions=sessions)
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
