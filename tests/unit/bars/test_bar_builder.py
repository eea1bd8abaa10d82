"""1-minute bars from recorded tick sequences: minutes, session breaks, the night
session's trading day, volume from cumulative counts, and the closing timer."""

import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from arbig.domain.bar import Bar, BarBuilder
from arbig.domain.tick import Tick

sys.path.insert(0, str(Path(__file__).parents[1] / "ticks"))

from tickkit import SYMBOL, at, make_tick

FRIDAY = date(2026, 11, 20)
MONDAY = date(2026, 11, 23)


def feed(builder: BarBuilder, ticks: list[Tick]) -> list[Bar]:
    return [bar for bar in map(builder.update, ticks) if bar is not None]


def tick(text: str, price: str, volume: int, day: date = FRIDAY, oi: int = 100) -> Tick:
    return make_tick(at(text), price, volume, trading_day=day, open_interest=oi)


def test_ohlc_volume_and_open_interest_of_one_minute() -> None:
    builder = BarBuilder(SYMBOL)
    bars = feed(
        builder,
        [
            tick("2026-11-20 09:00:00.500", "920.00", 10, oi=100),
            tick("2026-11-20 09:00:01.000", "921.00", 14, oi=101),
            tick("2026-11-20 09:00:30.000", "919.50", 20, oi=103),
            tick("2026-11-20 09:00:59.500", "920.50", 25, oi=102),
            tick("2026-11-20 09:01:00.000", "920.52", 26),
        ],
    )
    assert len(bars) == 1
    bar = bars[0]
    assert bar.start == at("2026-11-20 09:00:00")
    assert (bar.open, bar.high, bar.low, bar.close) == tuple(
        Decimal(p) for p in ("920.00", "921.00", "919.50", "920.50")
    )
    assert bar.volume == 15  # a cold start counts from the first tick: 25 - 10
    assert bar.open_interest == 102
    assert bar.trading_day == FRIDAY


def test_volume_is_the_growth_of_the_cumulative_count_between_bars() -> None:
    builder = BarBuilder(SYMBOL)
    bars = feed(
        builder,
        [
            tick("2026-11-20 09:00:10", "920.00", 100),
            tick("2026-11-20 09:00:50", "920.00", 110),
            tick("2026-11-20 09:01:10", "920.00", 130),
            tick("2026-11-20 09:01:50", "920.00", 135),
            tick("2026-11-20 09:02:05", "920.00", 140),
        ],
    )
    assert [b.volume for b in bars] == [10, 25]  # 110-100, 135-110: every lot counted once
    assert bars[1].turnover == Decimal("920.00") * 25 * 1000


def test_the_closing_snapshot_belongs_to_the_last_bar_of_the_session() -> None:
    builder = BarBuilder(SYMBOL)
    bars = feed(
        builder,
        [
            tick("2026-11-20 10:14:30", "920.00", 10),
            tick("2026-11-20 10:14:59.500", "920.10", 12),
            tick("2026-11-20 10:15:00.000", "920.40", 15),  # CTP's closing snapshot
            tick("2026-11-20 10:30:00.500", "921.00", 20),
        ],
    )
    assert [b.start for b in bars] == [at("2026-11-20 10:14:00")]
    assert bars[0].close == Decimal("920.40") and bars[0].volume == 5
    assert builder.current is not None and builder.current.start == at("2026-11-20 10:30:00")
    assert builder.current.volume == 5  # the break's volume is not lost: 20 - 15


def test_the_last_bar_of_a_session_is_closed_by_the_timer() -> None:
    builder = BarBuilder(SYMBOL, grace=timedelta(seconds=1), close_tolerance=timedelta(seconds=3))
    builder.update(tick("2026-11-20 14:59:58", "920.00", 10))
    builder.update(tick("2026-11-20 15:00:00.000", "920.20", 11))
    # The closing snapshot may still come within the tolerance: not yet.
    assert builder.close_due(at("2026-11-20 15:00:02")) is None
    bar = builder.close_due(at("2026-11-20 15:00:04"))
    assert bar is not None and bar.start == at("2026-11-20 14:59:00")
    assert bar.close == Decimal("920.20")
    assert builder.close_due(at("2026-11-20 15:10:00")) is None  # closed once


