"""The broker's tables, as the trader session queried them: instruments, margin and
commission rates, the day's limit prices, and the ContractSpec they make."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from arbig.domain.contract import ContractSpec
from arbig.domain.enums import Exchange, Offset
from arbig.gateways.ctp.bridge import Fields
from arbig.gateways.ctp.convert import ctp_date, exchange, price

FUTURES = "1"  # ProductClass


@dataclass(frozen=True, slots=True)
class Instrument:
    symbol: str
    exchange: Exchange
    product: str
    multiplier: int
    price_tick: Decimal
    expire_date: date | None
    trading: bool
    max_order_volume: int

    @classmethod
    def from_fields(cls, fields: Fields) -> "Instrument":
        return cls(
            symbol=fields["InstrumentID"],
            exchange=exchange(fields["ExchangeID"]),
            product=fields["ProductID"],
            multiplier=int(fields["VolumeMultiple"]),
            price_tick=price(fields["PriceTick"]),
            expire_date=ctp_date(fields["ExpireDate"]),
            trading=bool(fields["IsTrading"]),
            max_order_volume=int(fields["MaxLimitOrderVolume"]) or 500,
        )


@dataclass(frozen=True, slots=True)
class MarginRate:
    """Per lot: ``notional * by_money + by_volume`` (the long side's rates)."""

    by_money: Decimal
    by_volume: Decimal

    @classmethod
    def from_fields(cls, fields: Fields) -> "MarginRate":
        return cls(
            price(fields["LongMarginRatioByMoney"]), price(fields["LongMarginRatioByVolume"])
        )


@dataclass(frozen=True, slots=True)
class CommissionRate:
    """Per lot and offset: ``notional * by_money + by_volume``."""

    open_by_money: Decimal
    open_by_volume: Decimal
    close_by_money: Decimal
    close_by_volume: Decimal
    close_today_by_money: Decimal
    close_today_by_volume: Decimal

    @classmethod
    def from_fields(cls, fields: Fields) -> "CommissionRate":
        return cls(
            price(fields["OpenRatioByMoney"]),
            price(fields["OpenRatioByVolume"]),
            price(fields["CloseRatioByMoney"]),
            price(fields["CloseRatioByVolume"]),
            price(fields["CloseTodayRatioByMoney"]),
            price(fields["CloseTodayRatioByVolume"]),
        )

    def fee(self, offset: Offset, notional: Decimal, volume: int) -> Decimal:
        if offset is Offset.OPEN:
            by_money, by_volume = self.open_by_money, self.open_by_volume
        elif offset is Offset.CLOSE_TODAY:
            by_money, by_volume = self.close_today_by_money, self.close_today_by_volume
        else:
            by_money, by_volume = self.close_by_money, self.close_by_volume
        return (notional * by_money + by_volume * volume).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_EVEN
        )


@dataclass(frozen=True, slots=True)
class LimitPrices:
    pre_settlement: Decimal
    upper: Decimal
    lower: Decimal

    @classmethod
    def from_fields(cls, fields: Fields) -> "LimitPrices":
        return cls(
            price(fields["PreSettlementPrice"]),
            price(fields["UpperLimitPrice"]),
            price(fields["LowerLimitPrice"]),
        )


@dataclass(slots=True)
class QueriedTables:
    """What the broker said in the session's queries, by symbol."""

    instruments: dict[str, Instrument] = field(default_factory=dict)
    margin: dict[str, MarginRate] = field(default_factory=dict)
    commission: dict[str, CommissionRate] = field(default_factory=dict)
    limits: dict[str, LimitPrices] = field(default_factory=dict)

    def commission_for(self, symbol: str) -> CommissionRate | None:
        """The symbol's rate, or its product's (brokers often answer per product)."""
        found = self.commission.get(symbol)
        if found is None and symbol in self.instruments:
            found = self.commission.get(self.instruments[symbol].product)
        return found

    def fee(self, symbol: str, offset: Offset, fill_price: Decimal, volume: int) -> Decimal | None:
        rate = self.commission_for(symbol)
        instrument = self.instruments.get(symbol)
        if rate is None or instrument is None:
            return None
        return rate.fee(offset, fill_price * volume * instrument.multiplier, volume)

    def spec(self, symbol: str, reference_price: Decimal | None = None) -> ContractSpec | None:
        """The contract as the broker states it; per-lot fees by money are taken at the
        reference price (the pre-settlement price when the limits were queried)."""
        instrument = self.instruments.get(symbol)
        if instrument is None:
            return None
        limits = self.limits.get(symbol)
        reference = reference_price or (limits.pre_settlement if limits else Decimal(0))
        notional = reference * instrument.multiplier
        margin = self.margin.get(symbol)
        rate = self.commission_for(symbol)
        zero = Decimal(0)

        def fee(offset: Offset) -> Decimal:
            return rate.fee(offset, notional, 1) if rate is not None else zero

        limit_ratio = zero
        if limits is not None and limits.pre_settlement > 0 and limits.upper > 0:
            limit_ratio = ((limits.upper - limits.pre_settlement) / limits.pre_settlement).quantize(
                Decimal("0.0001")
            )
        return ContractSpec(
            symbol=symbol,
            exchange=instrument.exchange,
            multiplier=instrument.multiplier,
            price_tick=instrument.price_tick,
            margin_ratio=margin.by_money if margin is not None else zero,
            commission_open=fee(Offset.OPEN),
            commission_close=fee(Offset.CLOSE),
            commission_close_today=fee(Offset.CLOSE_TODAY),
            limit_ratio=limit_ratio,
            max_order_volume=instrument.max_order_volume,
        )
