"""One backtest: the live kernel, driven by recorded ticks on a driven clock.

The assembly is ``arbig run``'s (``runtime.build_controls``: the core, the pre-trade
risk engine, the strategy engine, the emergency stop, the bar service) with the
simulated exchange's matching engine fed by ``ReplayTicks``, and the storage ports in
memory (``BacktestBook``, ``MemoryStrategyStore``): a backtest never touches the live
book. Each tick's timestamp is a timer on the ``DrivenClock``; between two ticks the
event loop is given the turns the tick's work asked for (order reports, the strategy's
queued jobs), so the run is the same every time. Over idle gaps (nights, weekends) each
periodic timer runs once and resumes after the gap, as the live clock's does.
"""

import asyncio
import functools
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from arbig.backtest.book import BacktestBook
from arbig.backtest.notes import open_at_end
from arbig.backtest.spec import BacktestResult, BacktestSpec, TriggerLine
from arbig.clock import DrivenClock
from arbig.config import RiskSettings, Settings, SimSettings, StrategySettings
from arbig.domain.bar import Bar
from arbig.domain.calendar import TradingCalendar
from arbig.domain.enums import Direction
from arbig.domain.performance import EquityPoint, daily_results, metrics
from arbig.domain.tick import Tick
from arbig.engine.bars import BarService
from arbig.engine.bus import EventType
from arbig.engine.core import TradingCore
from arbig.engine.hygiene import TickFilter
from arbig.engine.ports import MemoryStateStore
from arbig.engine.strategy.loader import StrategyError, registry, validate_params
from arbig.engine.strategy.store import MemoryStrategyStore
from arbig.gateways.replay import ReplayTicks
from arbig.gateways.sim import SimGateway
from arbig.runtime import build_controls
from arbig.ticks.memory import MemoryTickStore

# A gap between two ticks longer than this is idle time: periodic timers run once in it.
IDLE_GAP = timedelta(seconds=5)
# After the last tick the clock runs on this long: the last bar closes on its timer.
TAIL = timedelta(seconds=3)

Progress = Callable[[datetime], None]


class BacktestError(ValueError):
    """A backtest that cannot run as asked (unknown strategy, bad parameters, no data)."""


def backtest_settings(base: Settings, spec: BacktestSpec, data_dir: Path) -> Settings:
    """``base`` (the user's settings: contract table, risk limits, holidays) for a run of
    ``spec``: its strategy started at once, its capital, its fill model, sessions kept."""
    sim = SimSettings(
        **{
            **base.sim.model_dump(),
            "capital": spec.capital,
            "ignore_sessions": False,
            "fill_latency_ms": spec.fill.latency_ms,
            "fill_depth": spec.fill.depth,
        }
    )
    risk = RiskSettings(**{**base.risk.model_dump(), "check_sessions": True})
    strategy = StrategySettings(
        **{
            **base.strategy.model_dump(),
            "name": spec.strategy,
            "params": spec.params,
            "autostart": True,
            "resume": False,
            "slippage_ticks": spec.fill.slippage_ticks,
        }
    )
    return base.model_copy(
        update={
            "main_contract": spec.symbol,
            "data_dir": data_dir,
            "sim": sim,
            "risk": risk,
            "strategy": strategy,
            "redis_url": None,
        }
    )


def check_spec(base: Settings, spec: BacktestSpec) -> None:
    """BacktestError naming what is wrong with ``spec``, before any data is read."""
    strategies = registry(base.strategy.modules)
    cls = strategies.get(spec.strategy)
    if cls is None:
        known = ", ".join(sorted(strategies)) or "none"
        raise BacktestError(f"no strategy named {spec.strategy!r}; known: {known}")
    try:
        validate_params(cls, spec.params)
    except StrategyError as exc:
        raise BacktestError(str(exc)) from None
    try:
        base.contract_spec(spec.symbol)
    except ValueError as exc:
        raise BacktestError(f"symbol {spec.symbol!r}: {exc}") from None
    if spec.first and spec.last and spec.first > spec.last:
        raise BacktestError(f"--from {spec.first} is after --to {spec.last}")


