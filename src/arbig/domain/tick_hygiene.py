"""The rules a tick must pass before anything trades or marks on it: the usual CTP
traps (a placeholder or missing price, a stale or future time stamp, a snapshot outside
the trading sessions). The kernel's tick filter and the paper exchange both ask here."""

from datetime import datetime, timedelta
from decimal import Decimal

from arbig.domain.calendar import TradingCalendar
from arbig.domain.tick import Tick

# CTP fills a missing price with DBL_MAX; anything this large is a placeholder.
PLACEHOLDER = Decimal("1e300")
_ZERO = Decimal(0)  # a Decimal compares faster with a Decimal than with an int
MAX_CLOCK_SKEW = timedelta(minutes=3)


def tick_fault(
    tick: Tick,
    now: datetime,
    calendar: TradingCalendar,
    *,
    check_sessions: bool = True,
    max_clock_skew: timedelta = MAX_CLOCK_SKEW,
) -> str | None:
    """Why ``tick`` must be dropped (``bad_price``, ``clock_skew``, ``out_of_session``),
    or None when it is good."""
    price = tick.last_price
    if price <= _ZERO or price >= PLACEHOLDER:
        return "bad_price"
    if abs(tick.datetime - now) > max_clock_skew:
        return "clock_skew"
    if check_sessions and not calendar.in_session(tick.datetime):
        return "out_of_session"
    return None
