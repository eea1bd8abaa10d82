"""What the core needs from storage, stated as small protocols.

``MemoryStateStore`` keeps the standing state in this process (benchmarks, and a
core run without a database); ``storage.state_store.SqlStateStore`` is the real one.
"""

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Protocol

from arbig.domain.account import DailySettlement, DayCash
from arbig.domain.handover import Handover
from arbig.domain.order import Order
from arbig.domain.snapshot import AccountSnapshot, PositionSnapshot
from arbig.domain.state import MarketChoice, TradingStatus
from arbig.domain.trade import Trade


class BookRecorder(Protocol):
    """Writes the book off the tick path. Enqueue methods never block."""

    async def start(self) -> None: ...

    async def stop(self, drain_s: float | None = None) -> int:
        """Commit what is queued and end, waiting at most ``drain_s`` seconds (None: no
        limit); returns how many writes were left unrecorded."""
        ...

    async def flush(self) -> None: ...

    def order(self, order: Order) -> None: ...

    def trade(
        self,
        trade: Trade,
        *,
        realized_pnl: Decimal = ...,
        multiplier: int | None = None,
        close_profit: Decimal | None = None,
    ) -> None: ...

    def settlement(self, record: DailySettlement) -> None: ...

    def positions(self, positions: list[PositionSnapshot]) -> None: ...

    def account(self, account: AccountSnapshot, *, trading_day: date | None = None) -> None: ...

    def equity(self, account: AccountSnapshot) -> None: ...

    @property
    def queue_depth(self) -> int: ...

    @property
    def saturated(self) -> bool:
        """Past the high-water mark: the core refuses new positions (closes still pass)."""
        ...

    @property
    def healthy(self) -> bool:
        """Committing in time; when not, the core refuses new positions."""
        ...

    @property
    def health_detail(self) -> str: ...

    @property
    def keeps_snapshots(self) -> bool:
        """Whether it records position and account snapshots and equity samples (False:
        the core builds none for it)."""
        ...


class BookSource(Protocol):
    """Reads back what was recorded, to rebuild the book at start-up."""

    async def load_trades(self, account_id: str) -> list[Trade]: ...

    async def load_orders(self, account_id: str) -> list[Order]: ...

    async def load_settlements(self, account_id: str) -> list[DailySettlement]: ...

    async def load_handovers(self, account_id: str) -> list[Handover]:
        """Lots handed to strategies, in the order they were handed."""
        ...

    async def load_day_cash(self, account_id: str) -> DayCash | None:
        """The deposit and withdrawal totals last recorded with the account, of the
        trading day it was on; None when none was recorded."""
        ...


class StateStore(Protocol):
    """The operator's standing choices, committed before each save returns."""

    async def load_trading_status(self) -> TradingStatus | None:
        """The saved trading state; None when none was ever saved."""
        ...

    async def save_trading_status(self, status: TradingStatus) -> None: ...

    async def load_market_choice(self) -> MarketChoice: ...

    async def save_market_choice(self, choice: MarketChoice) -> MarketChoice:
        """Save ``choice``; returns it stamped with the time."""
        ...


class MemoryStateStore:
    """The ``StateStore`` port in memory: lost when the process ends."""

    def __init__(self) -> None:
        self._status: TradingStatus | None = None
        self._choice = MarketChoice()

    async def load_trading_status(self) -> TradingStatus | None:
        return self._status

    async def save_trading_status(self, status: TradingStatus) -> None:
        self._status = status

    async def load_market_choice(self) -> MarketChoice:
        return self._choice

    async def save_market_choice(self, choice: MarketChoice) -> MarketChoice:
        self._choice = replace(choice, updated_at=datetime.now(UTC))
        return self._choice
