"""The CSV files `arbig data import` reads, one parser per format (docs/data.md).

- ``vnpy``: vn.py's DataManager export of 1-minute bars (symbol, exchange, datetime,
  open, high, low, close, volume, turnover, open_interest), or a vn.py ``TickData``
  dump (datetime, last_price, bid_price_1, ...). Times are exchange time.
- ``ctp``: a dump of CTP's ``CThostFtdcDepthMarketDataField`` (TradingDay, ActionDay,
  UpdateTime, UpdateMillisec, InstrumentID, LastPrice, BidPrice1, ...), under its
  English field names or the Chinese ones common data vendors use.
- ``generic``: any tick file, with ``--map field=column`` naming the columns of the
  ``Tick`` fields (``datetime`` and ``last_price`` at least).

A parser turns a row (column -> text) into a ``Tick`` or a ``Bar``, or raises
``RowError`` with the reason, and never decides what is kept: the importer applies
the hygiene rules.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from arbig.domain.bar import Bar
from arbig.domain.calendar import EXCHANGE_TZ, TradingCalendar
from arbig.domain.contract import ContractError, ContractSpec
from arbig.domain.tick import Tick
from arbig.domain.tick_hygiene import PLACEHOLDER

Row = Mapping[str, str]
SpecFor = Callable[[str], ContractSpec]
_SCALE = Decimal("0.0001")
_TOLERANCE = Decimal("0.000001")  # a float printed long (612.34000000000003) still on tick


class RowError(ValueError):
    """A row that does not make a tick or a bar: ``reason`` is a machine string."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class FormatError(ValueError):
    """A file that is not of the format asked for (its columns say so)."""


# CTP's field names, and the Chinese headers vendors' dumps carry for them.
CTP_ALIASES = {
    "交易日": "TradingDay",
    "合约代码": "InstrumentID",
    "交易所代码": "ExchangeID",
    "最新价": "LastPrice",
    "上次结算价": "PreSettlementPrice",
    "昨收盘": "PreClosePrice",
    "今开盘": "OpenPrice",
    "最高价": "HighestPrice",
    "最低价": "LowestPrice",
    "数量": "Volume",
    "成交金额": "Turnover",
    "持仓量": "OpenInterest",
    "涨停板价": "UpperLimitPrice",
    "跌停板价": "LowerLimitPrice",
    "最后修改时间": "UpdateTime",
    "最后修改毫秒": "UpdateMillisec",
    "申买价一": "BidPrice1",
    "申买量一": "BidVolume1",
    "申卖价一": "AskPrice1",
    "申卖量一": "AskVolume1",
    "业务日期": "ActionDay",
}
CTP_REQUIRED = ("TradingDay", "InstrumentID", "UpdateTime", "LastPrice", "Volume")
VNPY_BAR_REQUIRED = ("datetime", "open", "high", "low", "close", "volume")
VNPY_TICK_REQUIRED = ("datetime", "last_price", "volume")
GENERIC_REQUIRED = ("datetime", "last_price")
# --datetime-format values for times given as a count since 1970 (the tick stream's
# ``timestamp`` is epoch milliseconds), in microseconds per unit.
EPOCH_UNITS = {"epoch_s": 1_000_000, "epoch_ms": 1_000, "epoch_us": 1}


@dataclass(frozen=True, slots=True)
class Format:
    """A parser for the columns of one file: ``kind`` is ``ticks`` or ``bars``."""

    name: str
    kind: str
    parse: Callable[[Row], Tick | Bar]


def detect(columns: list[str]) -> str:
    """The format a header row shows, or FormatError naming what was found."""
    names = {CTP_ALIASES.get(c, c) for c in columns}
    if {"TradingDay", "UpdateTime"} <= names:
        return "ctp"
    if {"datetime", "open", "close"} <= names or {"datetime", "last_price"} <= names:
        return "vnpy"
    raise FormatError(
        "cannot tell the format from the columns "
        f"({', '.join(columns[:12]) or 'none'}); pass --format ctp, vnpy or generic"
    )


