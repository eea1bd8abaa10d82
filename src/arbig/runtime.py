"""Assembly of the embedded system: one process, the core and its adapters."""

import asyncio
import logging
import math
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from arbig.api.backtests import BacktestService
from arbig.api.client import CoreClient
from arbig.catalog import Catalog
from arbig.catalog.recorder import CatalogRecorder
from arbig.clock import Clock, LiveClock
from arbig.config import Settings
from arbig.domain.account import DailySettlement, DayCash
from arbig.domain.bar import Bar
from arbig.domain.calendar import TradingCalendar
from arbig.domain.contract import ContractSpec
from arbig.domain.enums import TradingState
from arbig.domain.handover import Handover
from arbig.domain.order import Order
from arbig.domain.session import SettlementStatement
from arbig.domain.state import MarketChoice
from arbig.domain.trade import Trade
from arbig.engine.bars import BarService
from arbig.engine.book import CorePorts, Events
from arbig.engine.closing import CloseDesk
from arbig.engine.contracts import ContractManager, resolve_main_contract
from arbig.engine.controls import TradingControls
from arbig.engine.core import TradingCore
from arbig.engine.emergency import EmergencyStop, strategy_start_refusal
from arbig.engine.hygiene import TickFilter
from arbig.engine.market import MarketDesk
from arbig.engine.ports import StateStore
from arbig.engine.risk import RiskEngine, RiskLimits
from arbig.engine.strategy.engine import BarHistory, StrategyEngine, StrategyOptions
from arbig.engine.strategy.loader import StrategyClass, registry
from arbig.engine.strategy.store import StrategyStore
from arbig.exporters.influx import InfluxExporter
from arbig.gateways.base import BrokerContracts
from arbig.gateways.registry import GATEWAYS, GatewayParts
from arbig.gateways.tables import load_broker_tables
from arbig.host.lease import CoreLease
from arbig.host.local import LocalCoreClient
from arbig.operations import Kernel, Operations
from arbig.ops.metrics import Metrics
from arbig.ops.notify import Notifier
from arbig.storage import repository
from arbig.storage.audit import AuditTrail
from arbig.storage.bars import BarRepository
from arbig.storage.checkpoint import WalCheckpointer
from arbig.storage.credential_store import SqlCredentialStore
from arbig.storage.database import open_database, session_factory
from arbig.storage.fence import claim
from arbig.storage.log_sink import LogSink
from arbig.storage.reads import Reader
from arbig.storage.session_store import SqlSessionStore
from arbig.storage.state_import import import_json_state
from arbig.storage.state_store import SqlStateStore
from arbig.storage.statement_store import SqlStatementStore
from arbig.storage.strategy_store import SqlStrategyStore
from arbig.storage.writer import BookWriter
from arbig.ticks.base import TickStore
from arbig.ticks.memory import MemoryTickStore
from arbig.ticks.redis_stream import RedisTickStore

log = logging.getLogger(__name__)

# Of the shutdown limit, the share the book writer may spend draining its queue; the
# rest is for the parts before and after it.
DRAIN_SHARE = 0.6
CLOSE_GRACE_S = 0.5
PROBE_INTERVAL_S = 1.0  # an idle book writer asks the database this often
HISTORY_LOOKBACK = timedelta(days=10)  # how far back the bar store is read for load_bars


