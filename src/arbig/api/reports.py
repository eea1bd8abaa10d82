"""The recorded history: trade pages, the daily summary, trigger counts."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from arbig.domain.enums import Side
from arbig.domain.trade import Trade


@dataclass(frozen=True, slots=True)
class TradeFilter:
    symbol: str | None = None
    side: Side | None = None
    since: datetime | None = None
    until: datetime | None = None
    trading_day: date | None = None
    since_day: date | None = None
    until_day: date | None = None


@dataclass(frozen=True, slots=True)
class TradeRecord:
    """A recorded fill with what it realized."""

    trade: Trade
    realized_pnl: Decimal


@dataclass(frozen=True, slots=True)
class DailySummary:
    trading_day: date
    symbol: str
    trade_count: int
    buy_volume: int
    sell_volume: int
    turnover: Decimal
    commission: Decimal
    realized_pnl: Decimal


@dataclass(frozen=True, slots=True)
class TriggerSummary:
    """A row of ``strategy_trigger_summary``: one strategy's triggers on one trading day."""

    strategy_name: str
    trading_day: date
    trigger_count: int
    by_action: dict[str, int]
    by_result: dict[str, int]
