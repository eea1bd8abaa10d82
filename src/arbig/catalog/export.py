"""`arbig data export`: a contract's ticks or bars out of the catalog, as CSV or Parquet.

The columns are the ``Tick`` (or ``Bar``) fields; CSV times are exchange time with
their offset, prices exact. A CSV export of ticks imports back with
``--format generic`` and no mapping. The file is written aside and renamed when done.
"""

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from arbig.catalog.catalog import Catalog
from arbig.catalog.layout import Kind, check_symbol
from arbig.catalog.schema import BARS, TICKS

FORMATS = ("csv", "parquet")


def export(
    catalog: Catalog,
    symbol: str,
    output: Path,
    *,
    first: date | None = None,
    last: date | None = None,
    bars: bool = False,
    fmt: str = "csv",
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the rows of trading days ``first``..``last`` to ``output``; their count."""
    check_symbol(symbol)
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: csv or parquet")
    kind = Kind.BARS if bars else Kind.TICKS
    held = catalog.bar_days(symbol) if bars else catalog.days(symbol)
    days = [d for d in held if (first is None or d >= first) and (last is None or d <= last)]
    schema = (BARS if bars else TICKS).schema
    temp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    rows = 0
    writer: pq.ParquetWriter | pacsv.CSVWriter
    if fmt == "parquet":
        writer = pq.ParquetWriter(temp, schema, compression="zstd")
    else:
        writer = pacsv.CSVWriter(temp, schema)
    try:
        with writer:
            for done, day in enumerate(days, 1):
                table = catalog.day_table(kind, symbol, day)
                if table is None and bars:
                    table = BARS.table(list(catalog.bars(symbol, day, day)))
                if table is not None:
                    writer.write_table(table.cast(schema))
                    rows += table.num_rows
                if progress is not None:
                    progress(done, len(days))
        os.replace(temp, output)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return rows