class BacktestRun:
    """The kernel of one run and what it records."""

    def __init__(
        self,
        settings: Settings,
        spec: BacktestSpec,
        ticks: Iterable[Tick],
        history: Sequence[Bar] = (),
    ) -> None:
        """``history``: the bars before the replay (a strategy's ``load_bars``)."""
        self.spec = spec
        self.history = list(history)
        self.calendar = TradingCalendar.gold(settings.holidays)
        self.source = ReplayTicks(ticks)
        start = self.source.next_time
        if start is None:
            raise BacktestError(f"no ticks of {spec.symbol} in the range asked for")
        self.clock = DrivenClock(start - timedelta(seconds=1))
        self.book = BacktestBook()
        spec_for = functools.cache(settings.contract_spec)  # the table is built per call
        self.gateway = SimGateway(
            settings,
            spec_for,
            self.calendar,
            None,
            self.clock,
            source=self.source,
        )
        account = self.gateway.account()
        self.core = TradingCore(
            account_id=account.account_id,
            capital=account.capital,
            main_contract=spec.symbol,
            spec_for=spec_for,
            gateway=self.gateway,
            recorder=self.book,
            source=self.book,
            tick_store=MemoryTickStore(64),
            tick_filter=TickFilter(self.calendar, check_sessions=True),
            clock=self.clock,
            snapshot_interval_s=settings.snapshot_interval_s,
        )
        self.store = MemoryStrategyStore()
        self.controls = build_controls(
            self.core,
            settings,
            self.store,
            MemoryStateStore(),
            self.calendar,
            clock=self.clock,
            bar_history=self.bar_history,
        )
        self.bars = BarService(self.core.events, self.clock, sessions=self.calendar.sessions)
        self.curve: list[EquityPoint] = []
        self.prices: list[tuple[datetime, Decimal]] = []
        self.core.events.subscribe(EventType.BAR, self._on_bar)

    async def bar_history(self, symbol: str, count: int) -> list[Bar]:
        return [b for b in self.history if b.symbol == symbol][-count:]

    def _on_bar(self, _: EventType, bar: Bar) -> None:
        if bar.symbol == self.spec.symbol:
            self.prices.append((bar.start, bar.close))
            self._sample(bar.trading_day)

    def _sample(self, trading_day: date) -> None:
        balance = self.core.book.account.balance
        self.curve.append(EquityPoint(self.clock.now(), trading_day, balance))

    async def settle(self) -> None:
        """Give the event loop the turns the last timer's work asked for."""
        engine, gateway = self.controls.strategy_engine, self.gateway
        # Checked before awaiting: most timers (a tick that decides nothing, a bar's
        # close) leave no work, and three coroutines per timer for nothing add up.
        while gateway.posting or engine.busy:
            if gateway.posting:
                await asyncio.sleep(0)
            await engine.idle()

    async def run(self, progress: Progress | None) -> None:
        clock, source = self.clock, self.source
        await self.bars.start()
        await self.core.start()
        await self.controls.open()
        engine = self.controls.strategy_engine
        if engine.running is None:
            raise BacktestError(engine.notice or f"strategy {self.spec.strategy} did not start")
        reported = 0.0
        gateway = self.gateway
        at = clock.now()  # only this loop moves the clock: it keeps the time itself
        try:
            while (upcoming := source.next_time) is not None:
                if upcoming - at > IDLE_GAP:
                    clock.advance_to(upcoming - timedelta(seconds=1), skip_missed=True)
                    await self.settle()
                due = clock.next_due
                if due is None:  # pragma: no cover - the replay's timer is always set
                    break
                at = clock.advance_to(due)
                # settle's own check, here: most ticks leave no work, and a coroutine
                # per tick for nothing adds up.
                if gateway.posting or engine.busy:
                    await self.settle()
                if progress is not None and (now := time.monotonic()) - reported > 0.5:
                    reported = now
                    progress(clock.now())
            clock.advance_to(clock.now() + TAIL)
            await self.settle()
        finally:
            last_day = self.core.portfolio.trading_day
            await self.controls.close()
            await self.settle()
            await self.bars.stop()
            await self.core.stop()
        if last_day is not None:
            self._sample(last_day)


def _triggers(store: MemoryStrategyStore) -> list[TriggerLine]:
    rows = sorted(store.rows.items())
    return [
        TriggerLine(
            datetime=t.trigger_time,
            action=str(t.action),
            condition=t.condition,
            price=t.price,
            result=str(t.result),
            error=t.error_message,
        )
        for _, t in rows
    ]


async def replay(
    base: Settings,
    spec: BacktestSpec,
    ticks: Iterable[Tick],
    progress: Progress | None = None,
    history: Sequence[Bar] = (),
) -> BacktestResult:
    """Run ``spec`` over ``ticks`` (time order) in the running event loop; ``history``:
    the bars before them, for the strategy's ``load_bars``."""
    check_spec(base, spec)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="arbig-backtest-") as folder:
        settings = backtest_settings(base, spec, Path(folder))
        run = BacktestRun(settings, spec, ticks, history)
        data_first = run.source.next_time
        await run.run(progress)
    elapsed = time.perf_counter() - began
    capital = spec.capital
    fills = run.book.fills
    notes = []
    held = run.core.portfolio.positions.held()
    last = run.core.portfolio.last_price(spec.symbol)
    if held and last is not None:  # a lot is only bought on a tick, which set the last price
        lots = {d: sum(leg.volume for leg in held if leg.direction == d) for d in Direction}
        notes.append(open_at_end(lots[Direction.LONG], lots[Direction.SHORT], last))
    return BacktestResult(
        spec=spec,
        metrics=metrics(capital, fills, run.curve),
        fills=fills,
        curve=run.curve,
        prices=run.prices,
        days=daily_results(capital, run.curve, fills),
        triggers=_triggers(run.store),
        ticks=run.source.played,
        skipped=run.source.skipped,
        data_first=data_first,
        data_last=run.source.last_time,
        elapsed_s=elapsed,
        notes=notes,
    )


def run_backtest(
    base: Settings,
    spec: BacktestSpec,
    ticks: Iterable[Tick],
    progress: Progress | None = None,
    history: Sequence[Bar] = (),
) -> BacktestResult:
    """Run ``spec`` over ``ticks`` in an event loop of its own (a process, a worker)."""
    return asyncio.run(replay(base, spec, ticks, progress, history))
