"""Closing one position in two steps: the preview with its token, then the result."""

from dataclasses import dataclass, field
from decimal import Decimal

from arbig.domain.enums import Direction, Side
from arbig.domain.order import Order


@dataclass(frozen=True, slots=True)
class PlannedOrder:
    offset: str
    volume: int
    price: Decimal


@dataclass(frozen=True, slots=True)
class ClosePreview:
    token: str
    symbol: str
    direction: Direction
    side: Side
    volume: int
    current_price: Decimal
    expected_pnl: Decimal
    plan: list[PlannedOrder]
    expires_in_s: float


@dataclass(frozen=True, slots=True)
class CloseResult:
    """``result`` is filled, partly_filled, working or rejected."""

    result: str
    symbol: str
    direction: Direction
    volume: int
    traded: int
    orders: list[Order] = field(default_factory=list)
    message: str = ""
