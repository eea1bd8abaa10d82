"""Tick hygiene: the usual CTP traps are dropped and counted by reason."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from enginekit import MONDAY_10AM, make_tick

from arbig.domain.calendar import TradingCalendar
from arbig.engine.hygiene import TickFilter

CALENDAR = TradingCalendar.gold()
# Monday 1 June 2026, 10:20 in Shanghai: the morning break (10:15-10:30).
MONDAY_BREAK = datetime(2026, 6, 1, 2, 20, tzinfo=UTC)
# Saturday 6 June 2026, 10:00 in Shanghai: no trading at all.
SATURDAY_10AM = datetime(2026, 6, 6, 2, 0, tzinfo=UTC)


def test_a_good_tick_in_session_passes() -> None:
    hygiene = TickFilter(CALENDAR)

    assert hygiene.accept(make_tick("920.00"), MONDAY_10AM)
    assert hygiene.dropped == Counter()


@pytest.mark.parametrize("price", ["0", "-1.00", "1e300", "1.7976931348623157e308"])
def test_a_zero_negative_or_placeholder_price_is_a_bad_price(price: str) -> None:
    hygiene = TickFilter(CALENDAR)

    assert hygiene.reason_to_drop(make_tick(price), MONDAY_10AM) == "bad_price"
    assert not hygiene.accept(make_tick(price), MONDAY_10AM)
    assert hygiene.dropped == Counter({"bad_price": 1})


@pytest.mark.parametrize("skew", [timedelta(minutes=4), -timedelta(minutes=4)])
def test_a_tick_far_from_our_clock_either_way_is_dropped_as_clock_skew(skew: timedelta) -> None:
    hygiene = TickFilter(CALENDAR)
    tick = make_tick(at=MONDAY_10AM + skew)

    assert not hygiene.accept(tick, MONDAY_10AM)
    assert hygiene.dropped == Counter({"clock_skew": 1})


def test_a_tick_within_the_allowed_skew_passes() -> None:
    hygiene = TickFilter(CALENDAR)

    assert hygiene.accept(make_tick(at=MONDAY_10AM - timedelta(minutes=2)), MONDAY_10AM)


def test_the_allowed_clock_skew_is_configurable() -> None:
    hygiene = TickFilter(CALENDAR, max_clock_skew=timedelta(seconds=5))
    tick = make_tick(at=MONDAY_10AM - timedelta(seconds=6))

    assert hygiene.reason_to_drop(tick, MONDAY_10AM) == "clock_skew"


def test_the_closing_snapshot_at_15_00_00_500_is_kept() -> None:
    hygiene = TickFilter(CALENDAR)
    close = datetime(2026, 6, 1, 7, 0, 0, 500_000, tzinfo=UTC)  # 15:00:00.500 in Shanghai
    assert hygiene.accept(make_tick(at=close), close)


@pytest.mark.parametrize("moment", [MONDAY_BREAK, SATURDAY_10AM], ids=["break", "saturday"])
def test_a_tick_outside_the_trading_sessions_is_dropped(moment: datetime) -> None:
    hygiene = TickFilter(CALENDAR)

    assert not hygiene.accept(make_tick(at=moment), moment)
    assert hygiene.dropped == Counter({"out_of_session": 1})


def test_session_checks_can_be_switched_off_for_the_always_open_simulator() -> None:
    hygiene = TickFilter(CALENDAR, check_sessions=False)

    assert hygiene.accept(make_tick(at=SATURDAY_10AM), SATURDAY_10AM)


def test_a_bad_price_is_named_before_any_other_problem() -> None:
    hygiene = TickFilter(CALENDAR)
    tick = make_tick("0", at=SATURDAY_10AM)

    assert hygiene.reason_to_drop(tick, MONDAY_10AM) == "bad_price"


def test_drops_are_counted_by_reason() -> None:
    hygiene = TickFilter(CALENDAR)
    ticks = [
        (make_tick("0"), MONDAY_10AM),
        (make_tick("1e300"), MONDAY_10AM),
        (make_tick(at=MONDAY_10AM + timedelta(hours=1)), MONDAY_10AM),
        (make_tick(at=MONDAY_BREAK), MONDAY_BREAK),
        (make_tick("920.00"), MONDAY_10AM),
    ]

    accepted = [hygiene.accept(tick, now) for tick, now in ticks]

    assert accepted == [False, False, False, False, True]
    assert hygiene.dropped == Counter({"bad_price": 2, "clock_skew": 1, "out_of_session": 1})


def test_asking_for_the_reason_does_not_count_a_drop() -> None:
    hygiene = TickFilter(CALENDAR)

    assert hygiene.reason_to_drop(make_tick("0"), MONDAY_10AM) == "bad_price"
    assert hygiene.dropped == Counter()
