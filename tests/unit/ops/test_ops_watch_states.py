"""The watch tells a strategy failure once, and a reconciliation difference at start-up."""

from opskit import Statuses, Store, Writer

from arbig.domain.calendar import TradingCalendar
from arbig.domain.enums import TradingState
from arbig.engine.bus import EventBus
from arbig.engine.emergency import TradingStatus
from arbig.engine.hygiene import TickFilter
from arbig.engine.strategy.engine import StrategyStatus
from arbig.ops.equity import EquityWatch
from arbig.ops.metrics import Metrics
from arbig.ops.notify import Notifier
from arbig.ops.observe import KernelObserver, Sources
from arbig.ops.protections import Protections
from arbig.ops.watch import Watch
from arbig.opsconfig import NotifyEvent, NotifySettings, ProtectionSettings
from arbig.testkit import monday_clock


class Told(Notifier):
    def __init__(self) -> None:
        super().__init__(NotifySettings(), Metrics())
        self.told: list[tuple[NotifyEvent, str, str]] = []

    def notify(self, event: NotifyEvent, title: str, body: str = "") -> None:
        self.told.append((event, title, body))


class Controls(Statuses):
    async def set_trading_state(
        self, state: TradingState, reason: str, actor: str
    ) -> TradingStatus:
        self.trading = TradingStatus(state, reason=reason, actor=actor)
        return self.trading


class NoAudit:
    async def record(self, entry: object) -> None:
        return None


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