class RepositorySource:
    """Reads the recorded book back through the repository, one session per read."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def load_trades(self, account_id: str) -> list[Trade]:
        async with self._sessions() as session:
            return await repository.load_trades(session, account_id)

    async def load_orders(self, account_id: str) -> list[Order]:
        async with self._sessions() as session:
            return await repository.load_orders(session, account_id)

    async def load_settlements(self, account_id: str) -> list[DailySettlement]:
        async with self._sessions() as session:
            return await repository.load_settlements(session, account_id)

    async def load_handovers(self, account_id: str) -> list[Handover]:
        async with self._sessions() as session:
            return await repository.load_handovers(session, account_id)

    async def load_day_cash(self, account_id: str) -> DayCash | None:
        async with self._sessions() as session:
            return await repository.load_day_cash(session, account_id)


def market_hours_only(settings: Settings) -> bool:
    """Whether ticks and orders outside the trading sessions are refused: always with a
    real market; the demo simulator trades around the clock unless told otherwise."""
    simulated = settings.gateway in ("sim", "sim-link")
    return not simulated or not settings.sim.ignore_sessions


def broker_spec_for(settings: Settings) -> Callable[[str], ContractSpec]:
    """The contract table's specs with the broker's tables (``broker_tables``) laid
    over them, for the gateway and the kernel alike."""
    if settings.broker_tables is None:
        return settings.contract_table.spec
    return load_broker_tables(settings.broker_tables).spec_for(settings.contract_table.spec)


def catalog_bars(catalog: Catalog, symbol: str, before: datetime, count: int) -> list[Bar]:
    """The last ``count`` bars of ``symbol`` the catalog holds that start before
    ``before`` (read from its newest days back, as few as needed)."""
    try:
        days = catalog.bar_days(symbol)
    except ValueError:  # not a symbol the catalog can hold
        return []
    found: list[Bar] = []
    for day in reversed(days):
        bars = [b for b in catalog.bars(symbol, day, day) if b.start < before]
        found = bars + found
        if len(found) >= count:
            break
    return found[-count:]


def make_tick_store(settings: Settings) -> TickStore:
    """Redis Streams when ``redis_url`` is set, else in memory."""
    if settings.redis_url:
        return RedisTickStore(settings.redis_url, maxlen=settings.tick_stream_maxlen)
    return MemoryTickStore(settings.tick_stream_maxlen)


def build_controls(
    core: TradingCore,
    settings: Settings,
    strategy_store: StrategyStore,
    state: StateStore,
    calendar: TradingCalendar,
    *,
    strategies: dict[str, StrategyClass] | None = None,
    clock: Clock,
    bar_history: BarHistory | None = None,
) -> TradingControls:
    """Risk (added to the core's pre-trade checks), the strategy engine and the emergency
    stop around ``core``, from the settings' plain values."""
    check_sessions = settings.risk.check_sessions
    if check_sessions is None:  # follow the gateway: the demo sim trades around the clock
        check_sessions = market_hours_only(settings)
    limits = RiskLimits(**settings.risk.model_dump(exclude={"check_sessions"}))
    risk = RiskEngine(
        core.book, core.events, limits, calendar, check_sessions=check_sessions, clock=clock
    )
    core.add_pre_trade_check(risk)
    options = StrategyOptions(**settings.strategy.model_dump(exclude={"modules"}))
    strategy_engine = StrategyEngine(
        CorePorts(core.book, core.events, core, core.hand_over),
        lambda: core.main_contract,
        strategy_store,
        calendar,
        options,
        strategies if strategies is not None else registry(settings.strategy.modules),
        can_start=lambda: strategy_start_refusal(emergency.status, core.halt_reason),
        clock=clock,
        contracts=settings.contract_table,
        history=bar_history,
    )
    emergency = EmergencyStop(
        core.book,
        core.events,
        core,
        risk,
        strategy_engine,
        state,
        slippage_ticks=options.slippage_ticks,
        clock=clock,
        book_halt=lambda: core.halt_reason,
    )
    return TradingControls(risk, strategy_engine, emergency)


async def prepare_database(settings: Settings) -> AsyncEngine:
    """An engine whose schema is current: the embedded SQLite file is created or
    upgraded in place, a server database must be at the code's revision."""
    return await open_database(
        settings.sqlalchemy_url, upgrade_in_place=settings.database_url is None
    )


class EmbeddedRuntime:
    """The simulated exchange, the SQL book and the in-memory tick store in one process."""

    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        saved: MarketChoice,
        *,
        lease: CoreLease | None = None,
    ) -> None:
        """``saved``: the market choice in the state store, read by ``build_embedded``.
        ``lease``: the split deployment's core lease; the gateway's orders, the book's
        writes and every order's pre-trade checks are fenced by it."""
        self.settings = settings
        self.lease = lease
        self.engine = engine
        # The console's backtester, given by the assembly (``arbig.embedded``).
        self.backtests: BacktestService | None = None
        sessions = session_factory(engine)
        calendar = TradingCalendar.gold(settings.holidays)
        contracts = settings.contract_table
        spec_for = broker_spec_for(settings)
        self.clock = clock = LiveClock()
        self.statement_store = SqlStatementStore(sessions)
        self._statement_saves: set[asyncio.Task[None]] = set()
        self.gateway = GATEWAYS.build(
            settings.gateway,
            GatewayParts(
                settings, spec_for, calendar, clock, statements=self._keep_statement, fence=lease
            ),
        )
        # A broker that states the contracts' terms (CTP) is the kernel's source for them.
        if isinstance(self.gateway, BrokerContracts):
            spec_for = self.gateway.live_spec_for(spec_for)
        account = self.gateway.account()
        self.writer = BookWriter(
            sessions,
            account.account_id,
            probe_interval_s=PROBE_INTERVAL_S,
            fence=None if lease is None else partial(_valid_token, lease),
            fence_idle_s=None if lease is None else max(math.ceil(lease.ttl_s), 1),
        )
        audit = AuditTrail(sessions)
        state = SqlStateStore(sessions)
        self.tick_store = make_tick_store(settings)
        self.tick_filter = TickFilter(calendar, check_sessions=market_hours_only(settings))
        # The console's browser sessions and the operator's credential (the web layer's
        # ``session_store`` and ``credential_store``).
        self.session_store = SqlSessionStore(sessions)
        self.credential_store = SqlCredentialStore(sessions)
        self.core = TradingCore(
            account_id=account.account_id,
            capital=account.capital,
            main_contract=resolve_main_contract(settings.main_contract, saved)[0],
            spec_for=spec_for,
            gateway=self.gateway,
            recorder=self.writer,
            source=RepositorySource(sessions),
            tick_store=self.tick_store,
            tick_filter=self.tick_filter,
            clock=clock,
            snapshot_interval_s=settings.snapshot_interval_s,
            auditor=audit,
            drain_s=settings.shutdown_timeout_s * DRAIN_SHARE,
        )
        if lease is not None:
            self.core.add_pre_trade_check(partial(_lease_refusal, lease))
        self.controls = build_controls(
            self.core,
            settings,
            SqlStrategyStore(sessions),
            state,
            calendar,
            clock=clock,
            bar_history=self.bar_history,
        )
        self.bars = BarService(
            self.core.events,
            clock,
            self.writer.bar,
            BarRepository(sessions),
            sessions=calendar.sessions,
        )
        self.contracts = ContractManager(
            self.core,
            self.core.book,
            state,
            contracts=contracts,
            watchlist=settings.watchlist,
            clock=clock,
            holidays=settings.holidays,
        )
        self.exporter = (
            InfluxExporter(settings.influx_url, settings.influx_database)
            if settings.influx_url
            else None
        )
        self.recorder = (
            CatalogRecorder(Catalog(settings.catalog_root)) if settings.catalog_record else None
        )
        market = MarketDesk(self.bars, self.contracts, partial(adapter_states, self))
        self.reader = Reader(engine)
        self._client = LocalCoreClient(
            self.core,
            self.controls,
            market,
            CloseDesk(self.core),
            self.tick_store,
            sessions,
            self.reader,
            audit,
            clock,
        )
        self.log_sink = LogSink(sessions)
        self.checkpointer = WalCheckpointer(engine)
        self.ops = Operations(
            settings,
            Kernel(
                self.core,
                self.writer,
                self.controls,
                calendar,
                audit,
                gateway_name=self.gateway.name,
                tick_store=self.tick_store,
                tick_filter=self.tick_filter,
            ),
            engine,
            clock,
        )
        self.writer.on_commit = self.metrics.writer_commit.observe

    def _keep_statement(self, statement: SettlementStatement) -> None:
        """Record a settlement statement the broker session confirmed (on the loop)."""

        async def save() -> None:
            try:
                await self.statement_store.save(self.gateway.account().account_id, statement)
            except Exception:
                log.exception("the settlement statement of %s was not saved", statement.trading_day)

        task = asyncio.get_running_loop().create_task(save())
        self._statement_saves.add(task)
        task.add_done_callback(self._statement_saves.discard)

    async def bar_history(self, symbol: str, count: int) -> list[Bar]:
        """The last ``count`` bars of ``symbol`` before now (a strategy's ``load_bars``):
        the bar store's of the last days, else the market-data catalog's."""
        now = self.clock.now()
        bars = await self.bars.history(symbol, now - HISTORY_LOOKBACK, now)
        if len(bars) < count:
            catalog = Catalog(self.settings.catalog_root)
            bars = await asyncio.to_thread(catalog_bars, catalog, symbol, now, count) or bars
        return bars[-count:]

    @property
    def metrics(self) -> Metrics:
        """The registry ``/metrics`` serves (the web layer adds its own families)."""
        return self.ops.metrics

    @property
    def bus(self) -> Events:
        """The core's event bus (the split deployment's core role publishes it)."""
        return self.core.events

    @property
    def notifier(self) -> Notifier:
        return self.ops.notifier

    @property
    def client(self) -> CoreClient:
        return self._client

    async def start(self) -> None:
        await self.ops.start()  # counting before the first tick
        await self.log_sink.start()
        await self.checkpointer.start()
        await self.bars.start()  # listening before the first tick
        if self.exporter is not None:
            self.exporter.attach(self.core.events)
            await self.exporter.start()
        if self.recorder is not None:
            self.recorder.attach(self.core.events)  # from the first tick on
            await self.recorder.start()
        await self.core.start()
        await self.contracts.start()
        await self.controls.open()
        if self.core.halt_reason is not None:
            # Shown as the halted banner on every console page; the operator resumes with
            # an audited reset once the book is put right and ARBIG restarted.
            await self.controls.set_trading_state(
                TradingState.HALTED, self.core.halt_reason[:255], "reconciliation"
            )
        await self.ops.open()

    async def stop(self) -> None:
        """Stop within ``shutdown_timeout_s``: a part that does not finish in its time
        (a database or Redis that hangs) is left behind, and the log says so."""
        loop = asyncio.get_running_loop()
        limit = self.settings.shutdown_timeout_s
        deadline = loop.time() + limit
        # The parts before the core share what the core's drain does not need: a hung
        # database slows the strategies' close too, and must not eat the time in which
        # the core records what it can and logs what it leaves to reconciliation.
        before_core = loop.time() + limit * (1 - DRAIN_SHARE) - 2 * CLOSE_GRACE_S
        try:
            await _bounded("operations", self.ops.stop(), before_core)
            await _bounded("strategies", self.controls.close(), before_core)
            await _bounded("bars", self.bars.stop(), before_core)
            left = deadline - loop.time() - 2 * CLOSE_GRACE_S
            drain = min(limit * DRAIN_SHARE, max(left, 0.0))
            await _bounded("core", self.core.stop(drain), deadline)
            if self.exporter is not None:
                await _bounded("influx exporter", self.exporter.stop(), deadline)
            if self.recorder is not None:
                await _bounded("catalog recorder", self.recorder.stop(), deadline)
        finally:
            await _bounded("log sink", self.log_sink.stop(), deadline)
            await _bounded("wal checkpointer", self.checkpointer.stop(), deadline)
            # Off the loop: it waits for a report still running in a reader thread.
            await _bounded("reader", asyncio.to_thread(self.reader.close), deadline)
            await _bounded("database", self.engine.dispose(), deadline + CLOSE_GRACE_S)


