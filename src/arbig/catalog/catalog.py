"""The catalog: read and write ticks and 1-minute bars by contract and trading day."""

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from arbig.catalog.compaction import Compacted, compact
from arbig.catalog.dayfile import write_aside, write_lock
from arbig.catalog.journal import read_segment, writer_alive
from arbig.catalog.layout import Kind, Layout, check_symbol, fsync_dir, segment_name, segments
from arbig.catalog.merge import merge_day
from arbig.catalog.schema import (
    BARS,
    TICKS,
    consumed_segments,
)
from arbig.domain.bar import Bar, BarBuilder
from arbig.domain.tick import Tick

_READ_ATTEMPTS = 3


class CatalogError(ValueError):
    """Data the catalog refuses to write; the message says why."""


@dataclass(frozen=True, slots=True)
class Staged:
    """A day file written aside (``temp``), to be renamed over ``target``."""

    temp: Path
    target: Path


@dataclass(frozen=True, slots=True)
class DayInfo:
    """What the catalog holds of one contract's trading day."""

    day: date
    ticks: int
    bars: int  # in the bars' day file (a day without one has them built from its ticks)
    bytes: int
    pending_segments: int  # journal segments not yet compacted into the day file


class Catalog:
    """Ticks and bars under ``root`` (docs/data.md). Safe to read from several processes
    while a recorder writes and a compaction runs."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.layout = Layout(self.root)

    # --- reading ------------------------------------------------------------------

    def symbols(self) -> list[str]:
        """The contracts the catalog holds ticks or bars of."""
        return self.layout.symbols()

    def days(self, symbol: str) -> list[date]:
        """The trading days held for ``symbol``, sorted."""
        return self.layout.days(Kind.TICKS, check_symbol(symbol))

    def ticks(
        self, symbol: str, first: date | None = None, last: date | None = None
    ) -> Iterator[Tick]:
        """``symbol``'s ticks in time order, trading days ``first``..``last`` inclusive
        (None: from the first day held, to the last)."""
        for _, table in self.tick_tables(symbol, first, last):
            yield from TICKS.rows(table)

    def bars(
        self, symbol: str, first: date | None = None, last: date | None = None
    ) -> Iterator[Bar]:
        """``symbol``'s 1-minute bars in time order, trading days ``first``..``last``.
        A day without recorded bars has them built from its ticks."""
        for day in self._range(symbol, first, last, self.bar_days(symbol)):
            table = self.day_table(Kind.BARS, symbol, day)
            if table is not None:
                yield from BARS.rows(table)
            else:
                ticks = self.day_table(Kind.TICKS, symbol, day)
                if ticks is not None:
                    yield from build_bars(symbol, TICKS.rows(ticks))

    def tick_tables(
        self, symbol: str, first: date | None = None, last: date | None = None
    ) -> Iterator[tuple[date, pa.Table]]:
        """Each trading day's ticks as an Arrow table (the columns of ``Tick``), in order:
        the columnar read, without building a ``Tick`` per row."""
        for day in self._range(symbol, first, last):
            table = self.day_table(Kind.TICKS, symbol, day)
            if table is not None and table.num_rows:
                yield day, table

    def tick_table(
        self, symbol: str, first: date | None = None, last: date | None = None
    ) -> pa.Table:
        """The ticks of trading days ``first``..``last`` as one Arrow table."""
        tables = [table for _, table in self.tick_tables(symbol, first, last)]
        return pa.concat_tables(tables) if tables else TICKS.schema.empty_table()

    def day_table(self, kind: Kind, symbol: str, day: date) -> pa.Table | None:
        """One day's rows (compacted file and journal segments not yet in it, merged as
        ``merge.merge_day`` says), sorted by time, or None when the catalog holds none."""
        return self.day_rows(kind, symbol, day)[0]

    def day_rows(self, kind: Kind, symbol: str, day: date) -> tuple[pa.Table | None, set[str]]:
        """``day_table``, and the journal segments among its rows whose writer is done
        (closed, or dead): a day file written from these rows may list them as taken in.
        Rows of a segment still being written are among them too, but it is not: what
        it adds later keeps coming from the journal."""
        check_symbol(symbol)
        for _ in range(_READ_ATTEMPTS - 1):
            with contextlib.suppress(FileNotFoundError):  # a compaction moved them
                return self._read_day(kind, symbol, day)
        return self._read_day(kind, symbol, day)

    def day_info(self, symbol: str) -> list[DayInfo]:
        """Per trading day: tick count, size on disk, segments awaiting compaction (from
        the files' metadata; only uncompacted segments are read)."""
        infos = []
        for day in self.bar_days(symbol):
            file = self.layout.day_file(Kind.TICKS, symbol, day)
            rows = size = 0
            consumed: set[str] = set()
            with contextlib.suppress(FileNotFoundError):
                meta = pq.read_metadata(file)
                rows, size = meta.num_rows, file.stat().st_size
                consumed = consumed_segments(meta.schema.to_arrow_schema())
            pending = 0
            for path in segments(self.layout.journal_day(Kind.TICKS, symbol, day)):
                if segment_name(path) in consumed:
                    continue
                with contextlib.suppress(FileNotFoundError):
                    table = read_segment(path)
                    size += path.stat().st_size
                    if table is not None and table.num_rows:  # one killed at once holds none
                        rows += table.num_rows
                        pending += 1
            bars = 0
            with contextlib.suppress(FileNotFoundError):
                bar_file = self.layout.day_file(Kind.BARS, symbol, day)
                bars = pq.read_metadata(bar_file).num_rows
                size += bar_file.stat().st_size
            infos.append(DayInfo(day, rows, bars, size, pending))
        return infos

    def bar_days(self, symbol: str) -> list[date]:
        """The trading days with 1-minute bars (recorded, imported or built from ticks)."""
        check_symbol(symbol)
        return sorted({*self.layout.days(Kind.BARS, symbol), *self.days(symbol)})

    def _range(
        self, symbol: str, first: date | None, last: date | None, days: list[date] | None = None
    ) -> list[date]:
        return [
            day
            for day in (self.days(symbol) if days is None else days)
            if (first is None or day >= first) and (last is None or day <= last)
        ]

    def _read_day(self, kind: Kind, symbol: str, day: date) -> tuple[pa.Table | None, set[str]]:
        parts: list[pa.Table] = []
        done: set[str] = set()
        file = self.layout.day_file(kind, symbol, day)
        consumed: set[str] = set()
        if file.exists():
            table = pq.read_table(file)
            consumed = consumed_segments(table.schema)
            parts.append(table.replace_schema_metadata(None))
        for path in segments(self.layout.journal_day(kind, symbol, day)):
            name = segment_name(path)
            if name not in consumed:
                finished = not writer_alive(path)  # asked first: then it cannot grow after
                table = read_segment(path)
                if table is not None and table.num_rows:
                    parts.append(table.replace_schema_metadata(None))
                if finished:
                    done.add(name)
        return merge_day(kind, parts), done

    # --- writing ------------------------------------------------------------------

    def write_ticks(self, symbol: str, trading_day: date, ticks: Sequence[Tick]) -> None:
        """Replace ``symbol``'s ticks of ``trading_day`` with ``ticks`` (a whole day, in
        time order), and its bars with those built from them."""
        self.write_days(symbol, {trading_day: ticks})

    def write_days(
        self, symbol: str, days: Mapping[date, Sequence[Tick]], *, source: str = "write"
    ) -> None:
        """Replace several days at once: every file is written aside first and renamed in
        only when all are written, so a failure leaves the catalog as it was."""
        self.write({(symbol, day): ticks for day, ticks in days.items()}, source=source)

    def write(
        self,
        ticks: Mapping[tuple[str, date], Sequence[Tick]],
        bars: Mapping[tuple[str, date], Sequence[Bar]] | None = None,
        *,
        source: str = "write",
    ) -> None:
        """Replace whole days of several contracts at once, all or nothing: each
        (symbol, day) of ``ticks`` gets those ticks and the bars built from them; each of
        ``bars`` (days known by their bars only, such as an imported bar file) those bars.
        Every file is written aside first and renamed in only once all are written."""
        with self.lock():
            self.commit(self.stage(ticks, bars, source=source))

    def stage(
        self,
        ticks: Mapping[tuple[str, date], Sequence[Tick]],
        bars: Mapping[tuple[str, date], Sequence[Bar]] | None = None,
        *,
        source: str = "write",
        taken: Mapping[tuple[Kind, str, date], set[str]] | None = None,
    ) -> list[Staged]:
        """The files of ``write`` written aside, not yet in the catalog: ``commit`` puts
        them in, ``discard`` deletes them. A write of more than memory holds stages its
        days a few at a time and commits them all at the end, holding ``lock()`` from
        the first stage to the commit. ``taken`` names, per day file, the journal
        segments whose rows it now holds (or replaces): readers leave them out."""
        tables: list[tuple[Kind, str, date, pa.Table]] = []
        for (symbol, day), day_ticks in sorted(ticks.items()):
            check_symbol(symbol)
            _check_day(symbol, day, day_ticks, "datetime")
            tables.append((Kind.TICKS, symbol, day, TICKS.table(day_ticks)))
            tables.append((Kind.BARS, symbol, day, BARS.table(build_bars(symbol, day_ticks))))
        for (symbol, day), day_bars in sorted((bars or {}).items()):
            check_symbol(symbol)
            _check_day(symbol, day, day_bars, "start")
            tables.append((Kind.BARS, symbol, day, BARS.table(day_bars)))
        staged: list[Staged] = []
        try:
            for kind, symbol, day, table in tables:
                target = self.layout.day_file(kind, symbol, day)
                consumed = self._kept(target) | (taken or {}).get((kind, symbol, day), set())
                temp = write_aside(target, table, consumed, source)
                staged.append(Staged(temp, target))
        except BaseException:
            self.discard(staged)
            raise
        return staged

    def commit(self, staged: Sequence["Staged"]) -> None:
        """Rename staged files over their day files (each rename atomic), then make the
        renames durable."""
        for item in staged:
            os.replace(item.temp, item.target)
        for folder in {item.target.parent for item in staged}:
            fsync_dir(folder)

    @staticmethod
    def discard(staged: Sequence["Staged"]) -> None:
        for item in staged:
            item.temp.unlink(missing_ok=True)

    def _kept(self, target: Path) -> set[str]:
        """The segments a day file being replaced had taken in: still left out, so the
        replaced data does not come back from the journal."""
        return consumed_segments(pq.read_schema(target)) if target.exists() else set()

    # --- compaction -----------------------------------------------------------------

    def compact(self, symbol: str | None = None) -> list[Compacted]:
        """Fold the closed journal segments (and those a killed writer left) into the day
        files, then delete them. Segments still being written are left for later."""
        return compact(self.layout, symbol)

    def lock(self) -> AbstractContextManager[None]:
        """The catalog's write lock (a ``flock``, across processes): a compaction and a
        write of whole days never rewrite one day file at the same time. Not reentrant."""
        return write_lock(self.root)


def build_bars(symbol: str, ticks: Iterator[Tick] | Sequence[Tick]) -> list[Bar]:
    """The 1-minute bars of a run of ticks (the domain's bar builder, closed at the end)."""
    builder = BarBuilder(symbol)
    bars = [bar for tick in ticks if (bar := builder.update(tick)) is not None]
    last = builder.flush()
    if last is not None:
        bars.append(last)
    return bars


def _check_day(symbol: str, day: date, values: Sequence[Tick] | Sequence[Bar], time: str) -> None:
    if not values:
        raise CatalogError(f"{symbol} {day}: nothing to write")
    previous = getattr(values[0], time)
    for value in values:
        if value.symbol != symbol or value.trading_day != day:
            raise CatalogError(
                f"{symbol} {day}: data of {value.symbol} {value.trading_day} is among it"
            )
        moment = getattr(value, time)
        if moment < previous:
            raise CatalogError(f"{symbol} {day}: out of time order at {moment}")
        previous = moment
