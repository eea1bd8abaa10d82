"""The shipped SHFE holiday calendar, the night sessions it removes, and the delivery
month rule for individual accounts."""

from datetime import date, datetime, timedelta

import pytest

from arbig.config import Settings
from arbig.domain.calendar import EXCHANGE_TZ, TradingCalendar
from arbig.domain.delivery import holding_warning, last_day_to_hold, open_refusal
from arbig.holidays import calendar_end, calendar_warnings, shipped_holidays, shipped_years

CALENDAR = TradingCalendar.gold(shipped_holidays())


def closures() -> list[date]:
    """The first day of each run of consecutive closed days (weekends included)."""
    days = set(shipped_holidays())
    return sorted(d for d in days if not _closed(d - timedelta(days=1), days))


def _closed(day: date, holidays: set[date]) -> bool:
    return day.weekday() >= 5 or day in holidays


def test_2026_and_2027_ship_and_only_weekdays_are_listed() -> None:
    assert [y.year for y in shipped_years()] == [2026, 2027]
    assert all(day.weekday() < 5 for day in shipped_holidays())
    assert all(year.source for year in shipped_years())
    assert calendar_end() == date(2027, 12, 31)


@pytest.mark.parametrize("first", closures(), ids=str)
def test_there_is_no_night_session_before_a_holiday(first: date) -> None:
    before = first - timedelta(days=1)
    while not CALENDAR.is_business_day(before):
        before -= timedelta(days=1)
    assert not CALENDAR.has_night_session(before)
    evening = datetime.combine(before, datetime.min.time(), EXCHANGE_TZ).replace(hour=21, minute=30)
    assert not CALENDAR.in_session(evening)
    assert not CALENDAR.is_business_day(first)


def test_the_31_december_evening_belongs_to_the_first_trading_day_of_2027() -> None:
    evening = datetime(2026, 12, 31, 21, 30, tzinfo=EXCHANGE_TZ)
    assert not CALENDAR.has_night_session(date(2026, 12, 31))
    assert CALENDAR.trading_day(evening) == date(2027, 1, 4)


def test_the_settings_carry_the_shipped_holidays_and_add_the_configured_ones() -> None:
    extra = date(2026, 7, 1)
    holidays = Settings(main_contract="au2702", holidays=[extra]).holidays
    assert date(2027, 1, 1) in holidays and extra in holidays


def test_contract_show_warnings_as_the_calendar_runs_out() -> None:
    assert any("ends on 2027-12-31" in w for w in calendar_warnings(date(2027, 11, 20)))
    assert any("ended on 2027-12-31" in w for w in calendar_warnings(date(2028, 1, 3)))
    assert any("2027 are provisional" in w for w in calendar_warnings(date(2026, 12, 2)))
    assert not any("ends" in w for w in calendar_warnings(date(2026, 12, 2)))


def test_opening_in_the_delivery_month_is_refused_and_earlier_it_is_not() -> None:
    refusal = open_refusal("au2612", date(2026, 12, 2))
    assert refusal is not None and "individual accounts may not hold" not in refusal
    assert "does not let individual accounts hold positions in the delivery month" in refusal
    assert open_refusal("au2612", date(2026, 11, 30)) is None
    assert open_refusal("au2702", date(2026, 12, 2)) is None


def test_a_position_is_warned_about_in_the_last_trading_days_before_its_delivery_month() -> None:
    assert last_day_to_hold("au2702", CALENDAR) == date(2027, 1, 29)
    assert holding_warning("au2702", date(2027, 1, 20), CALENDAR) is None
    warning = holding_warning("au2702", date(2027, 1, 25), CALENDAR)
    assert warning is not None and "close au2702 by 2027-01-29" in warning
    assert "today" in (holding_warning("au2702", date(2027, 1, 29), CALENDAR) or "")
    assert "delivery month" in (holding_warning("au2702", date(2027, 2, 1), CALENDAR) or "")
