"""Where the catalog keeps its files (docs/data.md, "Layout").

```
<root>/ticks/<symbol>/<YYYY-MM-DD>.parquet        a trading day's ticks, compacted
<root>/bars/<symbol>/<YYYY-MM-DD>.parquet         its 1-minute bars
<root>/journal/<kind>/<symbol>/<YYYY-MM-DD>/      the recorder's append-only segments:
    <segment>.arrows.part                         being written (the writer holds a lock)
    <segment>.arrows                              closed
```
"""

import os
import re
from datetime import date
from enum import StrEnum
from pathlib import Path

import pyarrow as pa

_SYMBOL = re.compile(r"^[A-Za-z]{1,4}\d{3,4}$")
SEGMENT = ".arrows"
OPEN_SEGMENT = ".arrows.part"


class Kind(StrEnum):
    TICKS = "ticks"
    BARS = "bars"


def check_symbol(symbol: str) -> str:
    """``symbol`` if it is a contract code (``au2612``); it names folders, so nothing else
    (no path separators, no dots) is let through."""
    if not _SYMBOL.match(symbol):
        raise ValueError(f"{symbol!r} is not a contract symbol such as au2612")
    return symbol


class Layout:
    def __init__(self, root: Path) -> None:
        self.root = root

    def day_file(self, kind: Kind, symbol: str, day: date) -> Path:
        return self.root / kind.value / symbol / f"{day.isoformat()}.parquet"

    def journal_day(self, kind: Kind, symbol: str, day: date) -> Path:
        return self.root / "journal" / kind.value / symbol / day.isoformat()

    def symbols(self) -> list[str]:
        found: set[str] = set()
        for parent in (
            *(self.root / kind.value for kind in Kind),
            *(self.root / "journal" / kind.value for kind in Kind),
        ):
            if parent.is_dir():
                found.update(
                    p.name for p in parent.iterdir() if p.is_dir() and _SYMBOL.match(p.name)
                )
        # A folder left empty (a write that failed after making it) holds no contract.
        return sorted(s for s in found if any(self.days(kind, s) for kind in Kind))

    def days(self, kind: Kind, symbol: str) -> list[date]:
        found: set[date] = set()
        folder = self.root / kind.value / symbol
        if folder.is_dir():
            found.update(d for p in folder.glob("*.parquet") if (d := _day(p.stem)) is not None)
        journal = self.root / "journal" / kind.value / symbol
        if journal.is_dir():
            for sub in journal.iterdir():
                day = _day(sub.name)
                if day is not None and any(_holds_rows(path) for path in segments(sub)):
                    found.add(day)
        return sorted(found)


def segments(folder: Path) -> list[Path]:
    """The segments in a journal day folder, closed or open, oldest first (names sort
    by their start time)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.endswith((SEGMENT, OPEN_SEGMENT)))


def _holds_rows(path: Path) -> bool:
    """Whether a segment holds a whole batch with rows: one whose writer was killed
    before its first batch makes no trading day. Reads up to its first such batch."""
    try:
        with open(path, "rb") as file:
            reader = pa.ipc.open_stream(file)
            while True:
                if reader.read_next_batch().num_rows:
                    return True
    except (StopIteration, pa.ArrowInvalid, OSError):
        return False


def segment_name(path: Path) -> str:
    """A segment's name without its state suffix: the same whether open or closed."""
    name = path.name
    return name.removesuffix(OPEN_SEGMENT).removesuffix(SEGMENT)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
