"""Comparing the book with the broker: positions after a restart, money at every
account report."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from arbig.domain.enums import Direction

LegKey = tuple[str, Direction]


@dataclass(frozen=True, slots=True)
class PositionDifference:
    symbol: str
    direction: Direction
    book: int
    broker: int

    def __str__(self) -> str:
        return f"{self.symbol} {self.direction}: book {self.book}, broker {self.broker}"


def position_differences(
    book: Mapping[LegKey, int], broker: Mapping[LegKey, int]
) -> list[PositionDifference]:
    """Every leg whose volume differs between the two sides, in a stable order."""
    keys = sorted(set(book) | set(broker))
    return [
        PositionDifference(symbol, direction, book.get(key, 0), broker.get(key, 0))
        for key in keys
        for symbol, direction in [key]
        if book.get(key, 0) != broker.get(key, 0)
    ]


# --- money ------------------------------------------------------------------------------

MONEY_FIELDS = (
    "balance",
    "available",
    "margin",
    "frozen_margin",
    "commission",
    "close_profit",
    "pre_balance",
)
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class AccountFigures:
    """The account's money as one side counts it. ``commission`` and ``close_profit`` are
    the trading day's; ``close_profit`` None where that side does not count it.
    ``pre_balance`` is the balance the previous trading day settled at, the base of the
    day's figures; None where that side does not report it."""

    balance: Decimal
    available: Decimal
    margin: Decimal
    frozen_margin: Decimal
    commission: Decimal
    close_profit: Decimal | None = None
    pre_balance: Decimal | None = None


# What a difference in the previous settled balance likely means, and what to do: the
# day's deposit and withdrawal are booked from the report, but not a day's ARBIG did
# not run, and the book cannot date such a move to book it.
PRE_BALANCE_HINT = (
    "pre_balance: the broker's previous settled balance differs from the book's: a "
    "deposit or withdrawal on a day ARBIG did not run, or a settlement the book did not "
    "see? Check the broker's settlement statement; for money moved, change ctp.capital "
    "by the net amount and restart (docs/storage.md, money moved while ARBIG was down)."
)


@dataclass(frozen=True, slots=True)
class MoneyDifference:
    field: str
    book: Decimal
    broker: Decimal

    @property
    def difference(self) -> Decimal:
        """Book less broker."""
        return self.book - self.broker

    def __str__(self) -> str:
        return f"{self.field}: book {self.book}, broker {self.broker} ({self.difference:+})"


@dataclass(frozen=True, slots=True)
class MoneyReconciliation:
    """The book's account against the broker's at the broker's last account report.

    ``broker_is_truth``: with a live broker its figures are the account's truth (the
    console shows them); with a simulated or paper exchange the book's are."""

    account_id: str
    checked_at: datetime
    book: AccountFigures
    broker: AccountFigures
    differences: tuple[MoneyDifference, ...]
    broker_is_truth: bool

    @property
    def hints(self) -> tuple[str, ...]:
        """What the differing figures likely mean, for the operator (one line each)."""
        fields = {d.field for d in self.differences}
        return (PRE_BALANCE_HINT,) if "pre_balance" in fields else ()


def money_differences(
    book: AccountFigures, broker: AccountFigures, tolerance: Decimal = CENT
) -> list[MoneyDifference]:
    """Each figure (in ``MONEY_FIELDS`` order) whose two sides differ by more than
    ``tolerance``; a figure one side does not count is not compared."""
    if tolerance < 0:
        raise ValueError(f"tolerance must not be negative, got {tolerance}")
    # Most reports agree to the cent with the book: equal figures differ by nothing,
    # whatever the tolerance, and the comparison below is not needed.
    if (
        book.balance == broker.balance
        and book.available == broker.available
        and book.margin == broker.margin
        and book.frozen_margin == broker.frozen_margin
        and book.commission == broker.commission
        and (
            book.close_profit is None
            or broker.close_profit is None
            or book.close_profit == broker.close_profit
        )
        and (
            book.pre_balance is None
            or broker.pre_balance is None
            or book.pre_balance == broker.pre_balance
        )
    ):
        return []
    found: list[MoneyDifference] = []
    for name in MONEY_FIELDS:
        ours, theirs = getattr(book, name), getattr(broker, name)
        if ours is None or theirs is None:
            continue
        if abs(ours - theirs) > tolerance:
            found.append(MoneyDifference(name, ours, theirs))
    return found
