"""Record, then backtest: the demo strategy runs on the simulator's own market with the
catalog recorder on (the kernel as ``arbig run`` assembles it, on a driven clock so
that minutes of market take seconds); the backtester then replays the recorded ticks.
The decisions (times, actions, prices) and the trades (times, sides, offsets, prices,
volumes) are identical."""

import asyncio
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from arbig.backtest.kernel import replay
from arbig.backtest.spec import BacktestSpec
from arbig.catalog import Catalog
from arbig.catalog.recorder import CatalogRecorder
from arbig.clock import DrivenClock
from arbig.config import RiskSettings, Settings, SimSettings, StrategySettings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.trade import Trade
from arbig.engine.bars import BarService
from arbig.engine.bus import EventType
from arbig.engine.core import TradingCore
from arbig.engine.hygiene import TickFilter
from arbig.engine.ports import MemoryStateStore
from arbig.engine.strategy.store import MemoryStrategyStore
from arbig.gateways.sim import SimGateway
from arbig.runtime import build_controls
from arbig.testkit import MONDAY_10AM, MemoryBook, drive
from arbig.ticks.memory import MemoryTickStore

SYMBOL = "au2708"
DEMO = {"source": "tick", "fast": 3, "slow": 8}
MINUTES = 3
CALENDAR = TradingCalendar.gold()

Decision = tuple[datetime, str, Decimal | None]
Fill = tuple[datetime, str, str, Decimal, int]


async def record(folder: Path) -> tuple[list[Decision], list[Fill]]:
    settings = Settings(
        main_contract=SYMBOL,
        data_dir=folder,
        sim=SimSettings(seed=21, ignore_sessions=False),
        risk=RiskSettings(duplicate_window_s=0),
        strategy=StrategySettings(name="ma_crossover", params=DEMO, autostart=True),
    )
    clock = DrivenClock(MONDAY_10AM)
    gateway = SimGateway(settings, settings.contract_spec, CALENDAR, None, clock)
    account = gateway.account()
    book = MemoryBook()
    core = TradingCore(
        account_id=account.account_id,
        capital=account.capital,
        main_contract=SYMBOL,
        spec_for=settings.contract_spec,
        gateway=gateway,
        recorder=book,
        source=book,
        tick_store=MemoryTickStore(),
        tick_filter=TickFilter(CALENDAR),
        clock=clock,
    )
    store = MemoryStrategyStore()
    controls = build_controls(core, settings, store, MemoryStateStore(), CALENDAR, clock=clock)
    bars = BarService(core.bus, clock)
    recorder = CatalogRecorder(Catalog(folder / "catalog"), fsync=False)
    recorder.attach(core.bus)
    trades: list[Trade] = []
    core.bus.subscribe(EventType.TRADE, lambda _, trade: trades.append(trade))
    await recorder.start()
    await bars.start()
    await core.start()
    await controls.open()

    async def settle() -> None:
        for _ in range(3):
            await asyncio.sleep(0)
            await controls.strategy_engine.idle()
            await asyncio.sleep(0)

    await drive(clock, MONDAY_10AM + timedelta(minutes=MINUTES), settle)
    await controls.close()
    await bars.stop()
    await core.stop()
    await recorder.stop()
    decisions = [(t.trigger_time, str(t.action), t.price) for _, t in sorted(store.rows.items())]
    fills = [(t.datetime, str(t.side), str(t.offset), t.price, t.volume) for t in trades]
    return decisions, fills


def test_a_backtest_of_recorded_ticks_decides_and_trades_as_the_recorded_run(
    tmp_path: Path,
) -> None:
    live_decisions, live_fills = asyncio.run(record(tmp_path))
    catalog = Catalog(tmp_path / "catalog")
    assert catalog.days(SYMBOL)

    settings = Settings(main_contract=SYMBOL, risk=RiskSettings(duplicate_window_s=0))
    spec = BacktestSpec("ma_crossover", SYMBOL, DEMO)
    result = asyncio.run(replay(settings, spec, catalog.ticks(SYMBOL)))

    assert result.ticks == MINUTES * 60 * 2  # a snapshot every 500 ms, all recorded
    assert len(live_fills) >= 4
    decisions = [(t.datetime, t.action, t.price) for t in result.triggers]
    fills = [(f.datetime, str(f.side), str(f.offset), f.price, f.volume) for f in result.fills]
    assert decisions == live_decisions
    assert fills == live_fills
