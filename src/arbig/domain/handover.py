"""Handing a strategy lots of the account: which lots are free to hand, and the record.

A strategy's position is the net of its own fills; lots it never traded become its
own only when the operator hands them over. Only lots that no strategy owns and no
manual working close has promised can be handed.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from arbig.domain.enums import Direction, OrderSource
from arbig.domain.order import Order
from arbig.domain.position import PositionLeg, free_of_closes


class HandoverError(ValueError):
    """A handover that cannot be made; the message says why."""


@dataclass(frozen=True, slots=True)
class Handover:
    """Lots of the account made a strategy's own, at the account's average price."""

    strategy_name: str
    symbol: str
    direction: Direction
    volume_yesterday: int
    volume_today: int
    price: Decimal
    trading_day: date
    handed_at: datetime

    @property
    def volume(self) -> int:
        return self.volume_yesterday + self.volume_today


def free_to_hand(
    account: PositionLeg | None, owned: Iterable[PositionLeg], working: Iterable[Order]
) -> tuple[int, int]:
    """(yesterday's, today's) lots of the account's leg that no strategy owns and no
    manual working close has promised."""
    if account is None:
        return 0, 0
    yesterday, today = account.volume_yesterday, account.volume_today
    for leg in owned:
        yesterday -= leg.volume_yesterday
        today -= leg.volume_today
    # The position snapshots count free lots by this on every tick someone listens:
    # plain volumes, not a leg of lots built to be measured.
    manual = (o for o in working if o.source is not OrderSource.STRATEGY)
    return free_of_closes(
        account.symbol, account.direction, max(yesterday, 0), max(today, 0), manual
    )


def split_handover(
    account: PositionLeg | None,
    owned: Iterable[PositionLeg],
    working: Iterable[Order],
    volume: int,
) -> tuple[int, int]:
    """(yesterday's, today's) lots handing ``volume`` lots takes, yesterday's first (as
    closes take them); HandoverError when fewer are free."""
    if volume <= 0:
        raise HandoverError(f"volume must be a positive number of lots, not {volume}")
    yesterday, today = free_to_hand(account, owned, working)
    if volume > yesterday + today:
        held = 0 if account is None else account.volume
        raise HandoverError(
            f"cannot hand {volume} lots: the account holds {held}, of which "
            f"{yesterday + today} are free of strategies' positions and working closes"
        )
    from_yesterday = min(yesterday, volume)
    return from_yesterday, volume - from_yesterday
