"""One kernel, two ways to drive it: the moving-average strategy on a scripted price
path through the simulated exchange's matching engine trades the same, tick for
tick, whether a driven clock moves it (no event-loop timer at all) or the live
clock on the event loop does.

Each run is a whole kernel as ``arbig run`` assembles it (core, risk, strategy
engine, bar service), with its storage ports in memory, in an event loop of its
own that counts the timers set on it.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from arbig.clock import Clock, DrivenClock, LiveClock
from arbig.config import (
    RiskSettings,
    Settings,
    SimSettings,
    StrategySettings,
    default_main_contract,
)
from arbig.domain.calendar import TradingCalendar, to_exchange_time
from arbig.domain.enums import Exchange
from arbig.domain.tick import Tick
from arbig.domain.trade import Trade
from arbig.engine.bars import BarService
from arbig.engine.bus import EventType
from arbig.engine.controls import TradingControls
from arbig.engine.core import TradingCore
from arbig.engine.hygiene import TickFilter
from arbig.engine.ports import MemoryStateStore
from arbig.engine.strategy.store import MemoryStrategyStore
from arbig.gateways.sim import SimGateway
from arbig.gateways.ticksource import ScriptedTicks
from arbig.runtime import build_controls
from arbig.testkit import MONDAY_10AM, MemoryBook, drive
from arbig.ticks.memory import MemoryTickStore

# Two months or more ahead of today: the live run trades now, and opening a position in
# a contract's delivery month is refused.
SYMBOL = default_main_contract()
SPACING = timedelta(milliseconds=30)  # between two scripted ticks
COUNT = 80
LEAD = timedelta(milliseconds=300)  # the live run starts this long before its first tick
CALENDAR = TradingCalendar.gold()

# What a trade is, stripped of where the run sat in time: when it happened counted
# from the first tick, and what traded.
TradeLine = tuple[timedelta, str, str, Decimal, int]


class TimerCountingLoop(asyncio.SelectorEventLoop):
    """An event loop that counts the timers set on it (call_later goes through call_at)."""

    timers = 0

    def call_at(self, when: float, callback: Any, *args: Any, context: Any = None) -> Any:
        self.timers += 1
        return super().call_at(when, callback, *args, context=context)


def price(i: int) -> Decimal:
    """A zigzag: twelve ticks up by one tick, twelve down, around 920."""
    leg, step = divmod(i, 12)
    offset = step if leg % 2 == 0 else 12 - step
    return Decimal("920.00") + Decimal("0.02") * offset


def script(first: datetime) -> list[Tick]:
    ticks = []
    for i in range(COUNT):
        at = to_exchange_time(first + SPACING * i)
        last = price(i)
        ticks.append(
            Tick(
                symbol=SYMBOL,
                exchange=Exchange.SHFE,
                datetime=at,
                trading_day=CALENDAR.trading_day(at),
                last_price=last,
                volume=100 + i,
                turnover=last * (100 + i) * 1000,
                open_interest=200_000,
                bid_price=last - Decimal("0.02"),
                bid_volume=10,
                ask_price=last + Decimal("0.02"),
                ask_volume=10,
                open_price=Decimal("920.00"),
                high_price=Decimal("920.24"),
                low_price=Decimal("920.00"),
                pre_settlement=Decimal("920.00"),
                pre_close=Decimal("920.00"),
                limit_up=Decimal("993.60"),
                limit_down=Decimal("846.40"),
            )
        )
    return ticks


async def run_kernel(
    folder: Path,
    clock: Clock,
    first: datetime,
    move: Callable[[TradingControls], Awaitable[None]],
) -> list[TradeLine]:
    """Assemble a kernel on ``clock`` fed the scripted path from ``first``, let
    ``move`` move it, and return its trades."""
    settings = Settings(
        main_contract=SYMBOL,
        data_dir=folder,
        sim=SimSettings(seed=7),
        risk=RiskSettings(duplicate_window_s=0),
        strategy=StrategySettings(
            name="ma_crossover",
            params={"source": "tick", "fast": 3, "slow": 8},
            autostart=True,
        ),
    )
    gateway = SimGateway(
        settings,
        settings.contract_spec,
        CALENDAR,
        folder / "sim.json",
        clock,
        source=ScriptedTicks(script(first)),
    )
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
        tick_filter=TickFilter(CALENDAR, check_sessions=False),
        clock=clock,
    )
    controls = build_controls(
        core, settings, MemoryStrategyStore(), MemoryStateStore(), CALENDAR, clock=clock
    )
    bars = BarService(core.bus, clock)
    trades: list[Trade] = []
    core.bus.subscribe(EventType.TRADE, lambda _, trade: trades.append(trade))
    await bars.start()
    await core.start()
    await controls.open()
    try:
        await move(controls)
    finally:
        await controls.close()
        await bars.stop()
        await core.stop()
    return [(t.datetime - first, str(t.side), str(t.offset), t.price, t.volume) for t in trades]


async def settle(controls: TradingControls) -> None:
    """Let what a tick set off run to the end: posted order reports, queued strategy work."""
    for _ in range(3):
        await asyncio.sleep(0)
        await controls.strategy_engine.idle()
        await asyncio.sleep(0)


async def driven(folder: Path) -> list[TradeLine]:
    clock = DrivenClock(MONDAY_10AM)
    end = MONDAY_10AM + SPACING * COUNT

    async def run(controls: TradingControls) -> None:
        await drive(clock, end, lambda: settle(controls))

    return await run_kernel(folder, clock, MONDAY_10AM, run)


async def live(folder: Path) -> list[TradeLine]:
    clock = LiveClock()
    first = clock.now() + LEAD

    async def run(controls: TradingControls) -> None:
        await asyncio.sleep(((first - clock.now()) + SPACING * COUNT).total_seconds() + 0.1)
        await settle(controls)

    return await run_kernel(folder, clock, first, run)


def test_the_driven_kernel_trades_as_the_live_one_on_the_same_ticks(tmp_path: Path) -> None:
    (tmp_path / "driven").mkdir()
    (tmp_path / "live").mkdir()
    with asyncio.Runner(loop_factory=TimerCountingLoop) as runner:
        on_driven_clock = runner.run(driven(tmp_path / "driven"))
        driven_timers = runner.get_loop().timers  # type: ignore[attr-defined]
    with asyncio.Runner(loop_factory=TimerCountingLoop) as runner:
        on_live_clock = runner.run(live(tmp_path / "live"))
        live_timers = runner.get_loop().timers  # type: ignore[attr-defined]

    assert driven_timers == 0
    assert live_timers >= COUNT  # the live clock did set the loop's timers
    assert len(on_driven_clock) >= 4  # the zigzag makes the averages cross again and again
    assert on_driven_clock == on_live_clock
