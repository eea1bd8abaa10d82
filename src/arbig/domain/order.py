"""Orders and their state machine.

submitting -> not_traded -> part_traded -> all_traded, and cancelled or rejected
from any live state. A terminal state never changes; an illegal transition raises.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from arbig.domain.enums import (
    TERMINAL_STATUSES,
    Direction,
    Exchange,
    Offset,
    OrderSource,
    OrderStatus,
    OrderType,
    Side,
    position_direction,
)


class IllegalTransition(ValueError):
    """An order update that the state machine does not allow."""


_ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.SUBMITTING: frozenset(
        {
            OrderStatus.NOT_TRADED,
            OrderStatus.PART_TRADED,
            OrderStatus.ALL_TRADED,
            OrderStatus.CANCELLED,
            OrderStatus.REJECTED,
        }
    ),
    OrderStatus.NOT_TRADED: frozenset(
        {OrderStatus.PART_TRADED, OrderStatus.ALL_TRADED, OrderStatus.CANCELLED}
    ),
    OrderStatus.PART_TRADED: frozenset(
        {OrderStatus.PART_TRADED, OrderStatus.ALL_TRADED, OrderStatus.CANCELLED}
    ),
    OrderStatus.ALL_TRADED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.REJECTED: frozenset(),
}


def can_transition(current: OrderStatus, new: OrderStatus) -> bool:
    return new in _ALLOWED[current]


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """What a strategy or the operator asks for, before any gateway sees it."""

    symbol: str
    exchange: Exchange
    side: Side
    offset: Offset
    price: Decimal
    volume: int
    order_type: OrderType = OrderType.LIMIT
    source: OrderSource = OrderSource.OPERATOR
    reference: str = ""

    @property
    def direction(self) -> Direction:
        return position_direction(self.side, self.offset)


@dataclass(frozen=True, slots=True)
class Order:
    """An order as the gateway reports it. Updates return a new Order."""

    order_id: str
    symbol: str
    exchange: Exchange
    side: Side
    offset: Offset
    price: Decimal
    volume: int
    traded: int
    status: OrderStatus
    created_at: datetime
    updated_at: datetime
    order_type: OrderType = OrderType.LIMIT
    source: OrderSource = OrderSource.OPERATOR
    reference: str = ""
    reject_reason: str = ""

    @classmethod
    def from_request(cls, order_id: str, request: OrderRequest, now: datetime) -> "Order":
        """A submitting order. Any request can become one, so that even a malformed one
        (volume 0, say) is recorded when it is rejected; only a valid one can trade."""
        return cls(
            order_id=order_id,
            symbol=request.symbol,
            exchange=request.exchange,
            side=request.side,
            offset=request.offset,
            price=request.price,
            volume=request.volume,
            traded=0,
            status=OrderStatus.SUBMITTING,
            created_at=now,
            updated_at=now,
            order_type=request.order_type,
            source=request.source,
            reference=request.reference,
        )

    @property
    def remaining(self) -> int:
        return self.volume - self.traded

    @property
    def is_active(self) -> bool:
        return self.status not in TERMINAL_STATUSES  # OrderStatus.is_active, inline

    @property
    def direction(self) -> Direction:
        return position_direction(self.side, self.offset)

    def transition(
        self, status: OrderStatus, now: datetime, *, traded: int | None = None, reason: str = ""
    ) -> "Order":
        """The order after a status report; raises IllegalTransition when not allowed."""
        if not can_transition(self.status, status):
            raise IllegalTransition(
                f"order {self.order_id}: {self.status} -> {status} is not allowed"
            )
        if status is OrderStatus.REJECTED:  # refused before it could trade
            if traded:
                raise IllegalTransition(f"order {self.order_id}: rejected with {traded} traded")
            return self._reported(status, self.traded, now, reason)
        if self.volume <= 0:
            raise IllegalTransition(
                f"order {self.order_id}: a volume of {self.volume} can only be rejected"
            )
        new_traded = self.traded if traded is None else traded
        if not self.traded <= new_traded <= self.volume:
            raise IllegalTransition(
                f"order {self.order_id}: traded {new_traded} outside {self.traded}..{self.volume}"
            )
        if status is OrderStatus.ALL_TRADED and new_traded != self.volume:
            raise IllegalTransition(f"order {self.order_id}: all traded with {new_traded}")
        if status is OrderStatus.PART_TRADED and not 0 < new_traded < self.volume:
            raise IllegalTransition(f"order {self.order_id}: part traded with {new_traded}")
        if status is OrderStatus.NOT_TRADED and new_traded != 0:
            raise IllegalTransition(f"order {self.order_id}: not traded with {new_traded}")
        return self._reported(status, new_traded, now, reason)

    def _reported(self, status: OrderStatus, traded: int, now: datetime, reason: str) -> "Order":
        # Written out rather than dataclasses.replace, which inspects the fields on
        # every call: orders change state several times per decision.
        return Order(
            self.order_id,
            self.symbol,
            self.exchange,
            self.side,
            self.offset,
            self.price,
            self.volume,
            traded,
            status,
            self.created_at,
            now,
            self.order_type,
            self.source,
            self.reference,
            reason,
        )

    def fill(self, volume: int, now: datetime) -> "Order":
        """The order after ``volume`` more lots traded."""
        if volume <= 0:
            raise IllegalTransition(f"order {self.order_id}: fill of {volume}")
        traded = self.traded + volume
        status = OrderStatus.ALL_TRADED if traded == self.volume else OrderStatus.PART_TRADED
        return self.transition(status, now, traded=traded)
