"""Append-only journal segments: Arrow IPC streams the recorder writes batch by batch.

A segment is written as ``<name>.arrows.part`` under an exclusive ``flock`` held for as
long as its writer lives, and renamed ``<name>.arrows`` when closed. Each flush appends
one record batch and flushes it to the operating system (and to the disk with
``fsync``), so a killed process loses only the batch it had not written yet. Reading
keeps every whole batch and stops at a torn last one: a half-written batch is never
read as if it were whole.
"""

import fcntl
import os
from pathlib import Path
from typing import IO

import pyarrow as pa

from arbig.catalog.layout import OPEN_SEGMENT, SEGMENT


class SegmentWriter:
    """One open segment. Not thread-safe: one thread writes it."""

    def __init__(self, path: Path, schema: pa.Schema, *, fsync: bool = True) -> None:
        if not path.name.endswith(OPEN_SEGMENT):
            raise ValueError(f"an open segment's name ends with {OPEN_SEGMENT}: {path}")
        self.path = path
        self._fsync = fsync
        self._file: IO[bytes] = _create(path)
        fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._stream = pa.ipc.new_stream(self._file, schema)
        self.rows = 0

    def append(self, table: pa.Table) -> None:
        """Append ``table``'s rows as record batches, flushed before returning."""
        for batch in table.to_batches():
            self._stream.write_batch(batch)
        self.rows += table.num_rows
        self._file.flush()
        if self._fsync:
            os.fsync(self._file.fileno())

    def close(self) -> Path:
        """End the stream and rename the segment closed; returns its new path."""
        self._stream.close()
        self._file.flush()
        if self._fsync:
            os.fsync(self._file.fileno())
        closed = self.path.with_name(self.path.name.removesuffix(OPEN_SEGMENT) + SEGMENT)
        os.replace(self.path, closed)
        self._file.close()  # releases the lock, after the rename
        self.path = closed
        return closed

    def abandon(self) -> None:
        """Close the file without ending the stream (a failed write): readers keep its
        whole batches, as after a crash."""
        self._file.close()


def _create(path: Path) -> IO[bytes]:
    """``path`` created, with its folder. A compaction removes a day folder it emptied,
    which may fall between the two steps: then both are done again."""
    for _ in range(3):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return open(path, "xb")
        except FileNotFoundError:
            continue
    return open(path, "xb")


def read_segment(path: Path) -> pa.Table | None:
    """Every whole batch of the segment at ``path`` as one table, or None when it holds
    none (its schema not even written). Raises FileNotFoundError if it is gone."""
    with open(path, "rb") as file:
        try:
            reader = pa.ipc.open_stream(file)
        except (pa.ArrowInvalid, OSError):
            return None  # killed before its schema was written
        batches = []
        while True:
            try:
                batches.append(reader.read_next_batch())
            except StopIteration:
                break
            except (pa.ArrowInvalid, OSError):
                break  # a torn last batch: the writer was killed while writing it
        return pa.Table.from_batches(batches, schema=reader.schema)


def writer_alive(path: Path) -> bool:
    """Whether an open segment's writer still holds it (so it may still grow)."""
    if not path.name.endswith(OPEN_SEGMENT):
        return False
    try:
        with open(path, "rb") as file:
            try:
                fcntl.flock(file.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(file.fileno(), fcntl.LOCK_UN)
            return False
    except FileNotFoundError:
        return False
