"""The live recorder: the bus's ticks and bars into the journal, readable at once,
compacted when the trading day changes and at stop."""

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from catalogkit import SYMBOL, some_ticks

from arbig.catalog import Catalog
from arbig.catalog.catalog import build_bars
from arbig.catalog.journal import SegmentWriter, read_segment
from arbig.catalog.layout import OPEN_SEGMENT, Kind
from arbig.catalog.recorder import CatalogRecorder
from arbig.catalog.schema import TICKS
from arbig.engine.bus import EventBus, EventType

MONDAY = date(2026, 11, 30)
TUESDAY = date(2026, 12, 1)


async def until(condition: Callable[[], bool], timeout_s: float = 20.0) -> None:
    """Wait, yielding to the loop, until ``condition`` holds (generous for a loaded box)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


def journal_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "journal").rglob("*.arrows*"))


async def test_recorded_ticks_read_back_before_and_after_compaction(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    bus = EventBus()
    recorder = CatalogRecorder(catalog, flush_interval_s=0.05, fsync=False)
    recorder.attach(bus)
    await recorder.start()
    monday = some_ticks(MONDAY, 200)
    for tick in monday[:120]:
        bus.publish(EventType.TICK, tick)
    await until(lambda: recorder.written >= 120)
    # Not compacted yet: read from the open segment.
    assert list(catalog.ticks(SYMBOL)) == monday[:120]
    assert [p.name.endswith(OPEN_SEGMENT) for p in journal_files(tmp_path)] == [True]
    for tick in monday[120:]:
        bus.publish(EventType.TICK, tick)
    for bar in build_bars(SYMBOL, monday):
        bus.publish(EventType.BAR, bar)
    bars = build_bars(SYMBOL, monday)
    tuesday = some_ticks(TUESDAY, 10, seed=4)
    await until(lambda: recorder.written >= 200 + len(build_bars(SYMBOL, monday)))
    for tick in tuesday:
        bus.publish(EventType.TICK, tick)
    # Tuesday's first ticks close Monday: its ticks are compacted into the day file.
    await until(lambda: catalog.layout.day_file(Kind.TICKS, SYMBOL, MONDAY).exists())
    assert list(catalog.ticks(SYMBOL, last=MONDAY)) == monday
    await recorder.stop()
    assert journal_files(tmp_path) == []
    assert list(catalog.ticks(SYMBOL)) == monday + tuesday
    assert list(catalog.bars(SYMBOL, last=MONDAY)) == build_bars(SYMBOL, monday)
    assert recorder.stats() == {"written": 210 + len(bars), "pending": 0, "dropped": 0, "errors": 0}
    # After stop, nothing more is taken.
    bus.publish(EventType.TICK, some_ticks(TUESDAY, 11, seed=4)[-1])
    assert recorder.stats()["pending"] == 0


async def test_a_later_run_adds_to_a_compacted_day(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    ticks = some_ticks(MONDAY, 60)
    for part in (ticks[:30], ticks[30:]):
        bus = EventBus()
        recorder = CatalogRecorder(catalog, flush_interval_s=0.05, fsync=False)
        recorder.attach(bus)
        await recorder.start()
        for tick in part:
            bus.publish(EventType.TICK, tick)
        await recorder.stop()
    assert list(catalog.ticks(SYMBOL)) == ticks
    assert journal_files(tmp_path) == []


def test_a_torn_last_batch_is_left_out_and_the_whole_ones_kept(tmp_path: Path) -> None:
    ticks = some_ticks(MONDAY, 30)
    path = tmp_path / "journal" / "ticks" / SYMBOL / MONDAY.isoformat() / f"s-1{OPEN_SEGMENT}"
    writer = SegmentWriter(path, TICKS.schema, fsync=False)
    writer.append(TICKS.table(ticks[:10]))
    writer.append(TICKS.table(ticks[10:20]))
    whole = path.stat().st_size
    writer.append(TICKS.table(ticks[20:]))
    writer.abandon()
    with open(path, "r+b") as file:
        file.truncate(whole + (path.stat().st_size - whole) // 2)
    table = read_segment(path)
    assert isinstance(table, pa.Table)
    assert list(TICKS.rows(table)) == ticks[:20]
    assert list(Catalog(tmp_path).ticks(SYMBOL)) == ticks[:20]
    # A dead writer's segment is compacted like a closed one.
    [done] = Catalog(tmp_path).compact()
    assert (done.rows, done.segments) == (20, 1)
    assert not path.exists()
    assert list(Catalog(tmp_path).ticks(SYMBOL)) == ticks[:20]


def test_a_live_writers_segment_is_not_compacted(tmp_path: Path) -> None:
    ticks = some_ticks(MONDAY, 10)
    path = tmp_path / "journal" / "ticks" / SYMBOL / MONDAY.isoformat() / f"s-1{OPEN_SEGMENT}"
    writer = SegmentWriter(path, TICKS.schema, fsync=False)
    writer.append(TICKS.table(ticks))
    assert Catalog(tmp_path).compact() == []
    assert list(Catalog(tmp_path).ticks(SYMBOL)) == ticks
    writer.close()
    assert [c.rows for c in Catalog(tmp_path).compact()] == [10]


def test_a_segment_killed_before_its_schema_holds_nothing(tmp_path: Path) -> None:
    path = tmp_path / "journal" / "ticks" / SYMBOL / MONDAY.isoformat() / f"s-1{OPEN_SEGMENT}"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xff\xff")
    assert read_segment(path) is None
    assert list(Catalog(tmp_path).ticks(SYMBOL)) == []


@pytest.mark.parametrize("written", [b"", b"\xff\xff", "schema"])
def test_a_segment_that_died_before_its_first_batch_is_no_day(
    tmp_path: Path, written: bytes | str
) -> None:
    path = tmp_path / "journal" / "ticks" / SYMBOL / MONDAY.isoformat() / f"s-1{OPEN_SEGMENT}"
    if written == "schema":
        SegmentWriter(path, TICKS.schema, fsync=False).abandon()
    else:
        assert isinstance(written, bytes)
        path.parent.mkdir(parents=True)
        path.write_bytes(written)
    catalog = Catalog(tmp_path)
    assert catalog.symbols() == []
    assert catalog.days(SYMBOL) == [] and catalog.bar_days(SYMBOL) == []
    assert catalog.day_info(SYMBOL) == []
    assert list(catalog.ticks(SYMBOL)) == [] and list(catalog.bars(SYMBOL)) == []
    assert catalog.day_table(Kind.TICKS, SYMBOL, MONDAY) is None
    # Compaction removes it, and writes no day file for it.
    [done] = catalog.compact()
    assert (done.kind, done.rows, done.segments) == (Kind.TICKS, 0, 1)
    assert not (tmp_path / "journal" / "ticks" / SYMBOL / MONDAY.isoformat()).exists()
    assert not catalog.layout.day_file(Kind.TICKS, SYMBOL, MONDAY).exists()
    assert catalog.compact() == []


def test_an_empty_segment_beside_a_day_file_leaves_it_as_it_was(tmp_path: Path) -> None:
    ticks = some_ticks(MONDAY, 10)
    catalog = Catalog(tmp_path)
    catalog.write_ticks(SYMBOL, MONDAY, ticks)
    path = catalog.layout.journal_day(Kind.TICKS, SYMBOL, MONDAY) / f"s-1{OPEN_SEGMENT}"
    SegmentWriter(path, TICKS.schema, fsync=False).abandon()
    assert [(i.ticks, i.pending_segments) for i in catalog.day_info(SYMBOL)] == [(10, 0)]
    [done] = catalog.compact()
    assert (done.rows, done.segments) == (10, 1)
    assert not path.exists() and list(catalog.ticks(SYMBOL)) == ticks


async def test_a_failed_write_is_counted_lost_and_the_next_flush_starts_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = Catalog(tmp_path)
    bus = EventBus()
    recorder = CatalogRecorder(catalog, flush_interval_s=0.05, fsync=False)
    recorder.attach(bus)
    await recorder.start()
    ticks = some_ticks(MONDAY, 30)
    for tick in ticks[:10]:
        bus.publish(EventType.TICK, tick)
    await until(lambda: recorder.written == 10)
    append = SegmentWriter.append

    def full_disk(self: SegmentWriter, table: pa.Table) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(SegmentWriter, "append", full_disk)
    for tick in ticks[10:20]:
        bus.publish(EventType.TICK, tick)
    await until(lambda: recorder.dropped == 10)
    assert not recorder.healthy
    monkeypatch.setattr(SegmentWriter, "append", append)
    for tick in ticks[20:]:
        bus.publish(EventType.TICK, tick)
    await until(lambda: recorder.written == 20)
    assert recorder.healthy
    await recorder.stop()
    assert list(catalog.ticks(SYMBOL)) == ticks[:10] + ticks[20:]
    assert recorder.stats()["errors"] == 1


async def test_a_stop_while_a_flush_waits_for_its_thread_loses_nothing(tmp_path: Path) -> None:
    # The loop's only worker thread is busy: the flush has taken its batch from the
    # buffer and waits for the thread when the stop comes. The batch must still be
    # written, and before the segments are closed.
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(1))
    busy = threading.Event()
    occupying = loop.run_in_executor(None, busy.wait, 20)
    catalog = Catalog(tmp_path)
    bus = EventBus()
    recorder = CatalogRecorder(catalog, flush_interval_s=0.01, fsync=False)
    recorder.attach(bus)
    await recorder.start()
    ticks = some_ticks(MONDAY, 30)
    for tick in ticks:
        bus.publish(EventType.TICK, tick)
    await until(lambda: recorder.stats()["pending"] == 0)  # the flush took them

    stopping = asyncio.create_task(recorder.stop())
    # The stop runs as far as it can while the thread is busy (on the loop alone).
    await asyncio.wait({stopping}, timeout=0.2)
    busy.set()
    await occupying
    await stopping

    assert list(catalog.ticks(SYMBOL)) == ticks
    assert journal_files(tmp_path) == []
    assert recorder.stats()["written"] == 30
