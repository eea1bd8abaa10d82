"""Simulated history: trading days of ticks from the simulator's own price path.

The sessions are the calendar's: a trading day's night session (21:00-02:30) runs on
the evening of the business day before it, when no holiday lies between; its day
sessions follow. A snapshot every ``interval`` from each session's start to its end
(the closing snapshot on the end itself, as CTP stamps it). The path carries on from
one day to the next, settling each day at its volume-weighted price.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

from arbig.domain.calendar import EXCHANGE_TZ, TradingCalendar
from arbig.domain.contract import ContractSpec
from arbig.domain.tick import Tick
from arbig.gateways.sim.pricepath import PricePath


def trading_days(calendar: TradingCalendar, last: date, count: int) -> list[date]:
    """The ``count`` trading days ending with ``last`` (itself moved back to a business
    day if it is none), oldest first."""
    if count < 1:
        raise ValueError("the number of days must be at least 1")
    day = last
    while not calendar.is_business_day(day):
        day -= timedelta(days=1)
    days = [day]
    while len(days) < count:
        day -= timedelta(days=1)
        if calendar.is_business_day(day):
            days.append(day)
    return days[::-1]


def previous_business_day(calendar: TradingCalendar, day: date) -> date:
    day -= timedelta(days=1)
    while not calendar.is_business_day(day):
        day -= timedelta(days=1)
    return day


def session_spans(calendar: TradingCalendar, day: date) -> list[tuple[datetime, datetime]]:
    """(start, end) of each session of trading day ``day``, in exchange time, in order."""
    spans: list[tuple[datetime, datetime]] = []
    eve = previous_business_day(calendar, day)
    for session in calendar.sessions:
        if session.crosses_midnight:
            if calendar.has_night_session(eve):
                start = datetime.combine(eve, session.start, EXCHANGE_TZ)
                end = datetime.combine(eve + timedelta(days=1), session.end, EXCHANGE_TZ)
                spans.append((start, end))
        else:
            start = datetime.combine(day, session.start, EXCHANGE_TZ)
            spans.append((start, datetime.combine(day, session.end, EXCHANGE_TZ)))
    return sorted(spans)


class Synthesizer:
    """Ticks of one contract, day after day, on one seeded price path."""

    def __init__(
        self,
        spec: ContractSpec,
        calendar: TradingCalendar,
        *,
        start_price: Decimal,
        volatility: float,
        seed: int | None,
        interval: timedelta = timedelta(milliseconds=500),
    ) -> None:
        self.calendar = calendar
        self.interval = interval
        self._path = PricePath.start(spec, start_price, volatility, seed)

    def day(self, day: date) -> list[Tick]:
        """Trading day ``day``'s ticks, in time order."""
        return list(self.stream(day))

    def stream(self, day: date) -> Iterator[Tick]:
        """Trading day ``day``'s ticks, one at a time."""
        step = self.interval
        next_tick = self._path.next_tick
        for start, end in session_spans(self.calendar, day):
            moment = start + step
            while moment <= end:
                yield next_tick(moment, day)
                moment += step

    def days(self, days: list[date]) -> Iterator[tuple[date, list[Tick]]]:
        for day in days:
            yield day, self.day(day)
