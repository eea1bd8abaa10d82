"""One trading day's rows from several sources (its day file, journal segments, an
import) as one table: the rule reads and compaction share (docs/data.md, "One day from
several sources").

Ticks: a row identical to an earlier one (time and every field) is kept once; ticks of
one time that differ are all kept. Bars: one per minute, the first source's (the day
file's before the journal's, an older segment's before a newer one's). The result is in
time order; rows of one time keep the order of their sources.
"""

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from arbig.catalog.layout import Kind
from arbig.catalog.schema import TIME_COLUMN

_ORDER = "__arbig_order"


def merge_day(kind: Kind, parts: Sequence[pa.Table]) -> pa.Table | None:
    """``parts``, first source first, as one table by the rule above; None if none."""
    if not parts:
        return None
    time = TIME_COLUMN[kind]
    # One source holds each tick once (a segment is written once, a day file merged
    # when written); a bar file is checked, its minutes being few.
    if len(parts) == 1 and (kind is Kind.TICKS or not _repeats(parts[0][time])):
        return parts[0]
    merged = pa.concat_tables(parts)
    same = [time] if kind is Kind.BARS else [time, *(c for c in merged.column_names if c != time)]
    merged = merged.append_column(_ORDER, pa.array(range(merged.num_rows), pa.int64()))
    # Sorted so that a repeated row comes right after the first of its kind.
    order = pc.sort_indices(merged, sort_keys=[(name, "ascending") for name in [*same, _ORDER]])
    ordered = merged.take(order)
    kept = ordered.filter(pc.invert(_same_as_previous(ordered, same)))
    if len(same) > 1:  # back to time order, sources' order within one time
        kept = kept.take(
            pc.sort_indices(kept, sort_keys=[(time, "ascending"), (_ORDER, "ascending")])
        )
    return kept.drop_columns([_ORDER])


def _repeats(column: pa.ChunkedArray) -> bool:
    values = column.combine_chunks()
    return len(values) > 1 and bool(pc.any(pc.equal(values[1:], values[:-1])).as_py())


def _same_as_previous(table: pa.Table, columns: Sequence[str]) -> pa.Array:
    """Per row, whether it equals the row before it in every one of ``columns``."""
    same: pa.Array | None = None
    for name in columns:
        values = table[name].combine_chunks()
        equal = pc.equal(values[1:], values[:-1])
        same = equal if same is None else pc.and_(same, equal)
    assert same is not None
    return pa.concat_arrays([pa.array([False] if table.num_rows else [], pa.bool_()), same])
