"""The contract for a core in this process: the engine's own operations, awaited here.

Built by the assembly (``arbig.runtime``) from the engine's parts. Reads go to the
engine or the database; every operator command goes through the ``Auditor``.
"""

from collections.abc import AsyncIterator, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arbig import __version__
from arbig.api.actor import Actor
from arbig.api.closing import ClosePreview, CloseResult
from arbig.api.errors import OrderRefused
from arbig.api.events import Event, Gap
from arbig.api.health import Component, ComponentState, Health, LogRecord
from arbig.api.market import ContractInfo, SwitchResult
from arbig.api.reports import DailySummary, TradeFilter, TradeRecord, TriggerSummary
from arbig.api.trading import (
    EmergencyReport,
    ParamsStored,
    Reconciled,
    StrategyInfo,
    StrategyStatus,
    TradingStatus,
)
from arbig.clock import Clock
from arbig.domain.account import DailySettlement
from arbig.domain.audit import AuditEntry
from arbig.domain.bar import Bar
from arbig.domain.enums import Direction, TradingState, Transfer
from arbig.domain.handover import Handover
from arbig.domain.order import Order, OrderRequest
from arbig.domain.reconcile import MoneyReconciliation, PositionDifference
from arbig.domain.session import SettlementStatement
from arbig.domain.snapshot import AccountSnapshot, PositionSnapshot
from arbig.domain.statistics import Statistics, statistics
from arbig.domain.tick import Tick
from arbig.domain.trigger import Trigger
from arbig.engine.closing import CloseDesk
from arbig.engine.controls import TradingControls
from arbig.engine.core import TradingCore
from arbig.engine.market import MarketDesk
from arbig.host.audited import Auditor
from arbig.host.events import bus_events
from arbig.storage import reports, repository
from arbig.storage.audit import AuditTrail
from arbig.storage.reads import Reader
from arbig.ticks.base import TickStore


def _order_detail(request: OrderRequest) -> dict[str, Any]:
    return {
        "side": request.side.value,
        "offset": request.offset.value,
        "price": str(request.price),
        "volume": request.volume,
    }


