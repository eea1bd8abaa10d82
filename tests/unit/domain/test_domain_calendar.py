"""The SHFE gold calendar: sessions, breaks, weekends, holidays and the trading day.

Dates used: 2026-03-02 is a Monday, so 03-04 is a Wednesday and 03-06 a Friday.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arbig.domain.calendar import EXCHANGE_TZ, TradingCalendar

SH = ZoneInfo("Asia/Shanghai")
CAL = TradingCalendar.gold()
MON, TUE, WED, THU, FRI, SAT, SUN = (date(2026, 3, 2) + timedelta(days=i) for i in range(7))
NEXT_MON = date(2026, 3, 9)


def at(day: date, clock: str) -> datetime:
    """``clock`` (HH:MM or HH:MM:SS) on ``day`` in exchange time."""
    parts = [int(p) for p in clock.split(":")]
    hour, minute, second = (*parts, 0)[:3]
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SH)


def session_name(moment: datetime, calendar: TradingCalendar = CAL) -> str | None:
    session = calendar.session_at(moment)
    return None if session is None else session.name


@pytest.mark.parametrize(
    ("clock", "session"),
    [
        ("08:59:59", None),
        ("09:00", "morning_1"),
        ("10:15", "morning_1"),
        ("10:15:01", None),
        ("10:29:59", None),
        ("10:30", "morning_2"),
        ("11:30", "morning_2"),
        ("11:30:01", None),
        ("13:29:59", None),
        ("13:30", "afternoon"),
        ("15:00", "afternoon"),
        ("15:00:01", None),
        ("20:59:59", None),
        ("21:00", "night"),
        ("23:59:59", "night"),
        ("00:00", "night"),
        ("02:30", "night"),
        ("02:30:01", None),
        ("06:00", None),
    ],
)
def test_session_boundaries_on_a_wednesday_are_end_inclusive(clock: str, session: str) -> None:
    assert session_name(at(WED, clock)) == session


@pytest.mark.parametrize("clock", ["10:15", "11:30", "15:00", "02:30"])
def test_the_closing_snapshot_stamped_within_the_last_second_is_in_the_session(
    clock: str,
) -> None:
    # CTP's closing snapshot: UpdateTime 15:00:00, UpdateMillisec 500.
    assert CAL.in_session(at(WED, clock) + timedelta(milliseconds=500))
    assert CAL.in_session(at(WED, clock) + timedelta(microseconds=999_999))
    assert not CAL.in_session(at(WED, clock) + timedelta(seconds=1))


def test_the_morning_break_from_10_15_to_10_30_is_not_trading() -> None:
    assert not CAL.in_session(at(WED, "10:20"))
    assert CAL.in_session(at(WED, "10:14:59"))
    assert CAL.in_session(at(WED, "10:30:01"))


@pytest.mark.parametrize("day", [SAT, SUN])
@pytest.mark.parametrize("clock", ["09:30", "10:45", "14:00", "21:30", "23:00"])
def test_weekends_have_no_day_or_evening_session(day: date, clock: str) -> None:
    assert session_name(at(day, clock)) is None


def test_friday_night_runs_into_saturday_small_hours() -> None:
    assert session_name(at(FRI, "21:30")) == "night"
    assert session_name(at(SAT, "01:00")) == "night"
    assert session_name(at(SAT, "02:30")) == "night"
    assert session_name(at(SAT, "02:30:01")) is None


def test_there_is_no_night_session_after_sunday() -> None:
    assert session_name(at(MON, "01:00")) is None
    assert session_name(at(SUN, "01:00")) is None


@pytest.mark.parametrize(
    ("moment", "trading_day"),
    [
        (at(WED, "09:00"), WED),
        (at(WED, "15:00"), WED),
        (at(WED, "17:59:59"), WED),
        (at(WED, "21:00"), THU),
        (at(WED, "23:59:59"), THU),
        (at(THU, "00:00"), THU),
        (at(THU, "02:30"), THU),
        (at(FRI, "21:30"), NEXT_MON),
        (at(SAT, "01:00"), NEXT_MON),
        (at(SAT, "12:00"), NEXT_MON),
        (at(SUN, "22:00"), NEXT_MON),
        (at(MON, "01:00"), MON),
    ],
)
def test_the_night_session_belongs_to_the_next_trading_day(
    moment: datetime, trading_day: date
) -> None:
    assert CAL.trading_day(moment) == trading_day


# ---------------------------------------------------------------- holidays


def test_no_night_session_on_the_evening_before_a_holiday() -> None:
    calendar = TradingCalendar.gold([THU])
    assert not calendar.has_night_session(WED)
    assert session_name(at(WED, "21:30"), calendar) is None
    assert session_name(at(THU, "01:00"), calendar) is None
    assert session_name(at(THU, "10:00"), calendar) is None
    assert session_name(at(TUE, "21:30"), calendar) == "night"  # Tuesday night is untouched
    assert session_name(at(WED, "10:00"), calendar) == "morning_1"
    assert calendar.trading_day(at(WED, "21:30")) == FRI


def test_no_friday_night_session_before_a_monday_holiday() -> None:
    calendar = TradingCalendar.gold([NEXT_MON])
    assert not calendar.has_night_session(FRI)
    assert session_name(at(FRI, "21:30"), calendar) is None
    assert session_name(at(SAT, "01:00"), calendar) is None
    assert calendar.trading_day(at(FRI, "21:30")) == date(2026, 3, 10)


def test_national_day_week_closes_the_night_before_and_reopens_by_day() -> None:
    # 2025: the holiday ran Wednesday 1 October to Wednesday 8 October.
    holidays = [date(2025, 10, 1) + timedelta(days=i) for i in range(8)]
    calendar = TradingCalendar.gold(holidays)
    assert session_name(at(date(2025, 9, 30), "10:00"), calendar) == "morning_1"
    assert session_name(at(date(2025, 9, 30), "21:30"), calendar) is None
    assert calendar.trading_day(at(date(2025, 9, 30), "21:30")) == date(2025, 10, 9)
    assert session_name(at(date(2025, 10, 8), "21:30"), calendar) is None
    assert session_name(at(date(2025, 10, 9), "09:00"), calendar) == "morning_1"
    assert session_name(at(date(2025, 10, 9), "21:00"), calendar) == "night"


def test_a_weekend_day_listed_as_a_holiday_also_cancels_friday_night() -> None:
    calendar = TradingCalendar.gold([SAT])
    assert not calendar.has_night_session(FRI)


def test_an_ordinary_week_has_night_sessions_monday_to_friday_only() -> None:
    week = [MON + timedelta(days=i) for i in range(7)]
    assert [CAL.has_night_session(day) for day in week] == [True] * 5 + [False] * 2


# ---------------------------------------------------------------- time zones


@pytest.mark.parametrize(
    ("utc", "session", "trading_day"),
    [
        (datetime(2026, 3, 4, 0, 59, 59, tzinfo=UTC), None, WED),  # 08:59:59 in Shanghai
        (datetime(2026, 3, 4, 1, 0, tzinfo=UTC), "morning_1", WED),  # 09:00
        (datetime(2026, 3, 4, 7, 0, tzinfo=UTC), "afternoon", WED),  # 15:00
        (datetime(2026, 3, 4, 13, 0, tzinfo=UTC), "night", THU),  # 21:00 Wednesday
        (datetime(2026, 3, 4, 18, 30, tzinfo=UTC), "night", THU),  # 02:30 Thursday
        (datetime(2026, 3, 6, 13, 30, tzinfo=UTC), "night", NEXT_MON),  # Friday 21:30
        (datetime(2026, 3, 6, 17, 0, tzinfo=UTC), "night", NEXT_MON),  # Saturday 01:00
        (datetime(2026, 3, 7, 1, 30, tzinfo=UTC), None, NEXT_MON),  # Saturday 09:30
    ],
)
def test_utc_moments_are_read_in_exchange_time(
    utc: datetime, session: str | None, trading_day: date
) -> None:
    assert session_name(utc) == session
    assert CAL.trading_day(utc) == trading_day


def test_a_new_york_moment_is_read_in_exchange_time() -> None:
    # 20:00 EST on Tuesday 3 March is 09:00 on Wednesday in Shanghai.
    moment = datetime(2026, 3, 3, 20, 0, tzinfo=ZoneInfo("America/New_York"))
    assert session_name(moment) == "morning_1"
    assert CAL.trading_day(moment) == WED


def test_naive_datetimes_are_refused_rather_than_read_as_host_time() -> None:
    naive = datetime(2026, 3, 4, 9, 0)
    with pytest.raises(ValueError, match="no time zone"):
        CAL.session_at(naive)
    with pytest.raises(ValueError, match="no time zone"):
        CAL.trading_day(naive)


def test_exchange_time_is_shanghai() -> None:
    assert EXCHANGE_TZ.key == "Asia/Shanghai"


zones = st.sampled_from(["UTC", "Europe/London", "America/New_York", "Asia/Tokyo", "Asia/Kolkata"])


@given(
    moment=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(SH)
    ),
    zone=zones,
)
def test_the_answer_does_not_depend_on_the_zone_a_moment_is_written_in(
    moment: datetime, zone: str
) -> None:
    elsewhere = moment.astimezone(ZoneInfo(zone))
    assert CAL.session_at(elsewhere) == CAL.session_at(moment)
    assert CAL.trading_day(elsewhere) == CAL.trading_day(moment)


@given(
    moment=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(SH)
    ),
    holidays=st.sets(st.dates(date(2024, 1, 1), date(2027, 12, 31)), max_size=20),
)
def test_every_moment_belongs_to_a_business_day_not_before_it(
    moment: datetime, holidays: set[date]
) -> None:
    calendar = TradingCalendar.gold(holidays)
    day = calendar.trading_day(moment)
    assert calendar.is_business_day(day)
    assert day >= moment.date() - timedelta(days=1)
    session = calendar.session_at(moment)
    if session is not None and session.name != "night":
        assert day == moment.date()
    if session is not None and session.name == "night":
        evening = moment.date() if moment.hour >= 21 else moment.date() - timedelta(days=1)
        assert day == calendar.next_business_day(evening)
        assert calendar.has_night_session(evening)


@given(
    moment=st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(SH)
    )
)
def test_the_hourly_cached_trading_day_matches_the_exchange_clock(moment: datetime) -> None:
    """The cache keys by the UTC hour; the rule reads the exchange clock: 18:00 and later,
    and before 06:00, belong to the next business day."""
    local = moment.astimezone(SH)
    day = local.date()
    if local.hour >= 18:
        expected = CAL.next_business_day(day)
    elif local.hour < 6:
        expected = CAL.next_business_day(day - timedelta(days=1))
    else:
        expected = day if CAL.is_business_day(day) else CAL.next_business_day(day)
    assert CAL.trading_day(moment.astimezone(UTC)) == expected


@given(
    start=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(SH)
    ),
    steps_ms=st.lists(st.integers(-2_000, 90_000), min_size=1, max_size=40),
    zone=zones,
)
def test_the_remembered_answer_is_the_answer_for_moments_in_any_order(
    start: datetime, steps_ms: list[int], zone: str
) -> None:
    calendar = TradingCalendar.gold()
    moment = start.replace(microsecond=0) - timedelta(seconds=start.second)  # a minute's start
    for step in steps_ms:
        moment += timedelta(milliseconds=step)
        for written in (moment, moment.astimezone(ZoneInfo(zone))):
            assert calendar.session_at(written) == calendar._session_at(written)
