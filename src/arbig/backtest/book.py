"""A backtest's book: the core's recorder and source, in memory, never the live book.

It starts empty (a backtest opens a fresh account) and keeps what a report needs: every
fill with the P&L it realized, and the daily settlements.
"""

from datetime import date
from decimal import Decimal

from arbig.domain.account import DailySettlement, DayCash
from arbig.domain.handover import Handover
from arbig.domain.order import Order
from arbig.domain.performance import Fill
from arbig.domain.snapshot import AccountSnapshot, PositionSnapshot
from arbig.domain.trade import Trade


class BacktestBook:
    """``BookRecorder`` and ``BookSource`` of a backtest's kernel."""

    queue_depth = 0
    saturated = False
    healthy = True
    health_detail = "backtest: in memory"
    keeps_snapshots = False  # the report is made of the fills and the equity curve

    def __init__(self) -> None:
        self.fills: list[Fill] = []
        self.settlements: list[DailySettlement] = []

    async def start(self) -> None:
        return None

    async def stop(self, drain_s: float | None = None) -> int:
        return 0

    async def flush(self) -> None:
        return None

    def order(self, order: Order) -> None:
        return None

    def trade(
        self,
        trade: Trade,
        *,
        realized_pnl: Decimal = Decimal(0),
        multiplier: int | None = None,
        close_profit: Decimal | None = None,
    ) -> None:
        self.fills.append(
            Fill(
                trade_id=trade.trade_id,
                datetime=trade.datetime,
                trading_day=trade.trading_day,
                side=trade.side,
                offset=trade.offset,
                price=trade.price,
                volume=trade.volume,
                commission=trade.commission,
                realized_pnl=realized_pnl,
            )
        )

    def settlement(self, record: DailySettlement) -> None:
        self.settlements.append(record)

    def positions(self, positions: list[PositionSnapshot]) -> None:
        return None

    def account(self, account: AccountSnapshot, *, trading_day: date | None = None) -> None:
        return None

    def equity(self, account: AccountSnapshot) -> None:
        return None

    async def load_trades(self, account_id: str) -> list[Trade]:
        return []

    async def load_orders(self, account_id: str) -> list[Order]:
        return []

    async def load_settlements(self, account_id: str) -> list[DailySettlement]:
        return []

    async def load_handovers(self, account_id: str) -> list[Handover]:
        return []

    async def load_day_cash(self, account_id: str) -> DayCash | None:
        return None
