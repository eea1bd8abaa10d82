"""Shared pieces for the engine specifications (imported as ``enginekit``).

``running()`` assembles a TradingCore the way ``arbig.runtime.EmbeddedRuntime`` does
(SimGateway, BookWriter on SQLite, RepositorySource, MemoryTickStore, TickFilter),
except that the simulator runs with ``autotick=False``: the test moves a DrivenClock
and calls ``step()`` itself. The data folder and the database survive between two
``running()`` blocks on the same ``tmp_path``, so a restart can be specified.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from arbig.clock import DrivenClock
from arbig.config import Settings, SimSettings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.contract import ContractSpec
from arbig.domain.enums import Exchange, Offset, OrderStatus, Side
from arbig.domain.order import Order, OrderRequest
from arbig.domain.tick import Tick
from arbig.domain.trade import Trade
from arbig.engine.bus import EventType
from arbig.engine.core import TradingCore
from arbig.engine.hygiene import TickFilter
from arbig.gateways.sim import SimGateway
from arbig.runtime import RepositorySource
from arbig.storage import repository
from arbig.storage.database import create_engine, session_factory
from arbig.storage.migrations import upgrade
from arbig.storage.writer import BookWriter
from arbig.testkit import MONDAY_10AM, SteppedMarket, monday_clock
from arbig.ticks.memory import MemoryTickStore

SYMBOL = "au2612"
OTHER = "au2702"
ACCOUNT = "sim-001"
MONDAY = date(2026, 6, 1)
TUESDAY_10AM = MONDAY_10AM + timedelta(days=1)
TUESDAY = date(2026, 6, 2)


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    return Settings(
        main_contract=SYMBOL,
        data_dir=data_dir,
        sim=overrides.pop("sim", SimSettings(seed=7)),
        **overrides,
    )


SETTINGS = Settings(main_contract=SYMBOL, sim=SimSettings(seed=7))


def spec_for(symbol: str) -> ContractSpec:
    return SETTINGS.contract_spec(symbol)


def make_tick(
    last: str = "920.00",
    *,
    bid: str | None = None,
    ask: str | None = None,
    symbol: str = SYMBOL,
    at: datetime = MONDAY_10AM,
    day: date = MONDAY,
) -> Tick:
    price = Decimal(last)
    return Tick(
        symbol=symbol,
        exchange=Exchange.SHFE,
        datetime=at,
        trading_day=day,
        last_price=price,
        volume=100,
        turnover=price * 100 * 1000,
        open_interest=200_000,
        bid_price=Decimal(bid) if bid else price,
        bid_volume=10,
        ask_price=Decimal(ask) if ask else price + Decimal("0.02"),
        ask_volume=10,
        open_price=price,
        high_price=price,
        low_price=price,
        pre_settlement=Decimal("920.00"),
        pre_close=Decimal("920.00"),
        limit_up=Decimal("993.60"),
        limit_down=Decimal("846.40"),
    )


def make_trade(
    trade_id: str = "T1",
    *,
    side: Side = Side.BUY,
    offset: Offset = Offset.OPEN,
    price: str = "920.00",
    volume: int = 1,
    symbol: str = SYMBOL,
    at: datetime = MONDAY_10AM,
    day: date = MONDAY,
    commission: str = "10.00",
) -> Trade:
    return Trade(
        trade_id=trade_id,
        order_id="O1",
        symbol=symbol,
        exchange=Exchange.SHFE,
        side=side,
        offset=offset,
        price=Decimal(price),
        volume=volume,
        datetime=at,
        trading_day=day,
        commission=Decimal(commission),
    )


def make_order(
    status: OrderStatus = OrderStatus.NOT_TRADED,
    traded: int = 0,
    *,
    order_id: str = "O1",
    volume: int = 3,
    seconds: int = 0,
) -> Order:
    return Order(
        order_id=order_id,
        symbol=SYMBOL,
        exchange=Exchange.SHFE,
        side=Side.BUY,
        offset=Offset.OPEN,
        price=Decimal("920.00"),
        volume=volume,
        traded=traded,
        status=status,
        created_at=MONDAY_10AM,
        updated_at=MONDAY_10AM + timedelta(seconds=seconds),
    )


@dataclass
class Rig(SteppedMarket):
    """A started core on the seeded simulator, and the levers to drive it."""

    core: TradingCore
    gateway: SimGateway
    writer: BookWriter
    clock: DrivenClock
    sessions: Any
    events: list[tuple[EventType, Any]] = field(default_factory=list)

    async def settle(self) -> None:
        """Let the order reports the simulator posts with ``call_soon`` arrive."""
        for _ in range(3):
            await asyncio.sleep(0)

    def of(self, kind: EventType) -> list[Any]:
        return [payload for event, payload in self.events if event is kind]

    def marketable(
        self,
        side: Side = Side.BUY,
        volume: int = 1,
        offset: Offset = Offset.OPEN,
        symbol: str = SYMBOL,
    ) -> OrderRequest:
        """A limit order ten ticks through the touch: it fills on the next snapshot."""
        tick = self.core.last_tick(symbol)
        assert tick is not None, "no quote yet: tick first"
        through = Decimal("0.20")
        price = tick.ask_price + through if side is Side.BUY else tick.bid_price - through
        return OrderRequest(
            symbol=symbol,
            exchange=Exchange.SHFE,
            side=side,
            offset=offset,
            price=price,
            volume=volume,
        )

    async def fill(self, request: OrderRequest) -> str:
        """Send ``request`` and tick until the simulator has filled it."""
        order_id = await self.core.send_order(request)
        await self.settle()
        for _ in range(10):
            if self.core.oms.orders[order_id].status is OrderStatus.ALL_TRADED:
                return order_id
            await self.tick()
        raise AssertionError(f"order {order_id} did not fill: {self.core.oms.orders[order_id]}")

    async def recorded_trades(self) -> list[Trade]:
        await self.writer.flush()
        async with self.sessions() as session:
            return await repository.load_trades(session, ACCOUNT)


@asynccontextmanager
async def running(
    tmp_path: Path,
    *,
    warmup: int = 1,
    sim_state: str = "sim.json",
    writer_queue: int = 10_000,
    snapshot_interval_s: float = 3600,
    **overrides: Any,
) -> AsyncIterator[Rig]:
    """A started core, ``warmup`` snapshots already delivered; stopped on exit."""
    settings = make_settings(tmp_path / "data", **overrides)
    clock = monday_clock()
    calendar = TradingCalendar.gold(settings.holidays)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'arbig.sqlite3'}")
    await upgrade(engine)
    sessions = session_factory(engine)
    writer = BookWriter(sessions, settings.sim.account_id, queue_size=writer_queue)
    gateway = SimGateway(
        settings,
        settings.contract_spec,
        calendar,
        settings.data_dir / sim_state,
        clock,
        autotick=False,
    )
    core = TradingCore(
        account_id=settings.sim.account_id,
        capital=settings.sim.capital,
        main_contract=settings.main_contract,
        spec_for=settings.contract_spec,
        gateway=gateway,
        recorder=writer,
        source=RepositorySource(sessions),
        tick_store=MemoryTickStore(settings.tick_stream_maxlen),
        tick_filter=TickFilter(calendar, check_sessions=not settings.sim.ignore_sessions),
        snapshot_interval_s=snapshot_interval_s,
        clock=clock,
    )
    rig = Rig(core, gateway, writer, clock, sessions)
    core.bus.subscribe_all(lambda event, payload: rig.events.append((event, payload)))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await core.start()
    try:
        await rig.tick(warmup)
        yield rig
    finally:
        await core.stop()
        await engine.dispose()
