"""What the engine's parts may know of the core: small protocols, and the core's book view.

Risk, the emergency stop, the contract manager and the strategy engine take these,
never ``TradingCore`` itself: a read-only ``BookView`` (positions, orders, account,
last quotes), the ``Events`` of the bus, and the commands they may give
(``OrderDesk``, ``Subscriptions``). The core implements the commands and hands out
its ``CoreBook``; the assembly (``arbig.runtime``) wires them together.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from arbig.api.errors import OrderRefused as OrderRefused  # raised by send_order
from arbig.domain.account import AccountBook
from arbig.domain.contract import ContractSpec
from arbig.domain.enums import Direction
from arbig.domain.handover import Handover
from arbig.domain.order import Order, OrderRequest
from arbig.domain.position import PositionLeg
from arbig.domain.session import SessionStep
from arbig.domain.snapshot import AccountSnapshot, PositionSnapshot
from arbig.domain.tick import Tick
from arbig.engine.bus import EventType, Handler
from arbig.engine.oms import OrderManager
from arbig.engine.portfolio import Portfolio


class BookView(Protocol):
    """The core's book, to read: callers never change what they are given."""

    def spec(self, symbol: str) -> ContractSpec: ...

    def last_tick(self, symbol: str) -> Tick | None:
        """The newest tick that passed hygiene."""
        ...

    def leg(self, symbol: str, direction: Direction) -> PositionLeg | None:
        """The position leg, or None when the book never held one."""
        ...

    def held(self) -> list[PositionLeg]:
        """Every leg with lots."""
        ...

    def owned_leg(self, owner: str, symbol: str, direction: Direction) -> PositionLeg:
        """``owner``'s (a strategy's) own lots (an empty leg if none)."""
        ...

    def owned_legs(self, symbol: str, direction: Direction) -> list[PositionLeg]:
        """Every strategy's own lots of ``symbol`` in ``direction``."""
        ...

    @property
    def account(self) -> AccountBook: ...

    def position_snapshots(self, now: datetime) -> list[PositionSnapshot]:
        """Every leg valued at the last price, as the console and the recorder show it."""
        ...

    def account_snapshot(self, now: datetime) -> AccountSnapshot: ...

    def order(self, order_id: str) -> Order | None: ...

    def orders(self) -> list[Order]:
        """Every order the core knows of, working or ended."""
        ...

    def active_orders(self) -> list[Order]:
        """Orders still working at the exchange."""
        ...

    def exposed(self, symbol: str) -> bool:
        """A position or a working order in ``symbol``: its quotes are still needed."""
        ...


class Events(Protocol):
    """The event bus as its users see it (``engine.bus.EventBus``)."""

    def subscribe(self, event_type: EventType, handler: Handler) -> None: ...

    def unsubscribe(self, event_type: EventType, handler: Handler) -> None: ...

    def publish(self, event_type: EventType, payload: Any) -> None: ...

    def after_dispatch(self, callback: Callable[[], None]) -> None: ...


class OrderDesk(Protocol):
    """Orders through the core (and so through every pre-trade check)."""

    async def send_order(self, request: OrderRequest) -> str:
        """The order id; raises ``OrderRefused`` with the reason."""
        ...

    async def cancel_order(self, order_id: str) -> None: ...


class Subscriptions(Protocol):
    """The contracts the core follows."""

    @property
    def main_contract(self) -> str: ...

    @property
    def subscribed(self) -> frozenset[str]: ...

    async def subscribe(self, symbol: str) -> None: ...

    async def unsubscribe(self, symbol: str) -> None: ...

    async def switch_main_contract(self, symbol: str) -> str:
        """Returns the previous main contract."""
        ...


class CoreBook:
    """The ``BookView`` over the core's order manager and portfolio."""

    def __init__(
        self,
        oms: OrderManager,
        portfolio: Portfolio,
        last_ticks: dict[str, Tick],
        spec: Callable[[str], ContractSpec],
    ) -> None:
        self._oms = oms
        self._portfolio = portfolio
        self._last_ticks = last_ticks
        self._spec = spec

    def spec(self, symbol: str) -> ContractSpec:
        return self._spec(symbol)

    def last_tick(self, symbol: str) -> Tick | None:
        return self._last_ticks.get(symbol)

    def leg(self, symbol: str, direction: Direction) -> PositionLeg | None:
        return self._portfolio.positions.legs.get((symbol, direction))

    def held(self) -> list[PositionLeg]:
        return self._portfolio.positions.held()

    def owned_leg(self, owner: str, symbol: str, direction: Direction) -> PositionLeg:
        return self._portfolio.owned_leg(owner, symbol, direction)

    def owned_legs(self, symbol: str, direction: Direction) -> list[PositionLeg]:
        return self._portfolio.owned_legs(symbol, direction)

    @property
    def account(self) -> AccountBook:
        return self._portfolio.account

    def position_snapshots(self, now: datetime) -> list[PositionSnapshot]:
        return self._portfolio.position_snapshots(now)

    def account_snapshot(self, now: datetime) -> AccountSnapshot:
        return self._portfolio.account_snapshot(now)

    def order(self, order_id: str) -> Order | None:
        return self._oms.orders.get(order_id)

    def orders(self) -> list[Order]:
        return list(self._oms.orders.values())

    def active_orders(self) -> list[Order]:
        return self._oms.active_orders()

    def exposed(self, symbol: str) -> bool:
        held = any(leg.symbol == symbol for leg in self._portfolio.positions.held())
        return held or any(o.symbol == symbol for o in self._oms.active_orders())


@dataclass(frozen=True, slots=True)
class PartsHealth:
    """The state of the core's adapters at one moment, for health reports."""

    gateway_connected: bool
    gateway: str  # "name: reason"
    recorder_healthy: bool
    recorder_detail: str
    recorder_saturated: bool  # new positions are refused while set
    tick_store_healthy: bool
    tick_store: str  # its name
    session: tuple[SessionStep, ...] = ()  # a broker session's steps (CTP), in order


@dataclass(frozen=True, slots=True)
class CorePorts:
    """The core as the strategy engine uses it: its book, its bus, its order commands."""

    book: BookView
    events: Events
    orders: OrderDesk
    # Makes lots of the account a strategy's own (after the engine checked and recorded it).
    hand_over: Callable[[Handover], None]
