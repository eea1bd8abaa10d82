"""Tick hygiene rules, pure: the usual CTP traps. The engine's tick filter applies them
to the live feed (with the clock skew it can see); the catalog's import to files."""

from datetime import datetime, timedelta
from decimal import Decimal

from arbig.domain.calendar import TradingCalendar
from arbig.domain.tick import Tick

# CTP fills a missing price with DBL_MAX; anything this large is a placeholder.
PLACEHOLDER = Decimal("1e300")


def is_placeholder(price: Decimal) -> bool:
    """Whether ``price`` stands for "no price" (CTP's DBL_MAX) rather than a price."""
    return price >= PLACEHOLDER


def drop_reason(
    tick: Tick,
    calendar: TradingCalendar,
    *,
    now: datetime | None = None,
    max_clock_skew: timedelta | None = None,
    check_sessions: bool = True,
) -> str | None:
    """Why ``tick`` is not market data to keep, or None: ``bad_price`` (no last price),
    ``clock_skew`` (stamped too far from ``now``, when given), ``out_of_session``."""
    if tick.last_price <= 0 or tick.last_price >= PLACEHOLDER:
        return "bad_price"
    if now is not None and max_clock_skew is not None:  # noqa: SIM102 - one rule per test
        if abs(tick.datetime - now) > max_clock_skew:
            return "clock_skew"
    if check_sessions and not calendar.in_session(tick.datetime):
        return "out_of_session"
    return None
