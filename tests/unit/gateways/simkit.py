"""Shared pieces for the simulated-exchange specifications (imported as ``simkit``)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from arbig.config import Settings, SimSettings
from arbig.domain.contract import ContractSpec
from arbig.domain.enums import Exchange, Offset, OrderType, Side
from arbig.domain.order import Order, OrderRequest
from arbig.domain.tick import Tick
from arbig.domain.trade import Trade
from arbig.gateways.base import AccountReport
from arbig.testkit import MONDAY_10AM

SYMBOL = "au2612"
MONDAY = date(2026, 6, 1)


def make_settings(**sim: Any) -> Settings:
    return Settings(main_contract=SYMBOL, sim=SimSettings(**{"seed": 7, **sim}))


def spec_for(symbol: str) -> ContractSpec:
    """The contract table of the default settings; anything but a gold symbol is unknown."""
    return make_settings().contract_spec(symbol)


def spec() -> ContractSpec:
    return spec_for(SYMBOL)


def make_tick(
    bid: str = "920.00",
    ask: str = "920.02",
    *,
    bid_volume: int = 10,
    ask_volume: int = 10,
    symbol: str = SYMBOL,
    day: date = MONDAY,
    at: datetime = MONDAY_10AM,
    pre_settlement: str = "920.00",
) -> Tick:
    down, up = spec().limit_band(Decimal(pre_settlement))
    last = Decimal(bid)
    return Tick(
        symbol=symbol,
        exchange=Exchange.SHFE,
        datetime=at,
        trading_day=day,
        last_price=last,
        volume=100,
        turnover=last * 100 * 1000,
        open_interest=200_000,
        bid_price=Decimal(bid),
        bid_volume=bid_volume,
        ask_price=Decimal(ask),
        ask_volume=ask_volume,
        open_price=last,
        high_price=last,
        low_price=last,
        pre_settlement=Decimal(pre_settlement),
        pre_close=Decimal(pre_settlement),
        limit_up=up,
        limit_down=down,
    )


def request(
    side: Side = Side.BUY,
    price: str = "920.00",
    volume: int = 1,
    offset: Offset = Offset.OPEN,
    *,
    symbol: str = SYMBOL,
    order_type: OrderType = OrderType.LIMIT,
    exchange: Exchange = Exchange.SHFE,
) -> OrderRequest:
    return OrderRequest(
        symbol=symbol,
        exchange=exchange,
        side=side,
        offset=offset,
        price=Decimal(price),
        volume=volume,
        order_type=order_type,
    )


@dataclass
class RecordingListener:
    """Records everything a gateway pushes, in order."""

    events: list[tuple[str, object]] = field(default_factory=list)

    def on_tick(self, tick: Tick) -> None:
        self.events.append(("tick", tick))

    def on_order(self, order: Order) -> None:
        self.events.append(("order", order))

    def on_trade(self, trade: Trade) -> None:
        self.events.append(("trade", trade))

    def on_account(self, account: AccountReport) -> None:
        self.events.append(("account", account))

    def on_connection(self, connected: bool, reason: str) -> None:
        self.events.append(("connection", connected))

    def on_log(self, level: str, message: str) -> None:
        self.events.append(("log", message))

    def of(self, kind: str) -> list[Any]:
        return [payload for name, payload in self.events if name == kind]
