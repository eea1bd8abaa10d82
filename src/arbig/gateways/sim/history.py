"""Simulated history: the simulator's price path over whole trading days, with the
sessions and trading days right, for a backtest without recorded data (and tests).

A trading day's ticks start with the night session of the business day before it,
when the calendar has one (Friday night belongs to Monday; none before a holiday), then
its three day sessions; one snapshot every ``interval_ms`` inside each session.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

from arbig.domain.calendar import EXCHANGE_TZ, TradingCalendar
from arbig.domain.contract import ContractSpec
from arbig.domain.tick import Tick
from arbig.gateways.sim.pricepath import PricePath


def trading_days(calendar: TradingCalendar, first: date, count: int) -> list[date]:
    """``count`` trading days from ``first`` on (``first`` itself if it is one)."""
    day = first if calendar.is_business_day(first) else calendar.next_business_day(first)
    days = [day]
    while len(days) < count:
        days.append(calendar.next_business_day(days[-1]))
    return days[:count]


def session_windows(calendar: TradingCalendar, day: date) -> list[tuple[datetime, datetime]]:
    """The (start, end) of each session trading day ``day`` is made of, in time order,
    exchange time."""
    windows: list[tuple[datetime, datetime]] = []
    before = day - timedelta(days=1)
    while not calendar.is_business_day(before):
        before -= timedelta(days=1)
    for session in calendar.sessions:
        if session.crosses_midnight:
            if calendar.has_night_session(before) and calendar.next_business_day(before) == day:
                start = datetime.combine(before, session.start, EXCHANGE_TZ)
                end = datetime.combine(before + timedelta(days=1), session.end, EXCHANGE_TZ)
                windows.append((start, end))
        else:
            windows.append(
                (
                    datetime.combine(day, session.start, EXCHANGE_TZ),
                    datetime.combine(day, session.end, EXCHANGE_TZ),
                )
            )
    return sorted(windows)


def simulated_ticks(
    spec: ContractSpec,
    calendar: TradingCalendar,
    days: list[date],
    *,
    seed: int,
    start_price: Decimal = Decimal("920.00"),
    volatility: float = 0.0002,
    interval_ms: int = 500,
) -> Iterator[Tick]:
    """The simulator's price path through ``days`` (trading days, in order), one tick
    every ``interval_ms`` within their sessions; the same seed gives the same ticks."""
    path = PricePath.start(spec, start_price, volatility, seed)
    step = timedelta(milliseconds=interval_ms)
    for day in days:
        for start, end in session_windows(calendar, day):
            moment = start + step / 2  # CTP's snapshots come after the open, not on it
            while moment <= end:
                yield path.next_tick(moment, day)
                moment += step
