"""Tick hygiene: the usual CTP traps, dropped and counted by reason."""

from collections import Counter
from datetime import datetime, timedelta

from arbig.domain.calendar import TradingCalendar
from arbig.domain.tick import Tick
from arbig.domain.tick_hygiene import MAX_CLOCK_SKEW, tick_fault


class TickFilter:
    def __init__(
        self,
        calendar: TradingCalendar,
        *,
        check_sessions: bool = True,
        max_clock_skew: timedelta = MAX_CLOCK_SKEW,
    ) -> None:
        self._calendar = calendar
        self._check_sessions = check_sessions
        self._max_skew = max_clock_skew
        self.dropped: Counter[str] = Counter()
        self.dropped_by_symbol: Counter[tuple[str, str]] = Counter()  # (symbol, reason)

    def reason_to_drop(self, tick: Tick, now: datetime) -> str | None:
        return tick_fault(
            tick,
            now,
            self._calendar,
            check_sessions=self._check_sessions,
            max_clock_skew=self._max_skew,
        )

    def accept(self, tick: Tick, now: datetime) -> bool:
        reason = tick_fault(
            tick,
            now,
            self._calendar,
            check_sessions=self._check_sessions,
            max_clock_skew=self._max_skew,
        )
        if reason is None:
            return True
        self.dropped[reason] += 1
        self.dropped_by_symbol[tick.symbol, reason] += 1
        return False
