"""`arbig data synth`'s days: the calendar's trading days, sessions and night sessions."""

from datetime import date, time
from itertools import pairwise

from catalogkit import CALENDAR, some_ticks, synth

from arbig.catalog.synth import session_spans, trading_days
from arbig.domain.calendar import TradingCalendar

FRIDAY = date(2026, 11, 27)
MONDAY = date(2026, 11, 30)


def test_trading_days_skip_weekends_and_holidays() -> None:
    calendar = TradingCalendar.gold([date(2026, 12, 1)])
    assert trading_days(calendar, date(2026, 12, 2), 3) == [
        FRIDAY,
        MONDAY,
        date(2026, 12, 2),
    ]
    assert trading_days(calendar, date(2026, 11, 29), 1) == [FRIDAY]  # a Sunday: back to Friday


def test_mondays_night_session_is_on_friday_evening() -> None:
    spans = session_spans(CALENDAR, MONDAY)
    assert spans[0][0].date() == FRIDAY and spans[0][0].time() == time(21, 0)
    assert spans[0][1].date() == date(2026, 11, 28) and spans[0][1].time() == time(2, 30)
    assert [s.time() for s, _ in spans[1:]] == [time(9, 0), time(10, 30), time(13, 30)]


def test_no_night_session_before_a_holiday() -> None:
    calendar = TradingCalendar.gold([date(2026, 12, 1)])
    # Wednesday's eve is Monday evening, with the holiday in between: no night trading.
    assert [s.time() for s, _ in session_spans(calendar, date(2026, 12, 2))] == [
        time(9, 0),
        time(10, 30),
        time(13, 30),
    ]


def test_every_tick_lies_in_a_session_of_its_own_trading_day() -> None:
    ticks = synth().day(MONDAY)
    assert len(ticks) == 66_600  # 9 h 15 min of snapshots every 500 ms
    assert all(CALENDAR.in_session(t.datetime) for t in ticks[::97])
    assert {CALENDAR.trading_day(t.datetime) for t in ticks[::97]} == {MONDAY}
    assert {t.trading_day for t in ticks} == {MONDAY}
    assert all(a.datetime < b.datetime for a, b in pairwise(ticks))
    assert ticks[-1].datetime.time() == time(15, 0)


def test_the_same_seed_gives_the_same_history() -> None:
    assert some_ticks(MONDAY, 100, seed=5) == synth(5).day(MONDAY)[:100]
    assert some_ticks(MONDAY, 100, seed=5) != some_ticks(MONDAY, 100, seed=6)