async def _bounded(part: str, work: Coroutine[Any, Any, object], deadline: float) -> None:
    """Run ``work`` until ``deadline`` (loop time); late, it is left running and logged.
    Not cancelled: a hung server can hold a cancelled call just as long."""
    task = asyncio.ensure_future(work)
    left = max(deadline - asyncio.get_running_loop().time(), CLOSE_GRACE_S)
    done, _ = await asyncio.wait({task}, timeout=left)
    if not done:
        log.error("shutdown: %s did not stop in time; left behind", part)
        _left_behind.add(task)
        return
    if not task.cancelled() and task.exception() is not None:
        exc = task.exception()
        log.error("shutdown: %s failed to stop: %s: %s", part, type(exc).__name__, exc)


_left_behind: set["asyncio.Task[object]"] = set()  # referenced until the process ends


async def load_market_choice(settings: Settings, engine: AsyncEngine) -> MarketChoice:
    """The saved market choice, after the one-time import of the data folder's old JSON
    state files (docs/storage.md)."""
    store = SqlStateStore(session_factory(engine))
    await import_json_state(settings.data_dir, store)
    return await store.load_market_choice()


def _valid_token(lease: CoreLease) -> int | None:
    """The lease's token while this core may write, else None (the writer is fenced)."""
    return lease.token() if lease.valid() else None


