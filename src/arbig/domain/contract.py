"""Contract specifications, price-tick arithmetic and the gold symbol rules."""

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

from arbig.domain.enums import Exchange, Offset

CENT = Decimal("0.01")


class ContractError(ValueError):
    """A symbol or price that does not fit the contract rules."""


@dataclass(frozen=True, slots=True)
class ContractSpec:
    """What the exchange and the broker say about one tradable contract.

    Margin and limits move with exchange notices; every figure here is
    configuration, the defaults are documented in docs/configuration.md.
    """

    symbol: str
    exchange: Exchange
    multiplier: int
    price_tick: Decimal
    margin_ratio: Decimal
    commission_open: Decimal
    commission_close: Decimal
    commission_close_today: Decimal
    limit_ratio: Decimal
    max_order_volume: int = 500
    # Derived once: every price the engine touches is quantized to it.
    price_decimals: int = field(init=False, repr=False, compare=False)
    _quantum: Decimal = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.multiplier <= 0:
            raise ContractError(f"{self.symbol}: multiplier must be positive")
        if self.price_tick <= 0:
            raise ContractError(f"{self.symbol}: price tick must be positive")
        exponent = self.price_tick.normalize().as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
        object.__setattr__(self, "price_decimals", decimals)
        object.__setattr__(self, "_quantum", Decimal(1).scaleb(-decimals))

    def is_on_tick(self, price: Decimal) -> bool:
        return price % self.price_tick == 0

    def snap(self, price: Decimal) -> Decimal:
        """The nearest price on the tick grid (ties to even)."""
        ticks = (price / self.price_tick).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
        return self.quantize(ticks * self.price_tick)

    def snap_down(self, price: Decimal) -> Decimal:
        ticks = (price / self.price_tick).to_integral_value(rounding=ROUND_FLOOR)
        return self.quantize(ticks * self.price_tick)

    def snap_up(self, price: Decimal) -> Decimal:
        ticks = -((-price / self.price_tick).to_integral_value(rounding=ROUND_FLOOR))
        return self.quantize(ticks * self.price_tick)

    def quantize(self, price: Decimal) -> Decimal:
        return price.quantize(self._quantum)

    def limit_band(self, pre_settlement: Decimal) -> tuple[Decimal, Decimal]:
        """(limit down, limit up): the band rounded inwards onto the tick grid."""
        move = pre_settlement * self.limit_ratio
        return self.snap_up(pre_settlement - move), self.snap_down(pre_settlement + move)

    def notional(self, price: Decimal, volume: int) -> Decimal:
        return price * volume * self.multiplier

    def margin(self, price: Decimal, volume: int) -> Decimal:
        return (self.notional(price, volume) * self.margin_ratio).quantize(CENT)

    def commission(self, offset: Offset, volume: int) -> Decimal:
        """Fee for ``volume`` lots: SHFE charges close-today at its own rate."""
        if offset is Offset.OPEN:
            per_lot = self.commission_open
        elif offset is Offset.CLOSE_TODAY:
            per_lot = self.commission_close_today
        else:
            per_lot = self.commission_close
        return (per_lot * volume).quantize(CENT)


_GOLD_SYMBOL = re.compile(r"au([0-9]{2})([0-9]{2})")


def parse_gold_month(symbol: str) -> tuple[int, int]:
    """(year, month) of an SHFE gold symbol such as ``au2612``."""
    match = _GOLD_SYMBOL.fullmatch(symbol)
    if match is None:
        raise ContractError(
            f"{symbol!r} is not an SHFE gold symbol: expected 'au' and YYMM, e.g. 'au2612'"
        )
    year, month = 2000 + int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ContractError(f"{symbol!r}: month {month:02d} does not exist")
    return year, month


def gold_last_trading_day(year: int, month: int, holidays: Collection[date] = ()) -> date:
    """The last trading day of a gold month: the 15th, postponed past weekends and the
    exchange's holidays (SHFE gold contract rules)."""
    day = date(year, month, 15)
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return day


def listed_gold_months(today: date, holidays: Collection[date] = ()) -> list[tuple[int, int]]:
    """Months SHFE lists for gold: the next three consecutive months, then the even
    months within thirteen months (SHFE gold contract rules). The current month's
    contract goes after its last trading day, and the cycle then starts from the next
    month (which lists a new thirteenth month)."""
    first = today.year * 12 + today.month - 1
    if today > gold_last_trading_day(today.year, today.month, holidays):
        first += 1
    months: list[tuple[int, int]] = []
    for ahead in range(0, 13):
        index = first + ahead
        year, month = divmod(index, 12)
        month += 1
        if ahead < 3 or month % 2 == 0:
            months.append((year, month))
    return months


def validate_gold_symbol(symbol: str, today: date, holidays: Collection[date] = ()) -> str:
    """The symbol if it names a listed SHFE gold month on ``today``; otherwise ContractError."""
    year, month = parse_gold_month(symbol)
    listed_months = listed_gold_months(today, holidays)
    if (year, month) not in listed_months:
        listed = ", ".join(f"au{y % 100:02d}{m:02d}" for y, m in listed_months)
        expired = (year, month) == (today.year, today.month)
        why = "has expired" if expired else "is not a listed gold month today"
        raise ContractError(f"{symbol!r} {why}; listed: {listed}")
    return symbol
