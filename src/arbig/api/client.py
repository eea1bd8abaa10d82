"""``CoreClient``: every operation the web layer and the CLI ask of the trading core.

All methods are async, so an implementation may live in this process or behind a
bus. Commands take the ``Actor`` who issues them: the core writes the audit entry
with the outcome before it answers, and refuses (``AuditUnavailable``) a command it
cannot audit. Refusals raise subclasses of ``errors.Refused``; a switch or watchlist
the contract rules refuse raises ``domain.contract.ContractError``.
"""

from collections.abc import AsyncIterator, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from arbig.api.actor import Actor
from arbig.api.closing import ClosePreview, CloseResult
from arbig.api.events import Event, Gap
from arbig.api.health import Health, LogRecord
from arbig.api.market import ContractInfo, SwitchResult
from arbig.api.reports import DailySummary, TradeFilter, TradeRecord, TriggerSummary
from arbig.api.trading import (
    EmergencyReport,
    ParamsStored,
    Reconciled,
    StrategyInfo,
    StrategyStatus,
    TradingStatus,
)
from arbig.domain.account import DailySettlement
from arbig.domain.audit import AuditEntry
from arbig.domain.bar import Bar
from arbig.domain.enums import Direction, TradingState, Transfer
from arbig.domain.handover import Handover
from arbig.domain.order import Order, OrderRequest
from arbig.domain.reconcile import MoneyReconciliation, PositionDifference
from arbig.domain.session import SettlementStatement
from arbig.domain.snapshot import AccountSnapshot, PositionSnapshot
from arbig.domain.statistics import Statistics
from arbig.domain.tick import Tick
from arbig.domain.trigger import Trigger


class CoreClient(Protocol):
    # --- the system ----------------------------------------------------------------------

    async def health(self) -> Health: ...

    def events(self) -> AsyncIterator[Event | Gap]:
        """Every core event from now on. Each subscriber has a bounded queue: one that
        falls behind loses the queued events and gets a ``Gap`` saying how many."""
        ...

    async def logs(
        self, *, level: str | None, since: datetime | None, limit: int
    ) -> list[LogRecord]: ...

    async def audit_entries(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        action: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AuditEntry]: ...

    async def record_login(self, actor: Actor, result: str) -> None:
        """Audit a sign-in to the console (``success`` or ``failed``)."""
        ...

    # --- market data ---------------------------------------------------------------------

    async def latest_tick(self, symbol: str) -> Tick | None: ...

    async def ticks(self, symbol: str, count: int) -> list[Tick]: ...

    async def bars(
        self, symbol: str, start: datetime, end: datetime, *, include_current: bool = False
    ) -> list[Bar]:
        """Finished 1-minute bars starting in [start, end), oldest first; with
        ``include_current`` the one in progress last."""
        ...

    async def contract(self) -> ContractInfo: ...

    async def switch_main_contract(self, symbol: str, actor: Actor) -> SwitchResult: ...

    async def watchlist(self) -> tuple[str, ...]: ...

    async def set_watchlist(self, symbols: Iterable[str], actor: Actor) -> tuple[str, ...]: ...

    # --- the book ------------------------------------------------------------------------

    async def positions(self) -> list[PositionSnapshot]: ...

    async def account(self) -> AccountSnapshot: ...

    async def orders(self, *, active_only: bool = False) -> list[Order]: ...

    async def send_order(self, request: OrderRequest, actor: Actor) -> str: ...

    async def cancel_order(self, order_id: str, actor: Actor) -> None:
        """Cancel a working order; ``OrderRefused`` if no such order is working."""
        ...

    async def preview_close(
        self, symbol: str, direction: Direction, volume: int | None
    ) -> ClosePreview:
        """Plan a close of one position; the token is held by the core for a short time."""
        ...

    async def confirm_close(self, token: str, actor: Actor) -> CloseResult: ...

    async def move_cash(self, kind: Transfer, amount: Decimal, actor: Actor) -> AccountSnapshot:
        """Deposit or withdraw ``amount`` on the simulated or paper exchange; the account
        with the move booked. ``CashRefused``, nothing moved, on a live broker's account
        (money moves through the bank there) or above what is available."""
        ...

    async def equity_curve(
        self, since: datetime | None, until: datetime | None, max_points: int
    ) -> list[AccountSnapshot]: ...

    async def settlements(
        self, since_day: date | None, until_day: date | None
    ) -> list[DailySettlement]:
        """The settled trading days in [since_day, until_day], oldest first."""
        ...

    # --- history -------------------------------------------------------------------------

    async def trades(
        self, filters: TradeFilter, *, limit: int, offset: int
    ) -> tuple[list[TradeRecord], int]:
        """A page of recorded trades, newest first, and the number matching in all."""
        ...

    async def daily_summary(
        self, since_day: date | None, until_day: date | None
    ) -> list[DailySummary]: ...

    async def statistics(self, filters: TradeFilter) -> Statistics: ...

    async def trigger_summary(
        self, strategy_name: str | None, since_day: date | None, until_day: date | None
    ) -> list[TriggerSummary]: ...

    # --- strategies ----------------------------------------------------------------------

    async def strategies(self) -> list[StrategyInfo]: ...

    async def strategy_status(self) -> StrategyStatus: ...

    async def triggers(self, name: str | None = None, limit: int = 100) -> list[Trigger]: ...

    async def start_strategy(self, name: str, actor: Actor) -> StrategyStatus: ...

    async def stop_strategy(self, actor: Actor) -> StrategyStatus: ...

    async def update_params(
        self, name: str, params: dict[str, Any], actor: Actor
    ) -> ParamsStored: ...

    async def hand_over(
        self, name: str | None, symbol: str, direction: Direction, volume: int, actor: Actor
    ) -> Handover:
        """Make lots of the account the own position of ``name`` (the running strategy
        when None); ControlRefused with the reason when they are not free to hand."""
        ...

    # --- trading state -------------------------------------------------------------------

    async def trading_status(self) -> TradingStatus: ...

    async def set_trading_state(
        self, state: TradingState, reason: str, actor: Actor
    ) -> TradingStatus: ...

    async def emergency_stop(self, reason: str, flatten: bool, actor: Actor) -> EmergencyReport:
        """Acts even when the audit trail cannot be written: a failed audit write is
        reported in ``errors``."""
        ...

    async def reset_emergency(self, reason: str, actor: Actor) -> TradingStatus: ...

    async def reconciliation(self) -> tuple[str | None, list[PositionDifference]]:
        """The reconciliation halt's reason (None when none holds) and each difference
        between the book's positions and the broker's, now."""
        ...

    async def settlement_statement(self) -> SettlementStatement | None:
        """The broker's settlement statement the session confirmed at its login (None
        without a broker session, or before the login)."""
        ...

    async def money_reconciliation(self) -> MoneyReconciliation | None:
        """The book's account against the broker's at the broker's last account report
        (None before the first report)."""
        ...

    async def accept_broker_positions(self, reason: str, actor: Actor) -> Reconciled:
        """Make the book's positions the broker's (audited adjustment fills) and lift the
        reconciliation halt; ``OrderRefused`` when it cannot."""
        ...


class Host(Protocol):
    """A running core as its front ends see it: the client, a start and a stop."""

    @property
    def client(self) -> CoreClient: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...
