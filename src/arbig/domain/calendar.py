"""The SHFE gold trading calendar.

Day sessions 09:00-10:15, 10:30-11:30, 13:30-15:00; the night session
21:00-02:30 belongs to the next trading day (Friday night to Monday). There is
no night session on the evening before a holiday. Times are exchange time.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

EXCHANGE_TZ = ZoneInfo("Asia/Shanghai")


def to_exchange_time(moment: datetime) -> datetime:
    """``moment`` in exchange time. A naive datetime is refused: ``astimezone`` would
    silently read it as the host's local time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone; exchange time needs one")
    return moment.astimezone(EXCHANGE_TZ)


@dataclass(frozen=True, slots=True)
class Session:
    name: str
    start: time
    end: time

    @property
    def crosses_midnight(self) -> bool:
        return self.end < self.start


# An empty span: no moment is in it.
_NEVER = datetime(1970, 1, 1, tzinfo=EXCHANGE_TZ)

GOLD_SESSIONS: tuple[Session, ...] = (
    Session("night", time(21, 0), time(2, 30)),
    Session("morning_1", time(9, 0), time(10, 15)),
    Session("morning_2", time(10, 30), time(11, 30)),
    Session("afternoon", time(13, 30), time(15, 0)),
)


@dataclass(frozen=True, slots=True)
class TradingCalendar:
    """Sessions of one product plus the exchange's holidays (configured dates)."""

    sessions: tuple[Session, ...] = GOLD_SESSIONS
    holidays: frozenset[date] = field(default_factory=frozenset)
    # The session lookup is cached by calendar, asked twice per tick: hashing the
    # sessions and holidays anew each time cost more than the cached lookup itself.
    _hash: int = field(init=False, repr=False, compare=False)
    # The last answer of session_at and the span it holds for, (from, until, session):
    # ticks come in time order, and a minute's ticks all get one answer. One tuple,
    # swapped whole, so that a reader never mixes two answers.
    _last: list[tuple[datetime, datetime, "Session | None"]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.sessions, self.holidays)))
        object.__setattr__(self, "_last", [(_NEVER, _NEVER, None)])

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[type["TradingCalendar"], tuple[Any, ...]]:
        # Rebuilt, not restored: a hash from another process (PYTHONHASHSEED) is stale.
        return (TradingCalendar, (self.sessions, self.holidays))

    @classmethod
    def gold(cls, holidays: Iterable[date] = ()) -> "TradingCalendar":
        return cls(GOLD_SESSIONS, frozenset(holidays))

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def next_business_day(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def has_night_session(self, day: date) -> bool:
        """Night trading on the evening of ``day``: only if no holiday lies before the next
        trading day (weekends are fine)."""
        if not self.is_business_day(day):
            return False
        nxt = self.next_business_day(day)
        gap = (day + timedelta(days=i) for i in range(1, (nxt - day).days))
        return all(d.weekday() >= 5 and d not in self.holidays for d in gap)

    def session_at(self, moment: datetime) -> Session | None:
        """The session trading at ``moment``, its end second included: CTP stamps the
        closing snapshot with the session's last second, and milliseconds (15:00:00.500)."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            to_exchange_time(moment)  # raises: a naive moment has no place on the clock
        start, until, session = self._last[0]
        if start <= moment < until:
            return session
        # Sessions start and end on whole minutes, the end's first second included, so
        # the answer is the same for a minute's seconds 1-59: cached by (minute, second 0).
        seconds = int(moment.timestamp())
        minute, first = seconds // 60, seconds % 60 == 0
        session = _session_at(self, minute, first)
        start_s = minute * 60 if first else minute * 60 + 1
        until_s = minute * 60 + 1 if first else minute * 60 + 60
        self._last[0] = (
            datetime.fromtimestamp(start_s, EXCHANGE_TZ),
            datetime.fromtimestamp(until_s, EXCHANGE_TZ),
            session,
        )
        return session

    def _session_at(self, moment: datetime) -> Session | None:
        local = to_exchange_time(moment)
        clock = local.time().replace(tzinfo=None, microsecond=0)
        for session in self.sessions:
            if session.crosses_midnight:
                if clock >= session.start:
                    if self.has_night_session(local.date()):
                        return session
                elif clock <= session.end and self.has_night_session(
                    local.date() - timedelta(days=1)
                ):
                    return session
            elif session.start <= clock <= session.end and self.is_business_day(local.date()):
                return session
        return None

    def in_session(self, moment: datetime) -> bool:
        if moment.tzinfo is not None:  # session_at's remembered span, without the call
            start, until, session = self._last[0]
            if start <= moment < until:
                return session is not None
        return self.session_at(moment) is not None

    def trading_day(self, moment: datetime) -> date:
        """The trading day ``moment`` belongs to: evenings (from 18:00) and the small hours
        (before 06:00) count for the next business day."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            to_exchange_time(moment)  # raises: a naive moment has no place on the clock
        return _trading_day(self.holidays, int(moment.timestamp() // 3600))


@lru_cache(maxsize=4096)
def _session_at(calendar: TradingCalendar, minute: int, first_second: bool) -> Session | None:
    second = 0 if first_second else 1
    return calendar._session_at(datetime.fromtimestamp(minute * 60 + second, EXCHANGE_TZ))


@lru_cache(maxsize=512)
def _trading_day(holidays: frozenset[date], utc_hour: int) -> date:
    """Cached by the hour: the engine asks for every tick and order, and the answer changes
    twice a day, at 18:00 and 06:00 exchange time. Shanghai's offset has been whole hours
    since 1901, so a UTC hour never straddles those; no time-zone conversion on the hot path.
    Keyed by the holidays (a frozenset caches its own hash), not the whole calendar."""
    local = datetime.fromtimestamp(utc_hour * 3600, EXCHANGE_TZ)
    calendar = TradingCalendar(GOLD_SESSIONS, holidays)
    day = local.date()
    if local.hour >= 18:
        return calendar.next_business_day(day)
    if local.hour < 6:
        return calendar.next_business_day(day - timedelta(days=1))
    return day if calendar.is_business_day(day) else calendar.next_business_day(day)
