"""The broker's tables: what a CTP broker says each contract is worth and costs.

CTP answers three queries with them: the instrument (multiplier, price tick, order
limit), the margin rate (a ratio of the notional and an amount per lot, long and short)
and the commission rate (the same two kinds, for open, close and close-today). A
rate may be given for one contract (``au2612``) or for its whole product (``au``);
the contract's own entry wins. ``BrokerTables.spec`` lays them over the configured
``ContractSpec`` of the contract, so the rest of ARBIG keeps asking one spec.

ARBIG holds one margin ratio per contract: when the broker's long and short ratios
differ, the larger one is used, so that no order is accepted that the broker would
refuse for margin.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from arbig.domain.contract import ContractError, ContractSpec, parse_symbol
from arbig.domain.enums import Exchange

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class InstrumentTerms:
    """CTP's instrument: ``VolumeMultiple``, ``PriceTick``, ``MaxLimitOrderVolume``."""

    exchange: Exchange
    multiplier: int
    price_tick: Decimal
    max_order_volume: int | None = None


@dataclass(frozen=True, slots=True)
class MarginRate:
    """CTP's margin rate: ``...MarginRatioByMoney`` and ``...MarginRatioByVolume``."""

    long_by_money: Decimal = ZERO
    long_by_volume: Decimal = ZERO
    short_by_money: Decimal = ZERO
    short_by_volume: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class CommissionRate:
    """CTP's commission rate: ``Open/Close/CloseTodayRatioByMoney`` and ``...ByVolume``."""

    open_by_money: Decimal = ZERO
    open_by_volume: Decimal = ZERO
    close_by_money: Decimal = ZERO
    close_by_volume: Decimal = ZERO
    close_today_by_money: Decimal = ZERO
    close_today_by_volume: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class BrokerTables:
    """The broker's instruments, margin rates and commission rates, by contract or
    product code. Empty tables change nothing."""

    instruments: Mapping[str, InstrumentTerms] = field(default_factory=dict)
    margins: Mapping[str, MarginRate] = field(default_factory=dict)
    commissions: Mapping[str, CommissionRate] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for symbol, margin in self.margins.items():
            values = (margin.long_by_money, margin.short_by_money)
            if any(not ZERO <= value < 1 for value in values):
                raise ContractError(f"{symbol}: a margin ratio by money must lie in [0, 1)")
            if margin.long_by_volume < 0 or margin.short_by_volume < 0:
                raise ContractError(f"{symbol}: a margin per lot cannot be negative")
        for symbol, rate in self.commissions.items():
            if any(value < 0 for value in _commission_values(rate)):
                raise ContractError(f"{symbol}: a commission rate cannot be negative")
        for symbol, terms in self.instruments.items():
            if terms.multiplier <= 0 or terms.price_tick <= 0:
                raise ContractError(f"{symbol}: multiplier and price tick must be positive")

    def _find(self, table: Mapping[str, object], symbol: str) -> object | None:
        if symbol in table:
            return table[symbol]
        try:
            code, _, _ = parse_symbol(symbol)
        except ContractError:
            return None
        return table.get(code)

    def spec(self, base: ContractSpec) -> ContractSpec:
        """``base`` with whatever the broker's tables say about its contract."""
        symbol = base.symbol
        changes: dict[str, object] = {}
        terms = self._find(self.instruments, symbol)
        if isinstance(terms, InstrumentTerms):
            changes.update(
                exchange=terms.exchange, multiplier=terms.multiplier, price_tick=terms.price_tick
            )
            if terms.max_order_volume is not None:
                changes["max_order_volume"] = terms.max_order_volume
        margin = self._find(self.margins, symbol)
        if isinstance(margin, MarginRate):
            changes.update(
                margin_ratio=max(margin.long_by_money, margin.short_by_money),
                margin_per_lot=max(margin.long_by_volume, margin.short_by_volume),
            )
        rate = self._find(self.commissions, symbol)
        if isinstance(rate, CommissionRate):
            changes.update(
                commission_open=rate.open_by_volume,
                commission_close=rate.close_by_volume,
                commission_close_today=rate.close_today_by_volume,
                commission_open_rate=rate.open_by_money,
                commission_close_rate=rate.close_by_money,
                commission_close_today_rate=rate.close_today_by_money,
            )
        return replace(base, **changes) if changes else base  # type: ignore[arg-type]

    def spec_for(self, configured: Callable[[str], ContractSpec]) -> Callable[[str], ContractSpec]:
        """A ``spec_for`` that asks ``configured`` and lays these tables over its answer,
        once per symbol (the kernel asks on every tick and order; both sides are fixed)."""
        known: dict[str, ContractSpec] = {}

        def spec_for(symbol: str) -> ContractSpec:
            spec = known.get(symbol)
            if spec is None:
                spec = known[symbol] = self.spec(configured(symbol))
            return spec

        return spec_for


def _commission_values(rate: CommissionRate) -> tuple[Decimal, ...]:
    return (
        rate.open_by_money,
        rate.open_by_volume,
        rate.close_by_money,
        rate.close_by_volume,
        rate.close_today_by_money,
        rate.close_today_by_volume,
    )
