"""SHFE's delivery-month rule for individual accounts.

An individual (natural-person) account may not hold a position in a contract's
delivery month: it must be closed by the last trading day of the month before, after
which the exchange closes it by force. So ARBIG, which serves one individual trader,
refuses to open a position in a contract that is in its delivery month, and warns
about positions still held in the last trading days before it.
"""

from datetime import date

from arbig.domain.calendar import TradingCalendar
from arbig.domain.contract import ContractError, parse_symbol

RULE = (
    "SHFE does not let individual accounts hold positions in the delivery month "
    "(close them by the last trading day of the month before)"
)
# Trading days before the delivery month in which a held position is warned about.
WARN_TRADING_DAYS = 5


def in_delivery_month(symbol: str, trading_day: date) -> bool:
    """Whether ``symbol`` is in its delivery month on ``trading_day``."""
    try:
        _, year, month = parse_symbol(symbol)
    except ContractError:
        return False
    return (trading_day.year, trading_day.month) == (year, month)


def open_refusal(symbol: str, trading_day: date) -> str | None:
    """Why opening ``symbol`` on ``trading_day`` is refused, or None."""
    if not in_delivery_month(symbol, trading_day):
        return None
    return f"{symbol} is in its delivery month: {RULE}; open a later month"


def last_day_to_hold(symbol: str, calendar: TradingCalendar) -> date | None:
    """The last trading day before ``symbol``'s delivery month (None if not a symbol)."""
    try:
        _, year, month = parse_symbol(symbol)
    except ContractError:
        return None
    day = date(year, month, 1)
    while True:
        day = date.fromordinal(day.toordinal() - 1)
        if calendar.is_business_day(day):
            return day


def holding_warning(symbol: str, trading_day: date, calendar: TradingCalendar) -> str | None:
    """A warning for a position in ``symbol`` still held on ``trading_day``, in the last
    ``WARN_TRADING_DAYS`` trading days before its delivery month or in it."""
    if in_delivery_month(symbol, trading_day):
        return f"{symbol} is in its delivery month: {RULE}"
    last = last_day_to_hold(symbol, calendar)
    if last is None or trading_day > last:
        return None
    left = 0
    day = trading_day
    while day < last:
        day = calendar.next_business_day(day)
        left += 1
    if left >= WARN_TRADING_DAYS:
        return None
    when = "today" if left == 0 else f"within {left + 1} trading days"
    return f"close {symbol} by {last} ({when}): {RULE}"
