"""The operator's standing choices the core keeps across restarts: the trading state
(and the emergency stop) and the market choice (main contract, watchlist)."""

from dataclasses import dataclass
from datetime import datetime

from arbig.domain.enums import TradingState


@dataclass(frozen=True, slots=True)
class TradingStatus:
    """The trading state, and the emergency stop if one is engaged."""

    state: TradingState
    emergency: bool = False
    since: datetime | None = None
    reason: str = ""
    actor: str = ""
    refused_orders: int = 0


@dataclass(frozen=True, slots=True)
class MarketChoice:
    """What the operator chose; ``None`` means "not chosen, use the config"."""

    main_contract: str | None = None
    watchlist: tuple[str, ...] | None = None
    updated_at: datetime | None = None
