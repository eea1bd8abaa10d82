"""Tools for tests of code built on ARBIG (its own suite uses them too).

After NautilusTrader's test kit: engines take their clock through the
constructor, so a test passes a clock it moves by hand.
"""

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal

from arbig.clock import DrivenClock
from arbig.domain.account import DailySettlement, DayCash
from arbig.domain.handover import Handover
from arbig.domain.order import Order
from arbig.domain.snapshot import AccountSnapshot, PositionSnapshot
from arbig.domain.tick import Tick
from arbig.domain.trade import Trade
from arbig.gateways.sim import SimGateway

# Monday 1 June 2026, 10:00 in Shanghai: inside SHFE gold's morning session.
MONDAY_10AM = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def monday_clock() -> DrivenClock:
    """A driven clock that starts at ``MONDAY_10AM``."""
    return DrivenClock(MONDAY_10AM)


class MemoryBook:
    """The book in memory, as the core's ``BookRecorder`` and ``BookSource`` (a kernel run
    without a database, as in tests). Keeps the orders, trades and settlements."""

    queue_depth = 0
    saturated = False
    healthy = True
    health_detail = "in memory"

    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}
        self.trades: list[Trade] = []
        self.settlements: list[DailySettlement] = []
        self.handovers: list[Handover] = []
        self.account_snapshots: list[AccountSnapshot] = []
        self.account_day: date | None = None  # the trading day of the last snapshot

    async def start(self) -> None:
        return None

    async def stop(self, drain_s: float | None = None) -> int:
        return 0

    async def flush(self) -> None:
        return None

    def order(self, order: Order) -> None:
        self.orders[order.order_id] = order

    def trade(
        self,
        trade: Trade,
        *,
        realized_pnl: Decimal = Decimal(0),
        multiplier: int | None = None,
        close_profit: Decimal | None = None,
    ) -> None:
        self.trades.append(trade)

    def settlement(self, record: DailySettlement) -> None:
        self.settlements.append(record)

    keeps_snapshots = True

    def positions(self, positions: list[PositionSnapshot]) -> None:
        return None

    def account(self, account: AccountSnapshot, *, trading_day: date | None = None) -> None:
        self.account_snapshots.append(account)
        self.account_day = trading_day

    def equity(self, account: AccountSnapshot) -> None:
        return None

    async def load_trades(self, account_id: str) -> list[Trade]:
        return list(self.trades)

    async def load_orders(self, account_id: str) -> list[Order]:
        return list(self.orders.values())

    async def load_settlements(self, account_id: str) -> list[DailySettlement]:
        return list(self.settlements)

    async def load_handovers(self, account_id: str) -> list[Handover]:
        return list(self.handovers)

    async def load_day_cash(self, account_id: str) -> DayCash | None:
        if not self.account_snapshots or self.account_day is None:
            return None
        last = self.account_snapshots[-1]
        return DayCash(self.account_day, last.deposit, last.withdraw)


async def drive(clock: DrivenClock, until: datetime, settle: Callable[[], Awaitable[None]]) -> None:
    """Move ``clock`` to ``until`` timer by timer, awaiting ``settle`` after each due time,
    so that what one timer set off (posted reports, queued strategy work) has run before
    the next is due. Nothing waits on the event loop's timers."""
    while (due := clock.next_due) is not None and due <= until:
        clock.advance_to(due)
        await settle()
    clock.advance_to(until)


class SteppedMarket(ABC):
    """A rig that moves its driven clock and the simulated exchange (``autotick=False``)
    by hand, one snapshot at a time; each rig says what settling means for it."""

    clock: DrivenClock
    gateway: SimGateway

    @abstractmethod
    async def settle(self) -> None:
        """Let what a snapshot set off run to the end (the core's tasks, a strategy)."""

    async def tick(self, count: int = 1) -> list[Tick]:
        """``count`` snapshots half a second apart, each settled before the next."""
        ticks: list[Tick] = []
        for _ in range(count):
            ticks += self.gateway.step(self.clock.advance(0.5))
            await self.settle()
        return ticks
