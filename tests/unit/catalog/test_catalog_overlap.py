"""Ticks imported into a trading day the recorder's journal still holds: every minute
once, and the day's bars those built from its merged ticks, before and after compaction."""

import asyncio
from datetime import date
from pathlib import Path

import pytest
from catalogkit import CALENDAR, SYMBOL, some_ticks

from arbig.catalog import Catalog
from arbig.catalog.catalog import build_bars
from arbig.catalog.export import export
from arbig.catalog.importer import import_file
from arbig.catalog.journal import SegmentWriter
from arbig.catalog.layout import OPEN_SEGMENT, Kind
from arbig.catalog.recorder import CatalogRecorder
from arbig.catalog.schema import BARS, TICKS
from arbig.config import ProductSettings
from arbig.domain.bar import Bar
from arbig.engine.bus import EventBus, EventType

MONDAY = date(2026, 11, 30)


def journal(catalog: Catalog, kind: Kind, name: str) -> SegmentWriter:
    folder = catalog.layout.journal_day(kind, SYMBOL, MONDAY)
    shape = TICKS if kind is Kind.TICKS else BARS
    return SegmentWriter(folder / f"{name}{OPEN_SEGMENT}", shape.schema, fsync=False)


def minutes(bars: list[Bar]) -> list[str]:
    return [f"{bar.start:%H:%M}" for bar in bars]


@pytest.mark.parametrize("recorder", ["closed", "killed", "live"])
def test_imported_ticks_overlapping_the_journal_count_each_minute_once(
    tmp_path: Path, recorder: str, request: pytest.FixtureRequest
) -> None:
    ticks = some_ticks(MONDAY, 600)  # five minutes of the night session
    recorded, imported = ticks[:400], ticks[200:]
    catalog = Catalog(tmp_path / "catalog")
    # The recorder wrote the first ticks and the bars of the minutes it saw close.
    tick_writer = journal(catalog, Kind.TICKS, "20261127T210000-1-1")
    bar_writer = journal(catalog, Kind.BARS, "20261127T210000-1-2")
    tick_writer.append(TICKS.table(recorded))
    bar_writer.append(BARS.table(build_bars(SYMBOL, recorded)[:-1]))
    for writer in (tick_writer, bar_writer):
        if recorder == "closed":
            writer.close()
        elif recorder == "killed":
            writer.abandon()
        else:
            request.addfinalizer(writer.abandon)  # a failed assertion leaves it open
    source = Catalog(tmp_path / "source")
    source.write_ticks(SYMBOL, MONDAY, imported)
    export(source, SYMBOL, tmp_path / "vendor.csv")

    report = import_file(
        catalog, tmp_path / "vendor.csv", ProductSettings().spec, CALENDAR, fmt="generic"
    )

    assert report.merged == 1
    expected = build_bars(SYMBOL, ticks)
    assert len(set(minutes(expected))) == len(expected) == 6
    assert list(catalog.ticks(SYMBOL)) == ticks
    assert list(catalog.bars(SYMBOL)) == expected
    if recorder == "live":
        tick_writer.close()
        bar_writer.close()
    done = catalog.compact()
    assert sorted(item.kind for item in done) == [Kind.BARS, Kind.TICKS]
    assert list(catalog.ticks(SYMBOL)) == ticks
    assert list(catalog.bars(SYMBOL)) == expected
    assert [info.bars for info in catalog.day_info(SYMBOL)] == [6]


async def test_an_import_while_the_recorder_runs_then_its_stop(tmp_path: Path) -> None:
    ticks = some_ticks(MONDAY, 600)
    catalog = Catalog(tmp_path / "catalog")
    bus = EventBus()
    recorder = CatalogRecorder(catalog, flush_interval_s=0.05, fsync=False)
    recorder.attach(bus)
    await recorder.start()
    try:
        recorded_bars = build_bars(SYMBOL, ticks[:400])[:-1]
        for tick in ticks[:400]:
            bus.publish(EventType.TICK, tick)
        for bar in recorded_bars:
            bus.publish(EventType.BAR, bar)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while recorder.written < 400 + len(recorded_bars):
            assert loop.time() < deadline, "the recorder did not write in time"
            await asyncio.sleep(0.01)
        source = Catalog(tmp_path / "source")
        source.write_ticks(SYMBOL, MONDAY, ticks[200:])
        export(source, SYMBOL, tmp_path / "vendor.csv")
        import_file(
            catalog, tmp_path / "vendor.csv", ProductSettings().spec, CALENDAR, fmt="generic"
        )
        assert list(catalog.ticks(SYMBOL)) == ticks
        assert list(catalog.bars(SYMBOL)) == build_bars(SYMBOL, ticks)
    finally:
        await recorder.stop()  # closes the segments and compacts them
    assert not list((tmp_path / "catalog" / "journal").rglob("*.arrows*"))
    assert list(catalog.ticks(SYMBOL)) == ticks
    assert list(catalog.bars(SYMBOL)) == build_bars(SYMBOL, ticks)


def test_the_journal_fills_the_minutes_an_import_does_not_hold(tmp_path: Path) -> None:
    ticks = some_ticks(MONDAY, 600)
    catalog = Catalog(tmp_path / "catalog")
    catalog.write_ticks(SYMBOL, MONDAY, ticks[:200])
    # A later run of the recorder, on minutes the day file does not hold; its first bar
    # is of a minute the day file holds already, and the day file's wins.
    tick_writer = journal(catalog, Kind.TICKS, "20261127T210300-1-1")
    bar_writer = journal(catalog, Kind.BARS, "20261127T210300-1-2")
    tick_writer.append(TICKS.table(ticks[150:]))
    bar_writer.append(BARS.table(build_bars(SYMBOL, ticks[150:])))
    tick_writer.close()
    bar_writer.close()
    held = build_bars(SYMBOL, ticks[:200])
    later = build_bars(SYMBOL, ticks[150:])
    expected = [*held, *(bar for bar in later if bar.start > held[-1].start)]
    assert list(catalog.ticks(SYMBOL)) == ticks
    assert list(catalog.bars(SYMBOL)) == expected
    catalog.compact()
    assert list(catalog.ticks(SYMBOL)) == ticks
    assert list(catalog.bars(SYMBOL)) == expected


def test_a_replacing_import_drops_the_recorded_ticks_and_bars_of_the_day(tmp_path: Path) -> None:
    ticks = some_ticks(MONDAY, 600)
    corrected = some_ticks(MONDAY, 300, seed=5)
    catalog = Catalog(tmp_path / "catalog")
    tick_writer = journal(catalog, Kind.TICKS, "20261127T210000-1-1")
    bar_writer = journal(catalog, Kind.BARS, "20261127T210000-1-2")
    tick_writer.append(TICKS.table(ticks))
    bar_writer.append(BARS.table(build_bars(SYMBOL, ticks)))
    tick_writer.close()
    bar_writer.close()
    source = Catalog(tmp_path / "source")
    source.write_ticks(SYMBOL, MONDAY, corrected)
    export(source, SYMBOL, tmp_path / "corrected.csv")
    report = import_file(
        catalog,
        tmp_path / "corrected.csv",
        ProductSettings().spec,
        CALENDAR,
        fmt="generic",
        replace=True,
    )
    assert report.replaced == 1
    for _ in range(2):  # before and after compaction
        assert list(catalog.ticks(SYMBOL)) == corrected
        assert list(catalog.bars(SYMBOL)) == build_bars(SYMBOL, corrected)
        catalog.compact()
