"""The gateway port: what every exchange adapter implements.

The contract, in plain words (after vn.py's BaseGateway):

- Every method is a coroutine that returns promptly; none waits for the
  exchange to act. ``send_order`` returns the order id at once and the order's
  fate arrives later through ``GatewayListener.on_order``.
- Listener callbacks are invoked on the event loop that called ``connect``,
  never from another thread; an adapter whose library calls back from its own
  threads hands the calls over with ``loop.call_soon_threadsafe``.
- Objects pushed to the listener are immutable; the adapter never changes one
  after pushing it.
- A dropped connection is reported through ``on_connection(False, reason)``
  and the adapter reconnects by itself with backoff; after a reconnect it may
  replay the day's orders and trades (as CTP does), so listeners must treat a
  repeated ``trade_id`` as already known.
- Exchange time is converted to timezone-aware datetimes and the trading day
  is set here, at the edge, not guessed later.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol, runtime_checkable

from arbig.domain.contract import ContractSpec
from arbig.domain.enums import Direction
from arbig.domain.order import Order, OrderRequest
from arbig.domain.session import SessionStep, SettlementStatement
from arbig.domain.tick import Tick
from arbig.domain.trade import Trade


class GatewayError(RuntimeError):
    """The gateway could not carry out a request (not connected, unknown order...)."""


@dataclass(frozen=True, slots=True)
class TradingAccount:
    """The account a gateway trades and the capital its book starts from (before the
    recorded trades are replayed onto it)."""

    account_id: str
    capital: Decimal


@dataclass(frozen=True, slots=True)
class PositionReport:
    """A position leg as the broker sees it."""

    symbol: str
    direction: Direction
    volume: int
    volume_today: int
    volume_yesterday: int
    avg_price: Decimal


@dataclass(frozen=True, slots=True)
class AccountReport:
    """The account as the broker sees it. ``commission`` is the trading day's (CTP's
    ``Commission``); ``close_profit`` the day's close profit marked by date (CTP's
    ``CloseProfit``), None from a gateway that does not count it.

    ``deposit`` and ``withdraw`` are the money moved into and out of the account on
    ``trading_day`` (CTP's ``Deposit``, ``Withdraw``, ``TradingDay``): totals for the day,
    so a new trading day starts them at 0. A gateway that does not know them leaves
    them at 0; ``trading_day`` None means the day the book is on.

    ``pre_balance`` is the balance the previous trading day settled at, the base of the
    day's figures (CTP's ``PreBalance``); None from a gateway that does not report it."""

    account_id: str
    balance: Decimal
    available: Decimal
    margin: Decimal
    commission: Decimal
    realized_pnl: Decimal
    unrealized_pnl: Decimal
    frozen_margin: Decimal = Decimal(0)
    frozen_commission: Decimal = Decimal(0)
    close_profit: Decimal | None = None
    deposit: Decimal = Decimal(0)
    withdraw: Decimal = Decimal(0)
    trading_day: date | None = None
    pre_balance: Decimal | None = None


class GatewayListener(Protocol):
    """Receives what the gateway pushes; every method returns quickly."""

    def on_tick(self, tick: Tick) -> None: ...

    def on_order(self, order: Order) -> None: ...

    def on_trade(self, trade: Trade) -> None: ...

    def on_account(self, account: AccountReport) -> None: ...

    def on_connection(self, connected: bool, reason: str) -> None: ...

    def on_log(self, level: str, message: str) -> None: ...


class Gateway(Protocol):
    """An exchange connection. See the module docstring for the contract."""

    name: str

    def account(self) -> TradingAccount:
        """The account this gateway trades, known before ``connect`` (from the adapter's
        own settings): the book is kept under its id."""
        ...

    def set_listener(self, listener: GatewayListener) -> None: ...

    async def connect(self) -> None: ...

    async def close(self) -> None: ...

    async def subscribe(self, symbol: str) -> None: ...

    async def unsubscribe(self, symbol: str) -> None: ...

    async def send_order(self, request: OrderRequest) -> str:
        """Submit ``request``; returns the order id. Rejections arrive via on_order."""
        ...

    async def cancel_order(self, order_id: str) -> None: ...

    async def query_account(self) -> AccountReport: ...

    async def query_positions(self) -> list[PositionReport]: ...

    async def query_orders(self) -> list[Order]: ...

    async def query_trades(self) -> list[Trade]: ...


StatementSink = Callable[[SettlementStatement], None]
"""Takes each settlement statement a broker session confirms (to keep it); returns at
once."""


@runtime_checkable
class BrokerSession(Protocol):
    """A gateway with a broker session (CTP): its steps and the settlement statement it
    confirmed, for the console and the health report."""

    def session_steps(self) -> list[SessionStep]: ...

    def settlement_statement(self) -> SettlementStatement | None: ...


@runtime_checkable
class CashDesk(Protocol):
    """A gateway whose exchange takes deposits and withdrawals itself (the simulated and
    paper exchanges). A live broker's account is funded through the bank, not through
    ARBIG, so the CTP gateway is no CashDesk.

    Each call is done and kept by the exchange (its books saved) or refused with
    GatewayError and nothing changed; the account report that follows carries the new
    day totals."""

    async def deposit(self, amount: Decimal) -> None: ...

    async def withdraw(self, amount: Decimal) -> None:
        """Refused (GatewayError) above what the account has available."""
        ...


@runtime_checkable
class BrokerContracts(Protocol):
    """A gateway whose broker states the contracts' terms (CTP's instrument, margin and
    commission queries): the kernel takes its specs from them once the session has them."""

    def live_spec_for(
        self, configured: Callable[[str], ContractSpec]
    ) -> Callable[[str], ContractSpec]:
        """Specs from the broker's answers laid over ``configured``'s; ``configured``'s
        alone for a contract the broker has not (yet) described."""
        ...


class Fence(Protocol):
    """The lease of the core a gateway sends for (split deployment), as the order's
    receiver checks it: ``key`` is where the receiver finds the current token."""

    key: str

    def token(self) -> int:
        """The fencing token held; raises when none is."""
        ...

    def valid(self) -> bool:
        """Whether this core may send now (held, and its local deadline not passed)."""
        ...
