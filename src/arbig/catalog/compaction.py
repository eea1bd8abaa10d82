"""Compaction: the journal's closed segments folded into the day files.

For each day folder of the journal, the day file and the segments whose writer is done
(closed, or left by a killed process) are merged in time order, written aside, synced
and renamed over the day file, which lists the segments it took in; only then are they
deleted. A crash at any point neither loses nor doubles a row: a segment still on disk
but listed is skipped by readers and deleted by the next compaction.
"""

import contextlib
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from arbig.catalog.dayfile import write_aside, write_lock
from arbig.catalog.journal import read_segment, writer_alive
from arbig.catalog.layout import Kind, Layout, check_symbol, fsync_dir, segment_name, segments
from arbig.catalog.merge import merge_day
from arbig.catalog.schema import consumed_segments


@dataclass(frozen=True, slots=True)
class Compacted:
    """One day folder of the journal a compaction folded into its day file (``rows``
    in it), or found holding no rows and removed (``rows`` 0: no day file)."""

    kind: Kind
    symbol: str
    day: date
    rows: int
    segments: int


def compact(layout: Layout, symbol: str | None = None) -> list[Compacted]:
    """Compact every contract's journal, or ``symbol``'s; the day files rewritten."""
    if symbol is not None:
        check_symbol(symbol)
    done: list[Compacted] = []
    journal = layout.root / "journal"
    if not journal.is_dir():
        return done
    with write_lock(layout.root):
        for kind in Kind:
            base = journal / kind.value
            names = [symbol] if symbol is not None else _children(base)
            for name in names:
                for folder in _children_paths(base / name):
                    day = _as_day(folder.name)
                    if day is not None:
                        result = _compact_day(layout, kind, name, day, folder)
                        if result is not None:
                            done.append(result)
    return done


def _compact_day(
    layout: Layout, kind: Kind, symbol: str, day: date, folder: Path
) -> Compacted | None:
    present = segments(folder)
    ready = [path for path in present if not writer_alive(path)]
    if not ready:
        if not present:
            _remove(folder)  # left by a process killed before its first segment
        return None
    target = layout.day_file(kind, symbol, day)
    existing: pa.Table | None = None
    consumed: set[str] = set()
    if target.exists():
        table = pq.read_table(target)
        consumed = consumed_segments(table.schema)
        existing = table.replace_schema_metadata(None)
    consumed &= {segment_name(path) for path in present}  # deleted ones need not be kept
    new: list[pa.Table] = []
    for path in ready:
        if segment_name(path) not in consumed:
            table = read_segment(path)
            if table is not None and table.num_rows:
                new.append(table.replace_schema_metadata(None))
        consumed.add(segment_name(path))
    rows = existing.num_rows if existing is not None else 0
    # Segments without a row (a writer killed before its first batch) are only removed:
    # the day file, if any, stays as it is, and none is made for them.
    if new:
        merged = merge_day(kind, [*([] if existing is None else [existing]), *new])
        assert merged is not None
        temp = write_aside(target, merged, consumed, "recorder")
        os.replace(temp, target)
        fsync_dir(target.parent)
        rows = merged.num_rows
    for path in ready:
        path.unlink(missing_ok=True)
    _remove(folder)
    return Compacted(kind, symbol, day, rows, len(ready))


def _remove(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()  # only once empty


def _children(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _children_paths(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _as_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
