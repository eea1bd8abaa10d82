"""CTP's fields as ARBIG's values, and back: the one place the trader's wire format is read.

Works on copied structs (``bridge.Fields``), so it needs no CTP library. The enum
characters are CTP's (ThostFtdcUserApiDataType.h): direction ``0`` buy ``1`` sell;
offset ``0`` open, ``1`` close, ``2`` force close, ``3`` close today, ``4`` close
yesterday; order status and submit status as below.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from arbig.domain.calendar import EXCHANGE_TZ, TradingCalendar
from arbig.domain.enums import Direction, Exchange, Offset, OrderStatus, Side
from arbig.gateways.base import AccountReport
from arbig.gateways.ctp.bridge import Fields

SIDE_TO_CTP = {Side.BUY: "0", Side.SELL: "1"}
SIDE_FROM_CTP = {"0": Side.BUY, "1": Side.SELL}

OFFSET_TO_CTP = {
    Offset.OPEN: "0",
    Offset.CLOSE: "1",
    Offset.CLOSE_TODAY: "3",
    Offset.CLOSE_YESTERDAY: "4",
}
OFFSET_FROM_CTP = {
    "0": Offset.OPEN,
    "1": Offset.CLOSE,
    "2": Offset.CLOSE,  # force close (by the broker's risk desk): a plain close
    "3": Offset.CLOSE_TODAY,
    "4": Offset.CLOSE_YESTERDAY,
    "5": Offset.CLOSE,  # force off
    "6": Offset.CLOSE,  # local force close
}

# OrderStatus: 0 all traded, 1 part traded queueing, 2 part traded not queueing (the
# rest is gone), 3 no trade queueing, 4 no trade not queueing, 5 canceled,
# a unknown (accepted by the front, not yet by the exchange), b/c conditional orders.
_STATUS_FROM_CTP = {
    "0": OrderStatus.ALL_TRADED,
    "1": OrderStatus.PART_TRADED,
    "2": OrderStatus.CANCELLED,
    "3": OrderStatus.NOT_TRADED,
    "4": OrderStatus.CANCELLED,
    "5": OrderStatus.CANCELLED,
    "a": OrderStatus.SUBMITTING,
    "b": OrderStatus.NOT_TRADED,
    "c": OrderStatus.NOT_TRADED,
}
INSERT_REJECTED = "4"  # OrderSubmitStatus: the exchange refused the order

# DBL_MAX, which CTP sends for a price that has no value
_NO_VALUE = 1e300

_POSITION_TODAY, _POSITION_HISTORY = "1", "2"
POSITION_DIRECTION = {"2": Direction.LONG, "3": Direction.SHORT}


def order_status(fields: Fields) -> OrderStatus:
    """ARBIG's status of a CTP order report. A cancel by the exchange of an order it
    never took (submit status InsertRejected) is a rejection, not a cancel."""
    status = _STATUS_FROM_CTP.get(fields["OrderStatus"], OrderStatus.SUBMITTING)
    if fields.get("OrderSubmitStatus") == INSERT_REJECTED and not fields.get("VolumeTraded"):
        return OrderStatus.REJECTED
    return status


def price(value: float) -> Decimal:
    """A CTP double as a Decimal of its shortest repr (912.34, not 912.3399999...)."""
    if value is None or abs(value) >= _NO_VALUE:
        return Decimal(0)
    try:
        return Decimal(repr(float(value)))
    except InvalidOperation:
        return Decimal(0)


def exchange(code: str, default: Exchange = Exchange.SHFE) -> Exchange:
    try:
        return Exchange(code)
    except ValueError:
        return default


def ctp_date(text: str) -> date | None:
    """YYYYMMDD as a date (None for an empty or malformed field)."""
    try:
        return datetime.strptime(text, "%Y%m%d").date() if text else None
    except ValueError:
        return None


def session_datetime(trading_day: date, clock: str, calendar: TradingCalendar) -> datetime:
    """The exchange time of ``clock`` (HH:MM:SS) on ``trading_day``.

    CTP's own date fields are not to be trusted in the night session (exchanges differ
    in what they put there), so the date is derived: evening times belong to the night
    before the trading day (Friday evening for a Monday), times after midnight to the
    calendar day after that evening."""
    try:
        moment = time.fromisoformat(clock) if clock else time(0)
    except ValueError:
        moment = time(0)
    day = trading_day
    if moment.hour >= 18 or moment.hour < 6:
        evening = trading_day - timedelta(days=1)
        while not calendar.is_business_day(evening):
            evening -= timedelta(days=1)
        day = evening if moment.hour >= 18 else evening + timedelta(days=1)
    return datetime.combine(day, moment, EXCHANGE_TZ)


def account_report(fields: Fields, account_id: str) -> AccountReport:
    """The broker's trading account (CThostFtdcTradingAccountField)."""
    return AccountReport(
        account_id=account_id,
        balance=price(fields.get("Balance", 0.0)),
        available=price(fields.get("Available", 0.0)),
        margin=price(fields.get("CurrMargin", 0.0)),
        commission=price(fields.get("Commission", 0.0)),
        realized_pnl=price(fields.get("CloseProfit", 0.0)),
        unrealized_pnl=price(fields.get("PositionProfit", 0.0)),
        frozen_margin=price(fields.get("FrozenMargin", 0.0)),
        frozen_commission=price(fields.get("FrozenCommission", 0.0)),
        close_profit=price(fields.get("CloseProfit", 0.0)),
        deposit=price(fields.get("Deposit", 0.0)),
        withdraw=price(fields.get("Withdraw", 0.0)),
        trading_day=ctp_date(str(fields.get("TradingDay") or "")),
        pre_balance=price(fields.get("PreBalance", 0.0)),
    )
