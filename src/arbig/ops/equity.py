"""The account over the trading day, followed from account events: the day's start,
its peak equity, the losing streak of closing trades.

Shared by the metrics (drawdown, daily P&L) and the protections, so both read the
same figures. No I/O; fed by ``on_tick`` (for the trading day), ``on_trade`` and
``on_account``.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from arbig.domain.snapshot import AccountSnapshot
from arbig.domain.trade import Trade

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class EquityFigures:
    trading_day: date | None
    equity: Decimal
    day_start: Decimal
    peak: Decimal
    margin: Decimal
    losing_streak: int

    @property
    def day_pnl(self) -> Decimal:
        return self.equity - self.day_start

    @property
    def drawdown(self) -> Decimal:
        """From the day's peak equity, as a fraction of the peak (0 at a new high)."""
        if self.peak <= 0:
            return ZERO
        return max(ZERO, (self.peak - self.equity) / self.peak)

    @property
    def margin_ratio(self) -> Decimal:
        """Margin in use over equity (1 or more: the account is under water)."""
        if self.equity <= 0:
            return Decimal(1) if self.margin > 0 else ZERO
        return self.margin / self.equity


class EquityWatch:
    def __init__(self) -> None:
        self._day: date | None = None
        self._seen_day: date | None = None
        self._account: AccountSnapshot | None = None
        self._day_start = ZERO
        self._peak = ZERO
        self._closing_pending = False
        self._net_before = ZERO
        self.losing_streak = 0

    def on_tick_day(self, trading_day: date) -> None:
        self._seen_day = trading_day

    def on_trade(self, trade: Trade) -> None:
        if trade.offset.is_close and self._account is not None:
            if not self._closing_pending:
                self._net_before = _net(self._account)
            self._closing_pending = True

    def on_account(self, account: AccountSnapshot) -> None:
        if self._seen_day is not None and self._seen_day != self._day:
            self._day = self._seen_day
            self._day_start = self._peak = account.balance
            self.losing_streak = 0
        elif self._account is None:
            self._day_start = self._peak = account.balance
        if account.balance > self._peak:
            self._peak = account.balance
        if self._closing_pending:
            # The core publishes the account right after a fill: the realized P&L net of
            # commission it added is that closing trade's result.
            self._closing_pending = False
            result = _net(account) - self._net_before
            self.losing_streak = self.losing_streak + 1 if result < 0 else 0
        self._account = account

    def reset_streak(self) -> None:
        self.losing_streak = 0

    @property
    def figures(self) -> EquityFigures | None:
        account = self._account
        if account is None:
            return None
        return EquityFigures(
            self._day,
            account.balance,
            self._day_start,
            self._peak,
            account.margin,
            self.losing_streak,
        )


def _net(account: AccountSnapshot) -> Decimal:
    return account.realized_pnl - account.commission
