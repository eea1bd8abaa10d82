"""One kernel, two ways to drive it: the moving-average strategy on a scripted price
path through the simulated exchange's matching engine trades the same, tick for
tick, whether a driven clock moves it (no event-loop timer at all) or the live
clock on the event loop does.

Each run is a whole kernel as ``arbig run`` assembles it (core, risk, strategy
engine, bar service), with its storage ports in memory, in an event loop of its
own that counts the timers set on it.

The live run's loop keeps its own time, which moves (to the next timer) only when the
loop has nothing left to run, and its live clock reads that time: the run is the
live clock's timers on the event loop, as fast as a machine that always keeps up.
On the wall clock it would trade the same only while the machine keeps up with the
ticks: a timer late by more than the spacing hands the kernel two ticks in one step,
and the strategy meets the second before its order on the first reached the exchange.
"""

import asyncio
import selectors
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
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


class OwnTimeLoop(TimerCountingLoop):
    """A timer-counting loop whose time starts at 0 and moves only when the loop would
    wait for its next timer with nothing ready and no I/O: then it jumps to that timer.
    What a timer sets off has run to the end before the next one is due, whatever the
    machine's load."""

    def __init__(self) -> None:
        self._now = 0.0
        super().__init__(_WaitlessSelector(self))

    def time(self) -> float:
        return self._now

    def wait(self, timeout: float) -> None:
        self._now += timeout


class _WaitlessSelector(selectors.DefaultSelector):
    """Looks for I/O without waiting; a wait for a timer moves its loop's time instead."""

    def __init__(self, loop: OwnTimeLoop) -> None:
        super().__init__()
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[Any]:
        if timeout is None or timeout <= 0:  # no timer set (a thread's answer), or no wait
            return list(super().select(timeout))
        ready = list(super().select(0))
        if not ready:
            self._loop.wait(timeout)
        return ready


class LoopClock(LiveClock):
    """The live clock, its now read from the running loop's time (``OwnTimeLoop``)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        origin = datetime.now(UTC) - timedelta(seconds=loop.time())
        # Rounded to the microsecond by timedelta: a timer set for a tick's stamp sees
        # exactly that stamp when it runs.
        self.now = lambda: origin + timedelta(seconds=loop.time())


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
    ``move`` move it (until the path is played), and return its trades."""
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
    source = ScriptedTicks(script(first))
    gateway = SimGateway(
        settings, settings.contract_spec, CALENDAR, folder / "sim.json", clock, source=source
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
        assert source.remaining == 0, f"{source.remaining} scripted ticks not played"
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
    clock = LoopClock(asyncio.get_running_loop())
    first = clock.now() + LEAD
    last = first + SPACING * (COUNT - 1)

    async def run(controls: TradingControls) -> None:
        # On the loop's own time, which moves only when nothing is left to run: a beat
        # after the last tick, every tick was played and what it set off has run.
        await asyncio.sleep((last + SPACING - clock.now()).total_seconds())
        await settle(controls)

    return await run_kernel(folder, clock, first, run)


def test_the_driven_kernel_trades_as_the_live_one_on_the_same_ticks(tmp_path: Path) -> None:
    (tmp_path / "driven").mkdir()
    (tmp_path / "live").mkdir()
    with asyncio.Runner(loop_factory=TimerCountingLoop) as runner:
        on_driven_clock = runner.run(driven(tmp_path / "driven"))
        driven_timers = runner.get_loop().timers  # type: ignore[attr-defined]
    with asyncio.Runner(loop_factory=OwnTimeLoop) as runner:
        on_live_clock = runner.run(live(tmp_path / "live"))
        live_timers = runner.get_loop().timers  # type: ignore[attr-defined]

    assert driven_timers == 0
    assert live_timers >= COUNT  # the live clock did set the loop's timers
    assert len(on_driven_clock) >= 4  # the zigzag makes the averages cross again and again
    assert on_driven_clock == on_live_clock
