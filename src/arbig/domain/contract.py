"""Contract specifications, price-tick arithmetic, and the contract table: the specs and
listing rules of each product, which every symbol is checked against."""

import re
from collections.abc import Collection
from dataclasses import dataclass, field, replace
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
    # The broker's rates beyond the per-lot fees and the ratio of the notional (CTP's
    # "by money" commissions, "by volume" margin); zero in the configured table.
    commission_open_rate: Decimal = Decimal(0)
    commission_close_rate: Decimal = Decimal(0)
    commission_close_today_rate: Decimal = Decimal(0)
    margin_per_lot: Decimal = Decimal(0)
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
        """Margin of ``volume`` lots at ``price``: the ratio of the notional plus the
        per-lot amount."""
        amount = self.notional(price, volume) * self.margin_ratio + self.margin_per_lot * volume
        return amount.quantize(CENT)

    def commission(self, offset: Offset, volume: int, price: Decimal | None = None) -> Decimal:
        """Fee for ``volume`` lots: a per-lot fee plus a rate of the notional at ``price``
        (needed when the contract has such a rate). SHFE charges close-today at its own
        rates."""
        if offset is Offset.OPEN:
            per_lot, rate = self.commission_open, self.commission_open_rate
        elif offset is Offset.CLOSE_TODAY:
            per_lot, rate = self.commission_close_today, self.commission_close_today_rate
        else:
            per_lot, rate = self.commission_close, self.commission_close_rate
        amount = per_lot * volume
        if rate:
            if price is None:
                raise ContractError(
                    f"{self.symbol}: the commission is a rate of the notional; give the price"
                )
            amount += self.notional(price, volume) * rate
        return amount.quantize(CENT)


_SYMBOL = re.compile(r"([a-z]{1,4})([0-9]{2})([0-9]{2})")


def parse_symbol(symbol: str) -> tuple[str, int, int]:
    """(product code, year, month) of an exchange symbol such as ``au2612``: a lower-case
    product code and the delivery month as YYMM (SHFE's form)."""
    match = _SYMBOL.fullmatch(symbol)
    if match is None:
        raise ContractError(
            f"{symbol!r} is not a contract symbol: expected a product code and YYMM, e.g. 'au2612'"
        )
    year, month = 2000 + int(match.group(2)), int(match.group(3))
    if not 1 <= month <= 12:
        raise ContractError(f"{symbol!r}: month {month:02d} does not exist")
    return match.group(1), year, month


@dataclass(frozen=True, slots=True)
class ListingRules:
    """Which months of a product trade, and until when (the exchange's contract rules).

    The defaults are SHFE gold's: the next ``consecutive`` months, then the months of
    ``cycle`` within ``horizon`` months; a month's contract trades until its
    ``last_trading_day`` of the month, postponed past weekends and holidays, and the
    cycle then starts from the next month.
    """

    last_trading_day: int = 15
    consecutive: int = 3
    cycle: tuple[int, ...] = (2, 4, 6, 8, 10, 12)
    horizon: int = 13

    def last_day(self, year: int, month: int, holidays: Collection[date] = ()) -> date:
        """The last trading day of the ``year``-``month`` contract."""
        day = date(year, month, self.last_trading_day)
        while day.weekday() >= 5 or day in holidays:
            day += timedelta(days=1)
        return day

    def months(self, today: date, holidays: Collection[date] = ()) -> list[tuple[int, int]]:
        """The (year, month) contracts listed on the trading day ``today``."""
        first = today.year * 12 + today.month - 1
        if today > self.last_day(today.year, today.month, holidays):
            first += 1
        listed: list[tuple[int, int]] = []
        for ahead in range(self.horizon):
            year, month = divmod(first + ahead, 12)
            if ahead < self.consecutive or month + 1 in self.cycle:
                listed.append((year, month + 1))
        return listed


@dataclass(frozen=True, slots=True)
class Product:
    """One row of the contract table: a product code, what its contracts are worth
    (``terms``: a spec whose symbol is the code) and when they trade."""

    code: str
    name: str
    terms: ContractSpec
    listing: ListingRules = ListingRules()

    def symbol(self, year: int, month: int) -> str:
        return f"{self.code}{year % 100:02d}{month:02d}"


class ContractTable:
    """The contract specs by product: what the kernel asks about any symbol."""

    def __init__(self, products: Collection[Product]) -> None:
        if not products:
            raise ValueError("a contract table needs at least one product")
        self._products = {product.code: product for product in products}

    @property
    def products(self) -> tuple[Product, ...]:
        return tuple(self._products.values())

    def product(self, symbol: str) -> tuple[Product, int, int]:
        """(product, year, month) of ``symbol``; ContractError says what is wrong."""
        code, year, month = parse_symbol(symbol)
        product = self._products.get(code)
        if product is None:
            known = ", ".join(f"{p.code} ({p.name})" for p in self._products.values())
            raise ContractError(
                f"unknown symbol {symbol!r}: product {code!r} is not in the contract table; "
                f"known: {known}"
            )
        return product, year, month

    def spec(self, symbol: str) -> ContractSpec:
        product, _, _ = self.product(symbol)
        return replace(product.terms, symbol=symbol)

    def listed(self, today: date, holidays: Collection[date] = ()) -> tuple[str, ...]:
        """Every product's listed contracts on the trading day ``today``."""
        return tuple(
            product.symbol(year, month)
            for product in self._products.values()
            for year, month in product.listing.months(today, holidays)
        )

    def validate(self, symbol: str, today: date, holidays: Collection[date] = ()) -> str:
        """``symbol`` if it names a contract listed on the trading day ``today``;
        otherwise ContractError naming the listed ones."""
        product, year, month = self.product(symbol)
        months = product.listing.months(today, holidays)
        if (year, month) not in months:
            listed = ", ".join(product.symbol(y, m) for y, m in months)
            expired = (year, month) == (today.year, today.month)
            why = "has expired" if expired else f"is not a listed {product.name} month today"
            raise ContractError(f"{symbol!r} {why}; listed: {listed}")
        return symbol
