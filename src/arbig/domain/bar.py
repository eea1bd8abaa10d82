"""One-minute bars, and the pure builder that makes them from ticks."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from arbig.domain.calendar import EXCHANGE_TZ, GOLD_SESSIONS, Session
from arbig.domain.tick import Tick


@dataclass(frozen=True, slots=True)
class Bar:
    """OHLC of one exchange minute; ``start`` is the minute's first instant."""

    symbol: str
    trading_day: date
    start: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int
    turnover: Decimal
    open_interest: int


# Shanghai keeps UTC+8 all year, so exchange minutes are UTC minutes shifted by 480.
_UTC_OFFSET_MIN = 8 * 60
_DAY_MIN = 24 * 60


def _minute_of_day(clock: time) -> int:
    return clock.hour * 60 + clock.minute


class BarBuilder:
    """Builds one symbol's 1-minute bars from its ticks. Pure: the caller brings the clock.

    - A bar is one exchange minute of one trading day (``Tick.trading_day``, set at
      the gateway edge, is trusted; the night session belongs to the next day).
    - ``volume`` and ``turnover`` are the growth of the day's cumulative figures
      over the bar; the first bar after the builder starts counts from its first
      tick (earlier volume cannot be attributed to a minute), the first bar of a
      new trading day from zero (the day's counters restarted).
    - The exchange's closing snapshot, stamped on the session's last instant
      (10:15:00, 11:30:00, 15:00:00, 02:30:00), belongs to the minute before:
      sessions end there, so no bar starts at a session end or spans a break.
    - ``close_due(now)`` finishes the open bar once its minute is over (plus
      ``grace``, plus ``close_tolerance`` when a closing snapshot may still come),
      so the last bar of a session does not wait for the next session's first
      tick. A tick for a minute already finished is counted in ``late`` and left
      out (its volume shows in the next bar: cumulative counts are conserved).
    """

    def __init__(
        self,
        symbol: str,
        sessions: tuple[Session, ...] = GOLD_SESSIONS,
        *,
        grace: timedelta = timedelta(seconds=1),
        close_tolerance: timedelta = timedelta(seconds=3),
    ) -> None:
        self.symbol = symbol
        self.late = 0
        self.opened = 0  # bars opened so far: the caller sees which tick started one
        self._grace_s = grace.total_seconds()
        self._tolerance_s = close_tolerance.total_seconds()
        self._session_ends = frozenset(_minute_of_day(s.end) for s in sessions)
        self._minute = -1  # epoch minute of the open bar; -1: none open
        self._closed_minute = -1  # the newest minute already finished
        self._day: date | None = None
        self._start = self._end = datetime(1970, 1, 1, tzinfo=EXCHANGE_TZ)
        self._open = self._high = self._low = self._close = Decimal(0)
        self._oi = 0
        self._base_volume = 0
        self._base_turnover = Decimal(0)
        self._seen = False  # any tick yet (the first one only sets the baseline)
        self._cum_volume = 0  # the day's cumulative figures at the newest tick
        self._cum_turnover = Decimal(0)
        self._cum_day: date | None = None

    def update(self, tick: Tick) -> Bar | None:
        """Take ``tick``; returns the bar it finished, if it opened a new minute."""
        moment = tick.datetime
        # Comparing with the bar's own bounds is the fast path: datetimes sharing one
        # tzinfo compare without computing UTC offsets.
        if self._start <= moment < self._end and tick.trading_day == self._day:
            price = tick.last_price
            if price > self._high:
                self._high = price
            elif price < self._low:
                self._low = price
            self._close = price
            self._oi = tick.open_interest
            if tick.volume >= self._cum_volume:
                self._cum_volume = tick.volume
                self._cum_turnover = tick.turnover
            return None
        return self._roll(tick, int(moment.timestamp()) // 60)

    def close_due(self, now: datetime) -> Bar | None:
        """The open bar, finished, if its minute ended long enough before ``now``."""
        due = self.due_s
        if due is not None and now.timestamp() >= due:
            return self._finish()
        return None

    @property
    def due_s(self) -> float | None:
        """From when (epoch seconds) ``close_due`` finishes the open bar; None: none open."""
        if self._minute < 0:
            return None
        wait = self._grace_s
        if self._is_session_end(self._minute + 1):
            wait += self._tolerance_s
        return (self._minute + 1) * 60 + wait

    def flush(self) -> Bar | None:
        """Finish the open bar now, whatever the time (at shutdown, for a replay's end)."""
        return self._finish() if self._minute >= 0 else None

    @property
    def current(self) -> Bar | None:
        """The bar being built, as it stands."""
        return self._bar() if self._minute >= 0 else None

    def _is_session_end(self, minute: int) -> bool:
        return (minute + _UTC_OFFSET_MIN) % _DAY_MIN in self._session_ends

    def _roll(self, tick: Tick, minute: int) -> Bar | None:
        if self._is_session_end(minute) and tick.datetime.timestamp() - minute * 60 < (
            self._tolerance_s
        ):
            minute -= 1  # the closing snapshot
            if minute == self._minute and tick.trading_day == self._day:
                self._merge(tick)
                return None
        if minute <= self._closed_minute or (0 <= minute < self._minute):
            self.late += 1
            return None
        finished = self._finish() if self._minute >= 0 else None
        self._open_bar(tick, minute)
        return finished

    def _merge(self, tick: Tick) -> None:
        price = tick.last_price
        self._high = max(self._high, price)
        self._low = min(self._low, price)
        self._close = price
        self._oi = tick.open_interest
        self._track(tick)

    def _open_bar(self, tick: Tick, minute: int) -> None:
        self.opened += 1
        if not self._seen:
            base_volume, base_turnover = tick.volume, tick.turnover  # cold start
        elif tick.trading_day != self._cum_day:
            base_volume, base_turnover = 0, Decimal(0)  # the day's counters restarted
        else:
            base_volume, base_turnover = self._cum_volume, self._cum_turnover
        self._minute = minute
        self._day = tick.trading_day
        self._start = datetime.fromtimestamp(minute * 60, EXCHANGE_TZ)
        self._end = self._start + timedelta(minutes=1)
        self._open = self._high = self._low = self._close = tick.last_price
        self._oi = tick.open_interest
        self._base_volume, self._base_turnover = base_volume, base_turnover
        self._cum_volume, self._cum_turnover = base_volume, base_turnover
        self._seen = True
        self._track(tick)

    def _track(self, tick: Tick) -> None:
        if tick.volume >= self._cum_volume:
            self._cum_volume, self._cum_turnover = tick.volume, tick.turnover
        self._cum_day = tick.trading_day

    def _bar(self) -> Bar:
        assert self._day is not None
        return Bar(
            symbol=self.symbol,
            trading_day=self._day,
            start=self._start,
            open=self._open,
            high=self._high,
            low=self._low,
            close=self._close,
            volume=max(0, self._cum_volume - self._base_volume),
            turnover=max(Decimal(0), self._cum_turnover - self._base_turnover),
            open_interest=self._oi,
        )

    def _finish(self) -> Bar:
        bar = self._bar()
        self._closed_minute = self._minute
        self._minute = -1
        self._end = self._start  # an empty range: no tick takes the fast path
        return bar
