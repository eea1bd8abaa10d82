"""Tick hygiene: the usual CTP traps, dropped and counted by reason."""

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

from arbig.domain.calendar import TradingCalendar
from arbig.domain.tick import Tick

# CTP fills a missing price with DBL_MAX; anything this large is a placeholder.
_PLACEHOLDER = Decimal("1e300")


class TickFilter:
    def __init__(
        self,
        calendar: TradingCalendar,
        *,
        check_sessions: bool = True,
        max_clock_skew: timedelta = timedelta(minutes=3),
    ) -> None:
        self._calendar = calendar
        self._check_sessions = check_sessions
        self._max_skew = max_clock_skew
        self.dropped: Counter[str] = Counter()
        self.dropped_by_symbol: Counter[tuple[str, str]] = Counter()  # (symbol, reason)

    def reason_to_drop(self, tick: Tick, now: datetime) -> str | None:
        if tick.last_price <= 0 or tick.last_price >= _PLACEHOLDER:
            return "bad_price"
        if abs(tick.datetime - now) > self._max_skew:
            return "clock_skew"
        if self._check_sessions and not self._calendar.in_session(tick.datetime):
            return "out_of_session"
        return None

    def accept(self, tick: Tick, now: datetime) -> bool:
        reason = self.reason_to_drop(tick, now)
        if reason is None:
            return True
        self.dropped[reason] += 1
        self.dropped_by_symbol[tick.symbol, reason] += 1
        return False