def _lease_refusal(lease: CoreLease, request: object) -> str | None:
    """The pre-trade check of a core in the split deployment: nothing is sent once its
    lease's local deadline has passed (another core may hold it by now)."""
    if lease.valid():
        return None
    return "this core's lease has lapsed (another core may be active): no order is sent"


async def build_embedded(settings: Settings, *, lease: CoreLease | None = None) -> EmbeddedRuntime:
    """The runtime; with ``lease`` (a core of the split deployment, holding it), the book
    is claimed for the lease's token first (storage/fence.py)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = await prepare_database(settings)
    try:
        if lease is not None:
            await claim(engine, lease.token(), lease.holder)
        saved = await load_market_choice(settings, engine)
    except BaseException:
        await engine.dispose()
        raise
    return EmbeddedRuntime(settings, engine, saved, lease=lease)


def adapter_states(runtime: EmbeddedRuntime) -> dict[str, tuple[bool, str]]:
    """Health of the market-data adapters this runtime built: name -> (up, detail)."""
    states: dict[str, tuple[bool, str]] = {}
    ticks = runtime.tick_store
    if isinstance(ticks, RedisTickStore):
        stats = ticks.stats()
        detail = f"redis: {stats.pending} pending, {stats.not_stored} not stored"
        states["tick_store"] = (stats.healthy, detail)
    lease = runtime.lease
    if lease is not None:
        if lease.valid():
            waiting = ", ".join(lease.standbys) or "none"
            detail = f"active: {lease.holder} (lease token {lease.token()}); standby: {waiting}"
            states["core"] = (True, detail)
        else:
            states["core"] = (False, f"lease lapsed: {lease.holder} is stopping")
    if runtime.exporter is not None:
        export = runtime.exporter.stats()
        detail = f"{export['pending']} pending, {export['dropped']} dropped"
        states["influxdb"] = (runtime.exporter.healthy, detail)
    if runtime.recorder is not None:
        recorded = runtime.recorder.stats()
        detail = f"{recorded['written']} recorded, {recorded['dropped']} lost"
        states["catalog"] = (runtime.recorder.healthy, detail)
    return states
