"""CTP snapshots become ARBIG ticks at the edge: times, dates, trading days and the
prices CTP does not have."""

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from mdkit import DBL_MAX, SYMBOL, depth

from arbig.config import Settings
from arbig.domain.calendar import EXCHANGE_TZ, TradingCalendar
from arbig.domain.contract import ContractSpec
from arbig.domain.enums import Exchange
from arbig.domain.tick_hygiene import tick_fault
from arbig.gateways.ctp.ticks import TickError, depth_fields, tick_from_depth

CALENDAR = TradingCalendar.gold()
FRIDAY, SATURDAY, MONDAY = date(2026, 6, 5), date(2026, 6, 6), date(2026, 6, 8)
TUESDAY, WEDNESDAY = date(2026, 6, 9), date(2026, 6, 10)


def spec_for(symbol: str) -> ContractSpec:
    return Settings(main_contract=SYMBOL).contract_spec(symbol)


def convert(snapshot: object, specs=spec_for):  # type: ignore[no-untyped-def]
    return tick_from_depth(depth_fields(snapshot), specs, CALENDAR)


def at(day: date, hh: int, mm: int, ss: int, ms: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, ms * 1000, tzinfo=EXCHANGE_TZ)


def test_friday_night_tick_is_stamped_friday_evening_for_mondays_trading_day() -> None:
    tick = convert(depth("21:00:01", millis=500, action_day="20260605", trading_day="20260608"))
    assert tick.datetime == at(FRIDAY, 21, 0, 1, 500)
    assert tick.trading_day == MONDAY
    assert tick_fault(tick, tick.datetime, CALENDAR) is None


def test_friday_night_after_midnight_is_saturday_small_hours_still_mondays_day() -> None:
    tick = convert(depth("00:30:00", action_day="20260606", trading_day="20260608"))
    assert tick.datetime == at(SATURDAY, 0, 30, 0)
    assert tick.trading_day == MONDAY
    assert tick_fault(tick, tick.datetime, CALENDAR) is None


def test_midnight_on_a_weekday_night_moves_the_date_not_the_trading_day() -> None:
    before = convert(depth("23:59:59", millis=500, action_day="20260609", trading_day="20260610"))
    after = convert(depth("00:00:00", action_day="20260610", trading_day="20260610"))
    assert before.datetime == at(TUESDAY, 23, 59, 59, 500)
    assert after.datetime == at(WEDNESDAY, 0, 0, 0)
    assert after.datetime - before.datetime == timedelta(milliseconds=500)
    assert before.trading_day == after.trading_day == WEDNESDAY


@pytest.mark.parametrize(
    ("clock", "expected"),
    [("21:05:00", at(FRIDAY, 21, 5, 0)), ("01:15:00", at(SATURDAY, 1, 15, 0))],
)
def test_missing_action_day_is_found_from_the_trading_day_with_the_calendar(
    clock: str, expected: datetime
) -> None:
    tick = convert(depth(clock, action_day="", trading_day="20260608"))
    assert (tick.datetime, tick.trading_day) == (expected, MONDAY)


def test_an_exchange_that_stamps_the_trading_day_as_action_day_is_dated_by_the_calendar() -> None:
    # DCE fills ActionDay with the trading day at night: Friday 21:05 says Monday.
    def dce(symbol: str) -> ContractSpec:
        return replace(spec_for(symbol), exchange=Exchange.DCE)

    tick = convert(depth("21:05:00", action_day="20260608", trading_day="20260608"), dce)
    assert tick.datetime == at(FRIDAY, 21, 5, 0)
    assert tick.exchange is Exchange.DCE


def test_missing_trading_day_comes_from_the_calendar() -> None:
    tick = convert(depth("21:05:00", action_day="20260605", trading_day=""))
    assert tick.trading_day == MONDAY


def test_prices_are_exact_decimals_on_the_tick_grid() -> None:
    tick = convert(depth("10:00:00", action_day="20260608", trading_day="20260608"))
    assert tick.last_price == Decimal("612.36")
    assert (tick.bid_price, tick.ask_price) == (Decimal("612.34"), Decimal("612.38"))
    assert (tick.limit_down, tick.limit_up) == (Decimal("561.66"), Decimal("659.32"))
    assert tick.pre_settlement == Decimal("610.50")
    assert tick.turnover == Decimal("734400000.00")


def test_dbl_max_means_no_price_and_nothing_quoted_at_it() -> None:
    # Limit up: nobody sells; before the first trade: no open, high or low.
    snapshot = depth(
        "09:00:00",
        action_day="20260608",
        trading_day="20260608",
        ask=DBL_MAX,
        ask_volume=3,
        OpenPrice=DBL_MAX,
        HighestPrice=DBL_MAX,
        LowestPrice=DBL_MAX,
    )
    tick = convert(snapshot)
    assert (tick.ask_price, tick.ask_volume) == (Decimal(0), 0)
    assert tick.open_price == tick.high_price == tick.low_price == Decimal(0)
    assert tick.bid_price == Decimal("612.34")


@pytest.mark.parametrize("last", [DBL_MAX, 0.0, -1.0, float("nan")])
def test_a_snapshot_without_a_last_price_is_dropped_by_the_hygiene_rules(last: float) -> None:
    tick = convert(depth("10:00:00", action_day="20260608", trading_day="20260608", last=last))
    assert tick.last_price == Decimal(0)
    assert tick_fault(tick, tick.datetime, CALENDAR) == "bad_price"


def test_junk_tick_outside_the_sessions_is_dropped_and_the_closing_snapshot_kept() -> None:
    junk = convert(depth("20:55:00", action_day="20260608", trading_day="20260609"))
    closing = convert(depth("15:00:00", millis=500, action_day="20260608", trading_day="20260608"))
    after = convert(depth("15:00:01", action_day="20260608", trading_day="20260608"))
    assert tick_fault(junk, junk.datetime, CALENDAR) == "out_of_session"
    assert tick_fault(closing, closing.datetime, CALENDAR) is None
    assert tick_fault(after, after.datetime, CALENDAR) == "out_of_session"


def test_an_unknown_contract_or_an_unreadable_time_is_a_tick_error() -> None:
    with pytest.raises(TickError, match="unknown contract 'zz2612'"):
        convert(depth("10:00:00", action_day="20260608", trading_day="20260608", symbol="zz2612"))
    with pytest.raises(TickError, match="HH:MM:SS"):
        convert(depth("", action_day="20260608", trading_day="20260608"))
    with pytest.raises(TickError, match="neither"):
        convert(depth("10:00:00", action_day="", trading_day=""))