class LocalCoreClient:
    """``arbig.api.client.CoreClient`` for the core in this process."""

    def __init__(
        self,
        core: TradingCore,
        controls: TradingControls,
        market: MarketDesk,
        closing: CloseDesk,
        ticks: TickStore,
        sessions: async_sessionmaker[AsyncSession],
        reader: Reader,
        audit: AuditTrail,
        clock: Clock,
    ) -> None:
        self._core = core
        self._clock = clock  # the kernel's: uptime and marks read the time it runs on
        self._controls = controls
        self._market = market
        self._closing = closing
        self._ticks = ticks  # the core's tick store (the runtime built it)
        self._sessions = sessions
        self._reader = reader
        self._trail = audit  # the core's own: one trail for the operator's and its actions
        self._audit = Auditor(audit, clock)

    # --- the system ----------------------------------------------------------------------

    async def health(self) -> Health:
        core = self._core
        now = self._clock.now()
        parts = core.parts_health()
        components = {
            "gateway": Component(
                ComponentState.UP if parts.gateway_connected else ComponentState.DOWN,
                parts.gateway,
            ),
            "database": Component(
                ComponentState.UP if parts.recorder_healthy else ComponentState.DEGRADED,
                parts.recorder_detail
                + (" (new positions refused)" if parts.recorder_saturated else ""),
            ),
            "book": Component(
                ComponentState.DOWN if core.halt_reason else ComponentState.UP,
                core.halt_reason or "reconciled with the broker",
            ),
            "tick_store": Component(
                ComponentState.UP if parts.tick_store_healthy else ComponentState.DEGRADED,
                parts.tick_store,
            ),
        }
        for name, (up, detail) in self._market.component_states().items():
            components[name] = Component(
                ComponentState.UP if up else ComponentState.DEGRADED, detail
            )
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
            session=list(parts.session),
        )

    def events(self) -> AsyncIterator[Event | Gap]:
        return bus_events(self._core.events)

    async def logs(
        self, *, level: str | None, since: datetime | None, limit: int
    ) -> list[LogRecord]:
        async with self._sessions() as session:
            rows = await repository.find_logs(session, level=level, since=since, limit=limit)
        return [LogRecord(r.time, r.level, r.source, r.message, r.context or {}) for r in rows]

    async def audit_entries(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        action: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AuditEntry]:
        return await self._trail.entries(
            since=since, until=until, action=action, limit=limit, offset=offset
        )

    async def record_login(self, actor: Actor, result: str) -> None:
        await self._trail.record(self._audit.entry(actor, "login", result, "", {}))

    # --- market data ---------------------------------------------------------------------

    async def latest_tick(self, symbol: str) -> Tick | None:
        return await self._ticks.latest(symbol)

    async def ticks(self, symbol: str, count: int) -> list[Tick]:
        return await self._ticks.history(symbol, count)

    async def bars(
        self, symbol: str, start: datetime, end: datetime, *, include_current: bool = False
    ) -> list[Bar]:
        return await self._market.bars(symbol, start, end, include_current=include_current)

    async def contract(self) -> ContractInfo:
        return self._market.contract()

    async def switch_main_contract(self, symbol: str, actor: Actor) -> SwitchResult:
        return await self._audit.run(
            actor,
            "contract_switch",
            lambda: self._market.switch_main_contract(symbol),
            target=symbol[:32],
            outcome=lambda r: ("ok", {"previous": r.previous, "changed": r.changed}),
        )

    async def watchlist(self) -> tuple[str, ...]:
        return self._market.watchlist()

    async def set_watchlist(self, symbols: Iterable[str], actor: Actor) -> tuple[str, ...]:
        wanted = list(symbols)
        return await self._audit.run(
            actor,
            "watchlist_set",
            lambda: self._market.set_watchlist(wanted),
            target=",".join(wanted)[:128],
        )

    # --- the book ------------------------------------------------------------------------

    async def positions(self) -> list[PositionSnapshot]:
        snapshots = self._core.book.position_snapshots(self._clock.now())
        return [p for p in snapshots if p.volume > 0]

    async def account(self) -> AccountSnapshot:
        return self._core.book.account_snapshot(self._clock.now())

    async def orders(self, *, active_only: bool = False) -> list[Order]:
        book = self._core.book
        orders = book.active_orders() if active_only else book.orders()
        return sorted(orders, key=lambda o: o.created_at, reverse=True)

    async def send_order(self, request: OrderRequest, actor: Actor) -> str:
        return await self._audit.run(
            actor,
            "send_order",
            lambda: self._core.send_order(request),
            target=request.symbol,
            detail=_order_detail(request),
            outcome=lambda order_id: ("sent", {"order_id": order_id}),
        )

    async def cancel_order(self, order_id: str, actor: Actor) -> None:
        async def cancel() -> None:
            if order_id not in {o.order_id for o in self._core.book.active_orders()}:
                raise OrderRefused(f"no working order {order_id[:64]!r}")
            await self._core.cancel_order(order_id)

        await self._audit.run(
            actor, "cancel_order", cancel, target=order_id[:64], outcome=lambda _: ("sent", {})
        )

    async def preview_close(
        self, symbol: str, direction: Direction, volume: int | None
    ) -> ClosePreview:
        return self._closing.preview(symbol, direction, volume)

    async def confirm_close(self, token: str, actor: Actor) -> CloseResult:
        return await self._audit.run(
            actor,
            "close_position",
            lambda: self._closing.confirm(token),
            outcome=lambda r: (
                r.result,
                {
                    "target": f"{r.symbol} {r.direction}",
                    "volume": r.volume,
                    "traded": r.traded,
                    "message": r.message,
                    "orders": [o.order_id for o in r.orders],
                },
            ),
        )

    async def equity_curve(
        self, since: datetime | None, until: datetime | None, max_points: int
    ) -> list[AccountSnapshot]:
        async with self._sessions() as session:
            return await repository.equity_curve(
                session, self._core.account_id, since, until, max_points
            )

    async def settlements(
        self, since_day: date | None, until_day: date | None
    ) -> list[DailySettlement]:
        async with self._sessions() as session:
            return await repository.load_settlements(
                session, self._core.account_id, since_day, until_day
            )

    # --- history -------------------------------------------------------------------------

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

    async def trigger_summary(
        self, strategy_name: str | None, since_day: date | None, until_day: date | None
    ) -> list[TriggerSummary]:
        return await self._reader.run(reports.trigger_summary, strategy_name, since_day, until_day)

    # --- strategies ----------------------------------------------------------------------

    async def strategies(self) -> list[StrategyInfo]:
        return self._controls.strategies()

    async def strategy_status(self) -> StrategyStatus:
        return self._controls.strategy_status()

    async def triggers(self, name: str | None = None, limit: int = 100) -> list[Trigger]:
        return await self._controls.triggers(name, limit)

    async def start_strategy(self, name: str, actor: Actor) -> StrategyStatus:
        return await self._audit.run(
            actor, "strategy_start", lambda: self._controls.start_strategy(name), target=name[:64]
        )

    async def stop_strategy(self, actor: Actor) -> StrategyStatus:
        running = self._controls.strategy_status().name or ""
        return await self._audit.run(
            actor, "strategy_stop", self._controls.stop_strategy, target=running
        )

    async def update_params(self, name: str, params: dict[str, Any], actor: Actor) -> ParamsStored:
        async def update() -> ParamsStored:
            info, message = await self._controls.update_params(name, params)
            return ParamsStored(info, message)

        return await self._audit.run(
            actor,
            "strategy_params",
            update,
            target=name[:64],
            outcome=lambda r: ("ok", {"params": r.strategy.params}),
        )

    async def hand_over(
        self, name: str | None, symbol: str, direction: Direction, volume: int, actor: Actor
    ) -> Handover:
        target = (name or self._controls.strategy_status().name or "")[:64]
        return await self._audit.run(
            actor,
            "strategy_hand_over",
            lambda: self._controls.hand_over(name, symbol, direction, volume),
            target=target,
            detail={"symbol": symbol, "direction": direction.value, "volume": volume},
            outcome=lambda h: (
                "ok",
                {
                    "target": h.strategy_name,
                    "yesterday": h.volume_yesterday,
                    "today": h.volume_today,
                    "price": str(h.price),
                },
            ),
        )

    # --- trading state -------------------------------------------------------------------

    async def trading_status(self) -> TradingStatus:
        return self._controls.trading_status()

    async def set_trading_state(
        self, state: TradingState, reason: str, actor: Actor
    ) -> TradingStatus:
        return await self._audit.run(
            actor,
            "trading_state",
            lambda: self._controls.set_trading_state(state, reason, actor.name),
            target=str(state),
            detail={"reason": reason},
            outcome=lambda s: (str(s.state), {}),
        )

    async def emergency_stop(self, reason: str, flatten: bool, actor: Actor) -> EmergencyReport:
        # The exchange-side action never waits for, nor depends on, the database.
        report = await self._controls.emergency_stop(reason, actor.name, flatten)
        result = "no-op" if report.already_engaged else "failed" if report.errors else "ok"
        detail = {"reason": reason, "flatten": flatten, "errors": report.errors}
        detail |= {"cancelled": report.cancelled, "flatten_orders": report.flatten_orders}
        failure = await self._audit.record(
            self._audit.entry(actor, "emergency_stop", result, "", detail)
        )
        if failure is None:
            return report
        return EmergencyReport(
            report.already_engaged,
            report.status,
            report.cancelled,
            report.flatten_orders,
            [*report.errors, failure],
        )

    async def reconciliation(self) -> tuple[str | None, list[PositionDifference]]:
        return self._core.halt_reason, await self._core.position_differences()

    async def settlement_statement(self) -> SettlementStatement | None:
        return self._core.settlement_statement()

    async def money_reconciliation(self) -> MoneyReconciliation | None:
        return self._core.money

    async def accept_broker_positions(self, reason: str, actor: Actor) -> Reconciled:
        async def accept() -> Reconciled:
            differences = [str(d) for d in await self._core.position_differences()]
            trades = await self._core.accept_broker_positions(actor.name, reason)
            return Reconciled(differences, [t.trade_id for t in trades])

        return await self._audit.run(
            actor,
            "reconcile_accept",
            accept,
            detail={"reason": reason},
            outcome=lambda r: ("ok", {"differences": r.differences, "adjustments": r.adjustments}),
        )

    async def move_cash(self, kind: Transfer, amount: Decimal, actor: Actor) -> AccountSnapshot:
        return await self._audit.run(
            actor,
            str(kind),
            lambda: self._core.move_cash(kind, amount),
            target=self._core.account_id,
            detail={"amount": str(amount)},
            outcome=lambda a: ("ok", {"balance": str(a.balance), "available": str(a.available)}),
        )

    async def reset_emergency(self, reason: str, actor: Actor) -> TradingStatus:
        return await self._audit.run(
            actor,
            "emergency_reset",
            lambda: self._controls.reset_emergency(reason, actor.name),
            detail={"reason": reason},
        )
