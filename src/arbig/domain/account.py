"""Account arithmetic as a CTP broker counts it.

Two sets of figures are kept side by side:

- since inception, trade by trade: ``realized_pnl`` (each close against its lot's open
  price, FIFO) and ``commission``, with ``unrealized_pnl`` against the open price
  (DESIGN.md's formula);
- the trading day's, marked to market by date as CTP's settlement reports them:
  ``close_profit`` (a close of yesterday's lots is measured from the previous
  settlement price, of today's from the open price), ``position_profit`` (yesterday's
  lots from the previous settlement, today's from their open price), ``today_commission``,
  all on top of ``pre_balance``, the balance the previous day settled at.

The two agree on the balance: marking a lot to each day's settlement adds up to its
P&L against the open price, so ``balance`` is both ``capital + transfers + realized -
commission + unrealized`` and ``pre_balance + deposit - withdraw + close_profit +
position_profit - today_commission``.

Money moved in or out of the account (``deposit``, ``withdraw``: the trading day's totals,
as the broker reports them) is not a trade: it changes the balance and what is available
without any P&L; ``transfers`` keeps their net since inception, so the first formula
still holds after the day they were made is settled.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from arbig.domain.contract import ContractSpec
from arbig.domain.enums import Offset
from arbig.domain.order import Order

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class DailySettlement:
    """One trading day of an account, settled (CTP's daily settlement statement).

    ``balance = pre_balance + deposit - withdraw + close_profit + position_profit -
    commission``; ``prices`` are the settlement prices the positions were marked at.
    """

    account_id: str
    trading_day: date
    pre_balance: Decimal
    deposit: Decimal
    withdraw: Decimal
    close_profit: Decimal
    position_profit: Decimal
    commission: Decimal
    balance: Decimal
    prices: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True, slots=True)
class DayCash:
    """A trading day's deposit and withdrawal totals as the book last recorded them."""

    trading_day: date
    deposit: Decimal
    withdraw: Decimal


@dataclass(slots=True)
class AccountBook:
    """The money side of the book.

    ``balance`` is dynamic equity. ``available`` is what may be committed to new
    orders: the balance less the margin held and the margin and commission frozen for
    working orders. Floating profit counts towards ``available`` as it does at most
    CTP brokers intraday; a broker that differs is modelled by its own gateway's figures.
    """

    account_id: str
    capital: Decimal
    realized_pnl: Decimal = ZERO
    commission: Decimal = ZERO
    unrealized_pnl: Decimal = ZERO
    margin: Decimal = ZERO
    frozen_margin: Decimal = ZERO
    frozen_commission: Decimal = ZERO
    # The trading day's figures (see the module docstring); pre_balance None = capital.
    pre_balance: Decimal | None = None
    deposit: Decimal = ZERO
    withdraw: Decimal = ZERO
    close_profit: Decimal = ZERO
    position_profit: Decimal = ZERO
    today_commission: Decimal = ZERO
    # Deposits less withdrawals since inception, the trading day's included.
    transfers: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        return (
            self.capital
            + self.transfers
            + self.realized_pnl
            - self.commission
            + self.unrealized_pnl
        )

    @property
    def available(self) -> Decimal:
        return self.balance - self.margin - self.frozen_margin - self.frozen_commission

    @property
    def opening_balance(self) -> Decimal:
        """The balance the trading day started from (the previous settlement's)."""
        return self.capital if self.pre_balance is None else self.pre_balance

    def record_fill(
        self, realized: Decimal, commission: Decimal, close_profit: Decimal | None = None
    ) -> None:
        """A fill's realized P&L by trade and, when it differs, by date (``close_profit``)."""
        self.realized_pnl += realized
        self.commission += commission
        self.close_profit += realized if close_profit is None else close_profit
        self.today_commission += commission

    def move_cash(self, deposit: Decimal, withdraw: Decimal) -> Decimal:
        """Make the trading day's deposit and withdrawal totals ``deposit`` and
        ``withdraw`` (the broker's figures for the day); returns the net change of the
        balance (positive: money came in)."""
        if deposit < 0 or withdraw < 0:
            raise ValueError(
                f"deposit and withdraw are the day's totals and cannot be negative, "
                f"got deposit {deposit}, withdraw {withdraw}"
            )
        change = (deposit - self.deposit) - (withdraw - self.withdraw)
        self.deposit, self.withdraw = deposit, withdraw
        self.transfers += change
        return change

    def can_afford(self, margin: Decimal, commission: Decimal) -> bool:
        return margin + commission <= self.available

    def settle(
        self,
        trading_day: date,
        position_profit: Decimal,
        prices: Iterable[tuple[str, Decimal]] = (),
    ) -> DailySettlement:
        """Close ``trading_day`` with its positions marked at the settlement prices
        (``position_profit``); the next day starts from the settled balance."""
        pre = self.opening_balance
        balance = (
            pre
            + self.deposit
            - self.withdraw
            + self.close_profit
            + position_profit
            - self.today_commission
        )
        record = DailySettlement(
            account_id=self.account_id,
            trading_day=trading_day,
            pre_balance=pre,
            deposit=self.deposit,
            withdraw=self.withdraw,
            close_profit=self.close_profit,
            position_profit=position_profit,
            commission=self.today_commission,
            balance=balance,
            prices=tuple(sorted(prices)),
        )
        self.pre_balance = balance
        self.deposit = self.withdraw = ZERO
        self.close_profit = self.position_profit = self.today_commission = ZERO
        return record


def frozen_for(
    orders: Iterable[Order], spec_for: Callable[[str], ContractSpec]
) -> tuple[Decimal, Decimal]:
    """(margin, commission) a CTP broker freezes for working ``orders``: an open order's
    margin at its limit price, and every order's commission, for the lots not yet filled."""
    margin = commission = ZERO
    for order in orders:
        if not order.is_active or order.remaining <= 0:
            continue
        spec = spec_for(order.symbol)
        commission += spec.commission(order.offset, order.remaining, order.price)
        if order.offset is Offset.OPEN:
            margin += spec.margin(order.price, order.remaining)
    return margin, commission
