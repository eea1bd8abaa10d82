"""The watch tells a strategy failure once, and a reconciliation difference at start-up."""

from opskit import Controls, NoAudit, Store, Told, Writer

from arbig.domain.calendar import TradingCalendar
from arbig.engine.bus import EventBus
from arbig.engine.hygiene import TickFilter
from arbig.engine.strategy.engine import StrategyStatus
from arbig.ops.equity import EquityWatch
from arbig.ops.metrics import Metrics
from arbig.ops.observe import KernelObserver, Sources
from arbig.ops.protections import Protections
from arbig.ops.watch import Watch
from arbig.opsconfig import NotifyEvent, ProtectionSettings
from arbig.testkit import monday_clock


def watch(controls: Controls) -> tuple[Watch, Told]:
    bus, calendar, told = EventBus(), TradingCalendar.gold([]), Told()
    sources = Sources(
        "sim", Writer(), Store(), TickFilter(calendar), controls, calendar, redis=False
    )
    observer = KernelObserver(bus, sources, EquityWatch(), gateway_connected=True)
    clock = monday_clock()
    w = Watch(
        bus,
        controls,
        told,
        observer,
        EquityWatch(),
        Protections(ProtectionSettings()),
        NoAudit(),
        Metrics(),
        calendar,
        clock=clock,
    )
    return w, told


async def test_a_strategy_failure_is_told_once_with_its_error() -> None:
    controls = Controls()
    w, told = watch(controls)
    w.start()
    controls.strategy = StrategyStatus("running", name="ma_crossover")
    await w.look()
    controls.strategy = StrategyStatus("failed", name="ma_crossover", error="ZeroDivisionError")
    await w.look()
    await w.look()
    await w.stop()
    assert told.told == [
        (NotifyEvent.STRATEGY_FAILURE, "strategy ma_crossover failed", "ZeroDivisionError")
    ]


async def test_a_reconciliation_difference_is_told() -> None:
    w, told = watch(Controls())
    w.reconciliation("positions differ from the broker's: au2702 long 2 vs 0")
    assert told.told == [
        (
            NotifyEvent.RECONCILIATION,
            "positions differ from the broker's",
            "positions differ from the broker's: au2702 long 2 vs 0",
        )
    ]