def make_format(
    name: str,
    columns: list[str],
    spec_for: SpecFor,
    calendar: TradingCalendar,
    *,
    symbol: str | None = None,
    mapping: Mapping[str, str] | None = None,
    datetime_format: str | None = None,
) -> Format:
    """The parser of format ``name`` for a file with ``columns`` (FormatError when the
    columns do not fit it, naming the missing ones)."""
    parse = _Parser(spec_for, calendar, symbol, datetime_format)
    if name == "ctp":
        _require(name, [CTP_ALIASES.get(c, c) for c in columns], CTP_REQUIRED)
        return Format(name, "ticks", lambda row: parse.ctp(_aliased(row)))
    if name == "vnpy":
        if {"open", "close"} <= set(columns):
            _require(name, columns, VNPY_BAR_REQUIRED)
            _need_symbol(name, columns, symbol)
            return Format(name, "bars", parse.vnpy_bar)
        _require(name, columns, VNPY_TICK_REQUIRED)
        _need_symbol(name, columns, symbol)
        return Format(name, "ticks", lambda row: parse.generic(row, _VNPY_TICK))
    if name == "generic":
        fields = dict(mapping or {})
        missing = [f for f in GENERIC_REQUIRED if f not in fields and f not in columns]
        if missing:
            raise FormatError(
                f"generic: no column for {', '.join(missing)}; map them with "
                "--map datetime=COLUMN --map last_price=COLUMN"
            )
        unknown = [c for c in fields.values() if c not in columns]
        if unknown:
            raise FormatError(
                f"generic: --map names columns the file does not have: {', '.join(unknown)} "
                f"(it has {', '.join(columns[:12])})"
            )
        wanted = {field: fields.get(field, field) for field in _GENERIC_FIELDS}
        present = {field: column for field, column in wanted.items() if column in columns}
        _need_symbol(name, list(present), symbol)
        return Format(name, "ticks", lambda row: parse.generic(row, present))
    raise FormatError(f"unknown format {name!r}: ctp, vnpy or generic")


_GENERIC_FIELDS = (
    "symbol",
    "datetime",
    "last_price",
    "volume",
    "turnover",
    "open_interest",
    "bid_price",
    "bid_volume",
    "ask_price",
    "ask_volume",
    "open_price",
    "high_price",
    "low_price",
    "pre_settlement",
    "pre_close",
    "limit_up",
    "limit_down",
)
_VNPY_TICK = {
    **{field: field for field in _GENERIC_FIELDS},
    "bid_price": "bid_price_1",
    "bid_volume": "bid_volume_1",
    "ask_price": "ask_price_1",
    "ask_volume": "ask_volume_1",
}


def _require(name: str, columns: list[str], required: tuple[str, ...]) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise FormatError(
            f"not a {name} file: missing columns {', '.join(missing)} "
            f"(it has {', '.join(columns[:12]) or 'none'})"
        )


def _need_symbol(name: str, columns: list[str], symbol: str | None) -> None:
    if symbol is None and "symbol" not in columns:
        raise FormatError(f"{name}: the file has no symbol column; pass --symbol")


def _aliased(row: Row) -> dict[str, str]:
    return {CTP_ALIASES.get(key, key): value for key, value in row.items()}


