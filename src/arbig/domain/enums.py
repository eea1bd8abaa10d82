"""Stable machine strings. Display text lives in the front end."""

from enum import StrEnum


class Exchange(StrEnum):
    SHFE = "SHFE"
    INE = "INE"
    DCE = "DCE"
    CZCE = "CZCE"
    CFFEX = "CFFEX"
    GFEX = "GFEX"


class Side(StrEnum):
    """The side of an order or a trade (DESIGN.md: trades.direction is buy|sell)."""

    BUY = "buy"
    SELL = "sell"

    @property
    def opposite(self) -> "Side":
        return Side.SELL if self is Side.BUY else Side.BUY


class Direction(StrEnum):
    """The direction of a position leg (DESIGN.md: positions.direction is long|short)."""

    LONG = "long"
    SHORT = "short"

    @property
    def opposite(self) -> "Direction":
        return Direction.SHORT if self is Direction.LONG else Direction.LONG


class Offset(StrEnum):
    """Open or close. SHFE distinguishes closing today's and yesterday's holdings."""

    OPEN = "open"
    CLOSE = "close"
    CLOSE_TODAY = "close_today"
    CLOSE_YESTERDAY = "close_yesterday"

    @property
    def is_close(self) -> bool:
        return self is not Offset.OPEN


class OrderType(StrEnum):
    LIMIT = "limit"
    MARKET = "market"


class OrderStatus(StrEnum):
    SUBMITTING = "submitting"
    NOT_TRADED = "not_traded"
    PART_TRADED = "part_traded"
    ALL_TRADED = "all_traded"
    CANCELLED = "cancelled"
    REJECTED = "rejected"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL

    @property
    def is_active(self) -> bool:
        return not self.is_terminal


_TERMINAL = frozenset({OrderStatus.ALL_TRADED, OrderStatus.CANCELLED, OrderStatus.REJECTED})


class OrderSource(StrEnum):
    STRATEGY = "strategy"
    OPERATOR = "operator"
    RISK = "risk"


class ActionType(StrEnum):
    BUY = "buy"
    SELL = "sell"
    CLOSE = "close"
    HOLD = "hold"


class TriggerResult(StrEnum):
    SUCCESS = "success"
    FAILED = "failed"
    PENDING = "pending"


class TradingState(StrEnum):
    """Active trades freely; reducing allows only orders that shrink a position; halted none."""

    ACTIVE = "active"
    REDUCING = "reducing"
    HALTED = "halted"


class Transfer(StrEnum):
    """Money moved into (deposit) or out of (withdraw) the account: not a trade."""

    DEPOSIT = "deposit"
    WITHDRAW = "withdraw"


def position_direction(side: Side, offset: Offset) -> Direction:
    """The position leg a fill touches: opening buys and closing sells touch the long leg."""
    # buy and open, or sell and close: asked for every order the risk engine checks
    return Direction.LONG if (side is Side.BUY) is (offset is Offset.OPEN) else Direction.SHORT
