"""Writing a day file: aside first, synced, for a rename over the old one; and the lock
that keeps two writers of day files apart."""

import contextlib
import fcntl
import itertools
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from arbig.catalog.schema import SEGMENTS_KEY, SOURCE_KEY

_NAMES = itertools.count(1)  # temporary names stay apart within a process


def write_aside(target: Path, table: pa.Table, consumed: set[str], source: str) -> Path:
    """``table`` as a Parquet file beside ``target``, synced; its path. The file lists
    the journal segments folded into it and where its data came from."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}-{next(_NAMES)}.tmp")
    metadata = {
        SEGMENTS_KEY: json.dumps(sorted(consumed)).encode(),
        SOURCE_KEY: source.encode(),
    }
    pq.write_table(table.replace_schema_metadata(metadata), temp, compression="zstd")
    with open(temp, "rb") as file:
        os.fsync(file.fileno())
    return temp


@contextlib.contextmanager
def write_lock(root: Path) -> Iterator[None]:
    """An exclusive ``flock`` on ``<root>/.lock``, across processes (not reentrant)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "a+b") as file:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(file.fileno(), fcntl.LOCK_UN)
