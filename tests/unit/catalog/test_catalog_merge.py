"""The rule one trading day's sources are merged by, on reads and in compaction."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from catalogkit import SYMBOL, some_ticks

from arbig.catalog.catalog import build_bars
from arbig.catalog.layout import Kind
from arbig.catalog.merge import merge_day
from arbig.catalog.schema import BARS, TICKS

MONDAY = date(2026, 11, 30)


def test_identical_ticks_once_and_ticks_of_one_time_that_differ_all_kept() -> None:
    ticks = some_ticks(MONDAY, 6)
    other = replace(ticks[2], last_price=ticks[2].last_price + Decimal("0.02"))
    day_file = TICKS.table([ticks[0], ticks[2], other, ticks[4]])
    segment = TICKS.table([ticks[1], ticks[2], ticks[3], ticks[4], ticks[5]])
    merged = merge_day(Kind.TICKS, [day_file, segment])
    assert merged is not None
    assert list(TICKS.rows(merged)) == [*ticks[:3], other, *ticks[3:]]


def test_one_bar_a_minute_the_first_sources() -> None:
    bars = build_bars(SYMBOL, some_ticks(MONDAY, 400))
    later = replace(bars[1], volume=bars[1].volume + 7)
    merged = merge_day(Kind.BARS, [BARS.table(bars[:2]), BARS.table([later, *bars[2:]])])
    assert merged is not None and list(BARS.rows(merged)) == bars
    # A bar file holding a minute twice (written before this rule) reads it once.
    doubled = merge_day(Kind.BARS, [BARS.table([bars[0], bars[1], later, *bars[2:]])])
    assert doubled is not None and list(BARS.rows(doubled)) == bars
    assert merge_day(Kind.BARS, []) is None
