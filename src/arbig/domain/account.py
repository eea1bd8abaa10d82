"""Account arithmetic: equity from capital, realized and floating P&L, and margin."""

from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(slots=True)
class AccountBook:
    """The money side of the book.

    ``balance`` is dynamic equity: capital plus realized P&L minus commission
    plus floating P&L. ``available`` is what may be committed to new orders.
    Floating profit counts towards ``available`` as it does at most CTP brokers
    intraday; a broker that differs is modelled by its own gateway's figures.
    """

    account_id: str
    capital: Decimal
    realized_pnl: Decimal = ZERO
    commission: Decimal = ZERO
    unrealized_pnl: Decimal = ZERO
    margin: Decimal = ZERO
    frozen_margin: Decimal = ZERO
    frozen_commission: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        return self.capital + self.realized_pnl - self.commission + self.unrealized_pnl

    @property
    def available(self) -> Decimal:
        return self.balance - self.margin - self.frozen_margin - self.frozen_commission

    def record_fill(self, realized: Decimal, commission: Decimal) -> None:
        self.realized_pnl += realized
        self.commission += commission

    def can_afford(self, margin: Decimal, commission: Decimal) -> bool:
        return margin + commission <= self.available