class _Parser:
    def __init__(
        self,
        spec_for: SpecFor,
        calendar: TradingCalendar,
        symbol: str | None,
        datetime_format: str | None,
    ) -> None:
        self._spec_for = spec_for
        self._specs: dict[str, ContractSpec] = {}
        self._calendar = calendar
        self._symbol = symbol
        self._format = datetime_format

    def spec(self, symbol: str) -> ContractSpec:
        spec = self._specs.get(symbol)
        if spec is None:
            try:
                spec = self._specs[symbol] = self._spec_for(symbol)
            except (ContractError, ValueError, KeyError):
                raise RowError(
                    "unknown_contract", f"{symbol!r} is no contract ARBIG knows"
                ) from None
        return spec

    def _symbol_of(self, row: Row, column: str | None) -> str:
        symbol = (row.get(column) or "").strip() if column else ""
        if self._symbol is not None:
            if symbol and symbol != self._symbol:
                raise RowError("other_contract", f"{symbol}, not {self._symbol}")
            return self._symbol
        if not symbol:
            raise RowError("unparsable", "no symbol")
        return symbol

    def ctp(self, row: Row) -> Tick:
        symbol = self._symbol_of(row, "InstrumentID")
        spec = self.spec(symbol)
        trading_day = _yyyymmdd(row.get("TradingDay", ""), "TradingDay")
        clock = _clock(row.get("UpdateTime", ""), row.get("UpdateMillisec") or "0")
        moment = self._ctp_moment(trading_day, row.get("ActionDay") or "", clock)
        return Tick(
            symbol=symbol,
            exchange=spec.exchange,
            datetime=moment,
            trading_day=trading_day,
            last_price=_last_price(row.get("LastPrice", ""), spec),
            volume=_int(row.get("Volume"), "Volume"),
            turnover=_money(row.get("Turnover"), "Turnover"),
            open_interest=_int(row.get("OpenInterest"), "OpenInterest"),
            bid_price=_price(row.get("BidPrice1"), spec, "BidPrice1"),
            bid_volume=_int(row.get("BidVolume1"), "BidVolume1"),
            ask_price=_price(row.get("AskPrice1"), spec, "AskPrice1"),
            ask_volume=_int(row.get("AskVolume1"), "AskVolume1"),
            open_price=_price(row.get("OpenPrice"), spec, "OpenPrice"),
            high_price=_price(row.get("HighestPrice"), spec, "HighestPrice"),
            low_price=_price(row.get("LowestPrice"), spec, "LowestPrice"),
            pre_settlement=_price(row.get("PreSettlementPrice"), spec, "PreSettlementPrice"),
            pre_close=_price(row.get("PreClosePrice"), spec, "PreClosePrice"),
            limit_up=_price(row.get("UpperLimitPrice"), spec, "UpperLimitPrice"),
            limit_down=_price(row.get("LowerLimitPrice"), spec, "LowerLimitPrice"),
        )

    def _ctp_moment(self, trading_day: date, action_day: str, clock: time) -> datetime:
        """The exchange time of a CTP snapshot. SHFE's ActionDay is the calendar day; some
        exchanges put the trading day there, so a night time is dated from the trading
        day (the business day before it, or the day after that past midnight) whenever
        ActionDay does not fit the trading day."""
        if action_day.strip():
            moment = datetime.combine(_yyyymmdd(action_day, "ActionDay"), clock, EXCHANGE_TZ)
            if self._calendar.trading_day(moment) == trading_day:
                return moment
        if clock.hour >= 18 or clock.hour < 6:
            eve = trading_day - timedelta(days=1)
            while not self._calendar.is_business_day(eve):
                eve -= timedelta(days=1)
            day = eve if clock.hour >= 18 else eve + timedelta(days=1)
            return datetime.combine(day, clock, EXCHANGE_TZ)
        return datetime.combine(trading_day, clock, EXCHANGE_TZ)

    def generic(self, row: Row, columns: Mapping[str, str]) -> Tick:
        symbol = self._symbol_of(row, columns.get("symbol"))
        spec = self.spec(symbol)
        moment = self._moment(row.get(columns["datetime"], ""))
        last = _last_price(row.get(columns["last_price"], ""), spec)

        def price(field: str, default: Decimal = Decimal(0)) -> Decimal:
            column = columns.get(field)
            return _price(row.get(column), spec, column) if column else default

        def count(field: str) -> int:
            column = columns.get(field)
            return _int(row.get(column), column) if column else 0

        turnover = columns.get("turnover")
        return Tick(
            symbol=symbol,
            exchange=spec.exchange,
            datetime=moment,
            trading_day=self._calendar.trading_day(moment),
            last_price=last,
            volume=count("volume"),
            turnover=_money(row.get(turnover), turnover) if turnover else Decimal(0),
            open_interest=count("open_interest"),
            bid_price=price("bid_price", last),
            bid_volume=count("bid_volume"),
            ask_price=price("ask_price", last),
            ask_volume=count("ask_volume"),
            open_price=price("open_price"),
            high_price=price("high_price"),
            low_price=price("low_price"),
            pre_settlement=price("pre_settlement"),
            pre_close=price("pre_close"),
            limit_up=price("limit_up"),
            limit_down=price("limit_down"),
        )

    def vnpy_bar(self, row: Row) -> Bar:
        symbol = self._symbol_of(row, "symbol")
        spec = self.spec(symbol)
        start = self._moment(row.get("datetime", ""))
        prices = [_last_price(row.get(c, ""), spec) for c in ("open", "high", "low", "close")]
        if prices[1] < max(prices) or prices[2] > min(prices):
            raise RowError("bad_bar", f"high {prices[1]} / low {prices[2]} do not bound the bar")
        return Bar(
            symbol=symbol,
            trading_day=self._calendar.trading_day(start),
            start=start,
            open=prices[0],
            high=prices[1],
            low=prices[2],
            close=prices[3],
            volume=_int(row.get("volume"), "volume"),
            turnover=_money(row.get("turnover"), "turnover"),
            open_interest=_int(row.get("open_interest"), "open_interest"),
        )

    def _moment(self, text: str) -> datetime:
        text = text.strip()
        if self._format in EPOCH_UNITS:
            try:
                count = int(text)
            except ValueError:
                raise RowError("unparsable", f"datetime {text!r}") from None
            micros = count * EPOCH_UNITS[self._format]
            try:
                moment = datetime.fromtimestamp(micros // 1_000_000, EXCHANGE_TZ)
            except (OverflowError, OSError, ValueError):
                raise RowError("unparsable", f"datetime {text!r}") from None
            return moment.replace(microsecond=micros % 1_000_000)
        try:
            if self._format:
                moment = datetime.strptime(text, self._format)
            else:
                moment = datetime.fromisoformat(text)
        except ValueError:
            raise RowError("unparsable", f"datetime {text!r}") from None
        if moment.tzinfo is None:
            return moment.replace(tzinfo=EXCHANGE_TZ)  # exchange time, as vn.py writes it
        return moment.astimezone(EXCHANGE_TZ)


def _decimal(text: str | None, field: str | None) -> Decimal:
    if text is None or not text.strip():
        return Decimal(0)
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise RowError("unparsable", f"{field} {text!r}") from None
    if not value.is_finite():
        raise RowError("unparsable", f"{field} {text!r}")
    return value


def _last_price(text: str, spec: ContractSpec) -> Decimal:
    value = _decimal(text, "last price")
    if value <= 0 or value >= PLACEHOLDER:
        raise RowError("bad_price", f"last price {text.strip()!r}")
    snapped = spec.snap(value)
    if abs(snapped - value) > _TOLERANCE:
        raise RowError("off_tick", f"price {text.strip()} is not a multiple of {spec.price_tick}")
    return snapped


def _price(text: str | None, spec: ContractSpec, field: str | None) -> Decimal:
    """A price beside the last one: a placeholder or a blank is 0 (no such price)."""
    value = _decimal(text, field)
    if value <= 0 or value >= PLACEHOLDER:
        return Decimal(0)
    snapped = spec.snap(value)
    if abs(snapped - value) <= _TOLERANCE:
        return snapped
    return value.quantize(_SCALE, rounding=ROUND_HALF_EVEN)


def _money(text: str | None, field: str | None) -> Decimal:
    value = _decimal(text, field)
    if value < 0 or value >= PLACEHOLDER:
        return Decimal(0)
    return value.quantize(_SCALE, rounding=ROUND_HALF_EVEN)


def _int(text: str | None, field: str | None) -> int:
    value = _decimal(text, field)
    if value >= PLACEHOLDER:
        return 0
    if value != value.to_integral_value():
        raise RowError("unparsable", f"{field} {text!r} is not a whole number")
    return int(value)


def _yyyymmdd(text: str, field: str) -> date:
    """A CTP date: YYYYMMDD, as the API sends it (YYYY-MM-DD, as some dumps write it)."""
    text = text.strip()
    try:
        return date.fromisoformat(text)  # both forms, since Python 3.11
    except ValueError:
        raise RowError("unparsable", f"{field} {text!r}") from None


def _clock(text: str, millis: str) -> time:
    try:
        clock = time.fromisoformat(text.strip())
        return clock.replace(microsecond=int(Decimal(millis.strip() or "0")) * 1000)
    except (ValueError, InvalidOperation):
        raise RowError("unparsable", f"UpdateTime {text!r} / UpdateMillisec {millis!r}") from None
