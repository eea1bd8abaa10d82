"""The trading state, the emergency stop and the strategies, as the operator sees them."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from arbig.domain.state import TradingStatus

__all__ = [
    "EmergencyReport",
    "ParamsStored",
    "StrategyInfo",
    "StrategyStatus",
    "TradingStatus",  # the domain's: the core keeps it as it is shown
]


@dataclass(frozen=True, slots=True)
class EmergencyReport:
    """What one emergency stop did; ``errors`` also names an audit write that failed."""

    already_engaged: bool
    status: TradingStatus
    cancelled: list[str] = field(default_factory=list)
    flatten_orders: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StrategyInfo:
    """A strategy the engine knows: what it does, its parameters and their schema."""

    name: str
    description: str
    params: dict[str, Any]
    params_schema: dict[str, Any]
    running: bool


@dataclass(frozen=True, slots=True)
class StrategyStatus:
    """The engine now: ``state`` is running, stopped or failed (stopped by an exception)."""

    state: str
    name: str | None = None
    symbol: str | None = None
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    error: str | None = None
    notice: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    working_orders: int = 0
    long: int = 0
    short: int = 0


@dataclass(frozen=True, slots=True)
class ParamsStored:
    """Parameters stored for a strategy; ``message`` says when they take effect."""

    strategy: StrategyInfo
    message: str


@dataclass(frozen=True, slots=True)
class Reconciled:
    """The broker's positions accepted: the differences there were, the adjustment fills."""

    differences: list[str]
    adjustments: list[str]