def test_an_ordinary_minute_closes_a_grace_period_after_it_ends() -> None:
    builder = BarBuilder(SYMBOL, grace=timedelta(seconds=1))
    builder.update(tick("2026-11-20 09:05:10", "920.00", 10))
    assert builder.close_due(at("2026-11-20 09:06:00.500")) is None
    assert builder.close_due(at("2026-11-20 09:06:01")) is not None


def test_a_tick_for_a_finished_minute_is_counted_late_and_its_volume_kept() -> None:
    builder = BarBuilder(SYMBOL)
    builder.update(tick("2026-11-20 09:05:10", "920.00", 10))
    builder.update(tick("2026-11-20 09:05:20", "920.00", 12))
    assert builder.close_due(at("2026-11-20 09:06:05")) is not None
    assert builder.update(tick("2026-11-20 09:05:59.500", "925.00", 15)) is None
    assert builder.late == 1
    builder.update(tick("2026-11-20 09:06:10", "920.00", 16))
    assert builder.current is not None and builder.current.volume == 4  # 16 - 12
    assert builder.current.high == Decimal("920.00")


def test_the_night_session_belongs_to_the_next_trading_day() -> None:
    builder = BarBuilder(SYMBOL)
    bars = feed(
        builder,
        [
            tick("2026-11-20 23:59:30", "920.00", 10, day=MONDAY),
            tick("2026-11-21 00:00:10", "920.20", 15, day=MONDAY),
            tick("2026-11-21 02:28:50", "920.30", 38, day=MONDAY),
            tick("2026-11-21 02:29:40", "920.40", 40, day=MONDAY),
            tick("2026-11-21 02:30:00.000", "920.60", 42, day=MONDAY),  # closing snapshot
        ],
    )
    last = builder.close_due(at("2026-11-21 02:31:00"))
    assert last is not None
    bars.append(last)
    assert [b.start.strftime("%d %H:%M") for b in bars] == [
        "20 23:59",
        "21 00:00",
        "21 02:28",
        "21 02:29",
    ]
    assert {b.trading_day for b in bars} == {MONDAY}  # Friday night trades for Monday
    assert bars[-1].close == Decimal("920.60") and bars[-1].volume == 4


def test_a_new_trading_day_counts_its_volume_from_zero() -> None:
    builder = BarBuilder(SYMBOL)
    feed(
        builder,
        [
            tick("2026-11-20 14:59:10", "920.00", 5000),
            tick("2026-11-20 14:59:50", "920.00", 5010),
        ],
    )
    assert builder.close_due(at("2026-11-20 15:01:00")) is not None
    bars = feed(
        builder,
        [
            tick("2026-11-20 21:00:00.500", "921.00", 30, day=MONDAY),  # auction + first trades
            tick("2026-11-20 21:00:30", "921.00", 45, day=MONDAY),
            tick("2026-11-20 21:01:00.500", "921.00", 50, day=MONDAY),
        ],
    )
    assert bars[0].trading_day == MONDAY and bars[0].volume == 45


def test_no_bar_spans_the_midday_break() -> None:
    builder = BarBuilder(SYMBOL)
    ticks = [
        tick("2026-11-20 11:29:50", "920.00", 10),
        tick("2026-11-20 11:30:00.000", "920.10", 11),
        tick("2026-11-20 13:30:00.500", "920.20", 12),
        tick("2026-11-20 13:31:00.500", "920.30", 13),
    ]
    bars = feed(builder, ticks)
    assert [(b.start.time().isoformat(), b.volume) for b in bars] == [
        ("11:29:00", 1),
        ("13:30:00", 1),
    ]
    assert all(b.start.tzinfo is not None for b in bars)
    assert bars[0].start + timedelta(minutes=1) <= datetime.fromisoformat(
        "2026-11-20T11:30:00+08:00"
    )


def test_ticks_stamped_in_utc_make_the_same_exchange_minutes() -> None:
    builder = BarBuilder(SYMBOL)
    first = tick("2026-11-20 09:00:10", "920.00", 1)
    utc = make_tick(first.datetime.astimezone(UTC) + timedelta(seconds=5), "921.00", 2)
    builder.update(first)
    builder.update(utc)
    bar = builder.flush()
    assert bar is not None and bar.start == at("2026-11-20 09:00:00") and bar.high == 921
