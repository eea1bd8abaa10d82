"""A real core on the seeded simulator, driven tick by tick (imported as ``corekit``).

Everything is real: SimGateway (autotick off), TradingCore, the SQLite book writer
and strategy store in a temporary folder. Time is a DrivenClock moved by hand.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arbig.clock import DrivenClock
from arbig.config import RiskSettings, Settings, SimSettings, StrategySettings
from arbig.domain.bar import Bar
from arbig.domain.calendar import TradingCalendar
from arbig.domain.enums import Exchange, Offset, OrderSource, Side
from arbig.domain.order import OrderRequest
from arbig.engine.bus import EventType
from arbig.engine.controls import TradingControls
from arbig.engine.core import TradingCore
from arbig.engine.hygiene import TickFilter
from arbig.engine.strategy.loader import StrategyClass
from arbig.engine.strategy.store import StrategyStore
from arbig.gateways.sim import SimGateway
from arbig.runtime import RepositorySource, build_controls
from arbig.storage.audit import AuditTrail
from arbig.storage.database import create_engine, session_factory
from arbig.storage.migrations import upgrade
from arbig.storage.state_store import SqlStateStore
from arbig.storage.strategy_store import SqlStrategyStore
from arbig.storage.writer import BookWriter
from arbig.testkit import SteppedMarket, monday_clock
from arbig.ticks.memory import MemoryTickStore

SYMBOL = "au2612"


@dataclass
class Rig(SteppedMarket):
    """The system under test and the levers to drive it."""

    core: TradingCore
    gateway: SimGateway
    controls: TradingControls
    clock: DrivenClock
    store: StrategyStore
    state: SqlStateStore
    sessions: async_sessionmaker[AsyncSession]
    gateway_orders: list[OrderRequest] = field(default_factory=list)
    events: list[tuple[EventType, Any]] = field(default_factory=list)

    async def settle(self) -> None:
        """Let posted order reports and the strategy's queued work run to the end."""
        for _ in range(3):
            await asyncio.sleep(0)
            await self.controls.strategy_engine.idle()
            await asyncio.sleep(0)

    def bar(self, close: str, high: str | None = None, low: str | None = None) -> Bar:
        """Publish a finished bar (until the bar builder publishes its own)."""
        price = Decimal(close)
        bar = Bar(
            symbol=SYMBOL,
            trading_day=self.clock.now().date(),
            start=self.clock.now().replace(second=0, microsecond=0),
            open=price,
            high=Decimal(high) if high else price,
            low=Decimal(low) if low else price,
            close=price,
            volume=10,
            turnover=price * 10_000,
            open_interest=1000,
        )
        self.core.bus.publish(EventType.BAR, bar)
        return bar

    async def bars_from_ticks(self, ticks_per_bar: int, count: int) -> list[Bar]:
        """``count`` bars, each made of the next ``ticks_per_bar`` simulator ticks."""
        bars = []
        for _ in range(count):
            prices = [t.last_price for t in await self.tick(ticks_per_bar)]
            bar = self.bar(str(prices[-1]), str(max(prices)), str(min(prices)))
            await self.settle()
            bars.append(bar)
        return bars

    async def fill(self, request: OrderRequest) -> str:
        """Send ``request`` and tick until the simulator has filled it."""
        order_id = await self.core.send_order(request)
        for _ in range(10):
            await self.settle()
            if not self.core.oms.orders[order_id].is_active:
                return order_id
            await self.tick()
        raise AssertionError(f"order {order_id} did not fill: {self.core.oms.orders[order_id]}")

    def of(self, kind: EventType) -> list[Any]:
        return [payload for event, payload in self.events if event is kind]

    def request(
        self,
        side: Side = Side.BUY,
        price: Decimal | str | None = None,
        volume: int = 1,
        offset: Offset = Offset.OPEN,
        source: OrderSource = OrderSource.OPERATOR,
    ) -> OrderRequest:
        tick = self.controls.risk.last_tick(SYMBOL)
        assert tick is not None
        if price is None:
            price = tick.ask_price if side is Side.BUY else tick.bid_price
        return OrderRequest(
            symbol=SYMBOL,
            exchange=Exchange.SHFE,
            side=side,
            offset=offset,
            price=Decimal(price),
            volume=volume,
            source=source,
        )


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    return Settings(
        main_contract=SYMBOL,
        data_dir=data_dir,
        sim=overrides.pop("sim", SimSettings(seed=7)),
        risk=overrides.pop("risk", RiskSettings()),
        strategy=overrides.pop("strategy", StrategySettings()),
        **overrides,
    )


@asynccontextmanager
async def running(
    tmp_path: Path,
    *,
    strategies: dict[str, StrategyClass] | None = None,
    warmup: int = 1,
    store: StrategyStore | None = None,
    **overrides: Any,
) -> AsyncIterator[Rig]:
    """A started core with risk and the strategy engine; ``warmup`` ticks already sent.
    Triggers go to the SQLite database unless another ``store`` is given."""
    settings = make_settings(tmp_path / "data", **overrides)
    clock = monday_clock()
    calendar = TradingCalendar.gold()
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'arbig.sqlite3'}")
    await upgrade(engine)
    sessions = session_factory(engine)
    gateway = SimGateway(
        settings,
        settings.contract_spec,
        calendar,
        settings.data_dir / "sim.json",
        clock,
        autotick=False,
    )
    core = TradingCore(
        account_id=settings.sim.account_id,
        capital=settings.sim.capital,
        main_contract=SYMBOL,
        spec_for=settings.contract_spec,
        gateway=gateway,
        recorder=BookWriter(sessions, settings.sim.account_id),
        source=RepositorySource(sessions),
        tick_store=MemoryTickStore(),
        tick_filter=TickFilter(calendar, check_sessions=False),
        clock=clock,
        auditor=AuditTrail(sessions),
    )
    store = store or SqlStrategyStore(sessions)
    state = SqlStateStore(sessions)
    controls = build_controls(
        core, settings, store, state, calendar, strategies=strategies, clock=clock
    )
    rig = Rig(core, gateway, controls, clock, store, state, sessions)
    core.bus.subscribe_all(lambda event, payload: rig.events.append((event, payload)))
    sent = gateway.send_order

    async def recording_send(request: OrderRequest) -> str:
        rig.gateway_orders.append(request)
        return await sent(request)

    gateway.send_order = recording_send  # type: ignore[method-assign]
    await core.start()
    try:
        await rig.tick(warmup)
        await controls.open()
        yield rig
    finally:
        await controls.close()
        await core.stop()
        await engine.dispose()
