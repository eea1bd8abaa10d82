"""The core client: the one interface through which the web layer reaches the core.

``LocalCoreClient`` serves the embedded single process; a split deployment
puts a Redis-backed client with the same methods in its place.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arbig import __version__
from arbig.domain.audit import AuditEntry
from arbig.domain.enums import Direction
from arbig.domain.order import Order, OrderRequest
from arbig.domain.snapshot import AccountSnapshot, PositionSnapshot
from arbig.domain.statistics import Statistics, statistics
from arbig.domain.tick import Tick
from arbig.engine.bus import EventType
from arbig.engine.closing import CloseDesk, ClosePreview, CloseResult
from arbig.engine.core import TradingCore
from arbig.engine.market import MarketDesk
from arbig.engine.strategy.controls import ControlRefused, Controls
from arbig.storage import reports, repository
from arbig.storage.audit import AuditTrail
from arbig.storage.reads import Reader
from arbig.storage.reports import DailySummary, TradeFilter, TradeRecord, TriggerSummary

EventCallback = Callable[[EventType, Any], None]
__all__ = ["ControlRefused", "Controls", "CoreClient", "LocalCoreClient"]


class ComponentState(StrEnum):
    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class Component:
    state: ComponentState
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Health:
    status: ComponentState
    main_contract: str
    version: str
    uptime_s: float
    components: dict[str, Component] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LogRecord:
    time: datetime
    level: str
    source: str
    message: str
    context: dict[str, Any] = field(default_factory=dict)


class CoreClient(Protocol):
    @property
    def main_contract(self) -> str: ...

    async def health(self) -> Health: ...

    async def latest_tick(self, symbol: str) -> Tick | None: ...

    async def ticks(self, symbol: str, count: int) -> list[Tick]: ...

    async def positions(self) -> list[PositionSnapshot]: ...

    async def account(self) -> AccountSnapshot: ...

    async def orders(self, *, active_only: bool = False) -> list[Order]: ...

    async def send_order(self, request: OrderRequest) -> str: ...

    async def cancel_order(self, order_id: str) -> None: ...

    @property
    def controls(self) -> Controls:
        """Strategies, the trading state and the emergency stop."""
        ...

    @property
    def market(self) -> MarketDesk:
        """Bars, the main contract and its switch, the watchlist."""
        ...

    def listen(self, callback: EventCallback) -> Callable[[], None]:
        """Call ``callback`` for every core event; returns a function that stops it."""
        ...

    async def audit(self, entry: AuditEntry) -> None:
        """Write ``entry`` to the audit trail (committed when this returns)."""
        ...

    async def trades(
        self, filters: TradeFilter, *, limit: int, offset: int
    ) -> tuple[list[TradeRecord], int]:
        """A page of recorded trades, newest first, and the number matching in all."""
        ...

    async def daily_summary(
        self, since_day: date | None, until_day: date | None
    ) -> list[DailySummary]: ...

    async def statistics(self, filters: TradeFilter) -> Statistics: ...

    async def trigger_summary(
        self, strategy_name: str | None, since_day: date | None, until_day: date | None
    ) -> list[TriggerSummary]:
        """Triggers per strategy and trading day, by action and by result."""
        ...

    async def equity_curve(
        self, since: datetime | None, until: datetime | None, max_points: int
    ) -> list[AccountSnapshot]: ...

    def preview_close(self, symbol: str, direction: Direction, volume: int | None) -> ClosePreview:
        """Plan a close of one position; raises CloseError with the reason."""
        ...

    async def confirm_close(self, token: str) -> CloseResult: ...

    async def logs(
        self, *, level: str | None, since: datetime | None, limit: int
    ) -> list[LogRecord]: ...

    async def audit_entries(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        action: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AuditEntry]: ...


class LocalCoreClient:
    """The core in the same process: calls go straight through."""

    def __init__(
        self,
        core: TradingCore,
        sessions: async_sessionmaker[AsyncSession],
        reader: Reader,
        audit: AuditTrail,
        controls: Controls | None = None,
        market: MarketDesk | None = None,
    ) -> None:
        self._core = core
        self._controls = controls
        self._market = market
        self._sessions = sessions
        self._reader = reader
        self._audit = audit  # the core's own: one trail for the operator's and its actions
        self._closing = CloseDesk(core)

    @property
    def main_contract(self) -> str:
        return self._core.main_contract

    async def health(self) -> Health:
        core = self._core
        now = datetime.now(UTC)
        components = {
            "gateway": Component(
                ComponentState.UP if core.gateway_connected else ComponentState.DOWN,
                f"{core.gateway.name}: {core.gateway_reason}",
            ),
            "database": Component(
                ComponentState.UP if core.recorder.healthy else ComponentState.DEGRADED,
                core.recorder.health_detail
                + (" (new positions refused)" if core.recorder.saturated else ""),
            ),
            "book": Component(
                ComponentState.DOWN if core.halt_reason else ComponentState.UP,
                core.halt_reason or "reconciled with the broker",
            ),
            "tick_store": Component(
                ComponentState.UP if core.tick_store.healthy else ComponentState.DEGRADED,
                core.tick_store.name,
            ),
        }
        if self._market is not None:
            for name, (up, detail) in self._market.component_states().items():
                state = ComponentState.UP if up else ComponentState.DEGRADED
                components[name] = Component(state, detail)
        states = {c.state for c in components.values()}
        if ComponentState.DOWN in states:
            status = ComponentState.DOWN if core.started_at is None else ComponentState.DEGRADED
        elif ComponentState.DEGRADED in states:
            status = ComponentState.DEGRADED
        else:
            status = ComponentState.UP
        started = core.started_at or now
        return Health(
            status=status,
            main_contract=core.main_contract,
            version=__version__,
            uptime_s=round((now - started).total_seconds(), 3),
            components=components,
        )

    async def latest_tick(self, symbol: str) -> Tick | None:
        return await self._core.tick_store.latest(symbol)

    async def ticks(self, symbol: str, count: int) -> list[Tick]:
        return await self._core.tick_store.history(symbol, count)

    async def positions(self) -> list[PositionSnapshot]:
        snapshots = self._core.portfolio.position_snapshots(datetime.now(UTC))
        return [p for p in snapshots if p.volume > 0]

    async def account(self) -> AccountSnapshot:
        return self._core.portfolio.account_snapshot(datetime.now(UTC))

    async def orders(self, *, active_only: bool = False) -> list[Order]:
        oms = self._core.oms
        orders = oms.active_orders() if active_only else list(oms.orders.values())
        return sorted(orders, key=lambda o: o.created_at, reverse=True)

    async def send_order(self, request: OrderRequest) -> str:
        return await self._core.send_order(request)

    async def cancel_order(self, order_id: str) -> None:
        await self._core.cancel_order(order_id)

    @property
    def controls(self) -> Controls:
        if self._controls is None:
            raise ControlRefused("this core runs without strategies and risk controls")
        return self._controls

    @property
    def market(self) -> MarketDesk:
        if self._market is None:
            raise RuntimeError("this core runs without bars and contract management")
        return self._market

    def listen(self, callback: EventCallback) -> Callable[[], None]:
        bus = self._core.bus
        bus.subscribe_all(callback)

        def stop() -> None:
            for event_type in EventType:
                bus.unsubscribe(event_type, callback)

        return stop

    async def audit(self, entry: AuditEntry) -> None:
        await self._audit.record(entry)

    async def audit_entries(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        action: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AuditEntry]:
        return await self._audit.entries(
            since=since, until=until, action=action, limit=limit, offset=offset
        )

    async def trades(
        self, filters: TradeFilter, *, limit: int, offset: int
    ) -> tuple[list[TradeRecord], int]:
        return await self._reader.run(
            reports.trade_page, self._core.account_id, filters, limit=limit, offset=offset
        )

    async def daily_summary(
        self, since_day: date | None, until_day: date | None
    ) -> list[DailySummary]:
        return await self._reader.run(
            reports.daily_summary, self._core.account_id, since_day, until_day
        )

    async def statistics(self, filters: TradeFilter) -> Statistics:
        closing, commissions = await self._reader.run(
            reports.closing_fills, self._core.account_id, filters
        )
        async with self._sessions() as session:
            curve = await repository.equity_curve(
                session, self._core.account_id, filters.since, filters.until, max_points=100_000
            )
        return statistics(closing, commissions, [point.balance for point in curve])

    async def equity_curve(
        self, since: datetime | None, until: datetime | None, max_points: int
    ) -> list[AccountSnapshot]:
        async with self._sessions() as session:
            return await repository.equity_curve(
                session, self._core.account_id, since, until, max_points
            )

    def preview_close(self, symbol: str, direction: Direction, volume: int | None) -> ClosePreview:
        return self._closing.preview(symbol, direction, volume)

    async def confirm_close(self, token: str) -> CloseResult:
        return await self._closing.confirm(token)

    async def logs(
        self, *, level: str | None, since: datetime | None, limit: int
    ) -> list[LogRecord]:
        async with self._sessions() as session:
            rows = await repository.find_logs(session, level=level, since=since, limit=limit)
        return [LogRecord(r.time, r.level, r.source, r.message, r.context or {}) for r in rows]

    async def trigger_summary(
        self, strategy_name: str | None, since_day: date | None, until_day: date | None
    ) -> list[TriggerSummary]:
        return await self._reader.run(reports.trigger_summary, strategy_name, since_day, until_day)
