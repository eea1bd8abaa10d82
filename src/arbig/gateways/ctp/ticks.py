"""CTP's market snapshot (``CThostFtdcDepthMarketDataField``) as ARBIG's ``Tick``.

The traps, all handled here at the edge:

- A price CTP does not have (no bid at the limit, no open before the first trade) is
  ``DBL_MAX``; some fronts send 0 or a negative number instead. Such a price becomes
  ``0`` in the tick, the domain's "no price", and the volume quoted at it 0, so that
  nothing matches against it and the hygiene rules (``domain.tick_hygiene``) drop a
  tick without a last price as ``bad_price``.
- The time is ``UpdateTime`` (HH:MM:SS) plus ``UpdateMillisec``, exchange time.
- The date: SHFE and INE stamp ``ActionDay`` with the calendar date and
  ``TradingDay`` with the trading day, so a Friday night tick at 21:05 has
  ActionDay = Friday and TradingDay = Monday, and one at 00:30 ActionDay = Saturday.
  Other exchanges fill ActionDay with the trading day at night; for them (and when
  ActionDay is missing) the calendar date is found from the trading day with the
  trading calendar: evening ticks belong to the business day before it, small-hours
  ticks to the day after that one.
- The trading day is CTP's ``TradingDay``; when it is missing, the calendar's.

Out-of-session and closing snapshots are not judged here: the same hygiene rules
as for every other gateway keep or drop them.
"""

import math
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from arbig.domain.calendar import EXCHANGE_TZ, TradingCalendar
from arbig.domain.contract import CENT, ContractError, ContractSpec
from arbig.domain.enums import Exchange
from arbig.domain.tick import Tick
from arbig.domain.tick_hygiene import PLACEHOLDER

ZERO = Decimal(0)
# Exchanges whose ActionDay is the calendar date also at night.
_ACTION_DAY_IS_CALENDAR = frozenset({Exchange.SHFE, Exchange.INE})
_EVENING, _MORNING = time(18, 0), time(6, 0)

# The fields of CThostFtdcDepthMarketDataField a tick is made of.
DEPTH_FIELDS = (
    "InstrumentID",
    "ExchangeID",
    "TradingDay",
    "ActionDay",
    "UpdateTime",
    "UpdateMillisec",
    "LastPrice",
    "Volume",
    "Turnover",
    "OpenInterest",
    "BidPrice1",
    "BidVolume1",
    "AskPrice1",
    "AskVolume1",
    "OpenPrice",
    "HighestPrice",
    "LowestPrice",
    "PreSettlementPrice",
    "PreClosePrice",
    "UpperLimitPrice",
    "LowerLimitPrice",
)

DepthFields = Mapping[str, Any]


class TickError(ValueError):
    """A snapshot that cannot be read as a tick (unknown contract, no time)."""


def depth_fields(data: object) -> dict[str, Any]:
    """The fields of a ``CThostFtdcDepthMarketDataField`` a tick needs, copied: CTP's
    struct lives only as long as the callback, so copy it on the API thread."""
    return {name: getattr(data, name) for name in DEPTH_FIELDS}


def price(value: float, spec: ContractSpec) -> Decimal:
    """A CTP price on the contract's grid; 0 when CTP means "no price" (DBL_MAX, 0,
    negative, not a number)."""
    if not math.isfinite(value) or value <= 0 or value >= float(PLACEHOLDER):
        return ZERO
    return spec.quantize(Decimal(repr(value)))


def _money(value: float) -> Decimal:
    if not math.isfinite(value) or value <= 0 or value >= float(PLACEHOLDER):
        return ZERO
    return Decimal(repr(value)).quantize(CENT)


def ctp_date(text: str) -> date | None:
    """A CTP date (YYYYMMDD); None when empty or not a date."""
    text = (text or "").strip()
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _clock(text: str, millis: int) -> time:
    try:
        moment = time.fromisoformat((text or "").strip())
    except ValueError:
        raise TickError(f"update time {text!r} is not HH:MM:SS") from None
    if not 0 <= millis < 1000:
        raise TickError(f"update milliseconds {millis} out of range")
    return moment.replace(microsecond=millis * 1000)


def previous_business_day(calendar: TradingCalendar, day: date) -> date:
    day -= timedelta(days=1)
    while not calendar.is_business_day(day):
        day -= timedelta(days=1)
    return day


def calendar_date(calendar: TradingCalendar, trading_day: date, clock: time) -> date:
    """The calendar date of a snapshot stamped ``clock`` in ``trading_day``: evenings
    are the business day before it, the small hours the day after that evening."""
    if clock >= _EVENING:
        return previous_business_day(calendar, trading_day)
    if clock < _MORNING:
        return previous_business_day(calendar, trading_day) + timedelta(days=1)
    return trading_day


def tick_from_depth(
    data: DepthFields, spec_for: Callable[[str], ContractSpec], calendar: TradingCalendar
) -> Tick:
    """The tick of a copied depth snapshot (``depth_fields``); TickError when the
    contract is unknown or the time unreadable."""
    symbol = str(data["InstrumentID"]).strip()
    try:
        spec = spec_for(symbol)
    except (ContractError, KeyError, ValueError) as exc:
        raise TickError(f"snapshot of an unknown contract {symbol!r}: {exc}") from None
    clock = _clock(str(data["UpdateTime"]), int(data["UpdateMillisec"]))
    trading_day = ctp_date(str(data["TradingDay"]))
    action_day = ctp_date(str(data["ActionDay"]))
    if action_day is not None and (spec.exchange in _ACTION_DAY_IS_CALENDAR or trading_day is None):
        day = action_day
    elif trading_day is not None:
        day = calendar_date(calendar, trading_day, clock)
    else:
        raise TickError(f"{symbol}: the snapshot has neither an action day nor a trading day")
    moment = datetime.combine(day, clock, EXCHANGE_TZ)
    if trading_day is None:
        trading_day = calendar.trading_day(moment)

    bid, ask = price(data["BidPrice1"], spec), price(data["AskPrice1"], spec)
    try:
        return Tick(
            symbol=symbol,
            exchange=spec.exchange,
            datetime=moment,
            trading_day=trading_day,
            last_price=price(data["LastPrice"], spec),
            volume=max(0, int(data["Volume"])),
            turnover=_money(data["Turnover"]),
            open_interest=max(0, int(data["OpenInterest"])),
            bid_price=bid,
            bid_volume=max(0, int(data["BidVolume1"])) if bid else 0,
            ask_price=ask,
            ask_volume=max(0, int(data["AskVolume1"])) if ask else 0,
            open_price=price(data["OpenPrice"], spec),
            high_price=price(data["HighestPrice"], spec),
            low_price=price(data["LowestPrice"], spec),
            pre_settlement=price(data["PreSettlementPrice"], spec),
            pre_close=price(data["PreClosePrice"], spec),
            limit_up=price(data["UpperLimitPrice"], spec),
            limit_down=price(data["LowerLimitPrice"], spec),
        )
    except (InvalidOperation, OverflowError, TypeError) as exc:
        raise TickError(f"{symbol}: unreadable snapshot field: {exc}") from None
