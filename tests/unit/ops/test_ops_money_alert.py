"""The book's account against the broker's: told once when a difference has lasted the
grace and once when it is gone, never per report; a blip is not told; a simulated
exchange's difference is an error in the log, not a message; the families at a scrape."""

from collections.abc import Iterator

import pytest
import structlog
from opskit import Controls, NoAudit, Statuses, Store, Told, Writer, money
from structlog.testing import LogCapture
from test_ops_metrics import scrape

from arbig.clock import DrivenClock
from arbig.domain.calendar import TradingCalendar
from arbig.domain.reconcile import MoneyReconciliation
from arbig.engine.bus import EventBus
from arbig.engine.hygiene import TickFilter
from arbig.ops import watch as watch_module
from arbig.ops.equity import EquityWatch
from arbig.ops.metrics import Metrics
from arbig.ops.observe import KernelObserver, Sources
from arbig.ops.protections import Protections
from arbig.ops.watch import Watch
from arbig.opsconfig import URGENT, NotifyEvent, NotifySettings, ProtectionSettings
from arbig.testkit import monday_clock

DEPOSIT = "1005000.00"  # the broker's balance after a deposit the book does not know of


class Rig:
    """A watch over a core whose last account comparison the test sets (``report``)."""

    def __init__(self, after_s: float = 10.0) -> None:
        self.clock: DrivenClock = monday_clock()
        self.money: MoneyReconciliation | None = None
        self.metrics = Metrics()
        self.notifier = Told(NotifySettings(money_difference_after_s=after_s))
        bus, calendar = EventBus(), TradingCalendar.gold([])
        sources = Sources(
            "ctp",
            Writer(),
            Store(),
            TickFilter(calendar),
            Statuses(),
            calendar,
            redis=False,
            money=lambda: self.money,
        )
        self.observer = KernelObserver(bus, sources, EquityWatch(), gateway_connected=True)
        self.metrics.register(self.observer)
        self.watch = Watch(
            bus,
            Controls(),
            self.notifier,
            self.observer,
            EquityWatch(),
            Protections(ProtectionSettings()),
            NoAudit(),
            self.metrics,
            calendar,
            clock=self.clock,
        )

    def report(self, broker_balance: str, *, live: bool = True) -> None:
        self.money = money(self.clock.now(), broker_balance=broker_balance, live=live)

    async def after(self, seconds: float) -> None:
        """Let ``seconds`` pass, the watch looking once a second as it does when running."""
        for _ in range(int(seconds)):
            self.clock.advance(1)
            await self.watch.look()

    @property
    def told(self) -> list[tuple[NotifyEvent, str, str]]:
        return self.notifier.told

    def counted(self, truth: str) -> float:
        value = self.metrics.registry.get_sample_value(
            "arbig_account_differences_total", {"truth": truth}
        )
        return value or 0.0


@pytest.fixture
def logs() -> Iterator[list[dict[str, object]]]:
    # The watch's own logger swapped for one that keeps what it says: an earlier test's
    # logging set-up (cached loggers, a level) must not hide it.
    capture = LogCapture()
    keeper = structlog.wrap_logger(None, processors=[capture], wrapper_class=structlog.BoundLogger)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(watch_module, "log", keeper)
        yield capture.entries


async def test_a_lasting_difference_is_told_once_with_both_figures_then_once_when_gone() -> None:
    rig = Rig(after_s=10)
    rig.report("1000000.00")
    await rig.after(3)
    rig.report(DEPOSIT)
    await rig.after(9)
    assert rig.told == []  # within the grace
    rig.report(DEPOSIT)  # reports keep coming, the difference stays: still one message
    await rig.after(5)
    rig.report(DEPOSIT)
    await rig.after(30)
    assert len(rig.told) == 1
    event, title, body = rig.told[0]
    assert event is NotifyEvent.MONEY_DIFFERENCE
    assert title == "book and broker differ: balance, available"
    assert "account 8001, since 10:00:03 (exchange time)" in body
    assert "balance: book 1000000.00, broker 1005000.00 (-5000.00)" in body
    assert "available: book 1000000.00, broker 1005000.00 (-5000.00)" in body
    assert rig.counted("broker") == 1
    rig.report("1000000.00")
    await rig.after(1)
    rig.report("1000000.00")
    await rig.after(10)
    assert rig.told[1:] == [
        (
            NotifyEvent.MONEY_DIFFERENCE,
            "book and broker agree again",
            "account 8001: balance, available differed for 44 s",
        )
    ]


async def test_money_moved_while_arbig_was_down_is_told_with_what_it_likely_means() -> None:
    rig = Rig(after_s=10)
    rig.money = money(rig.clock.now(), broker_balance=DEPOSIT, broker_pre_balance=DEPOSIT)
    await rig.after(11)
    ((event, title, body),) = rig.told
    assert event is NotifyEvent.MONEY_DIFFERENCE
    assert title == "book and broker differ: balance, available, pre_balance"
    assert "pre_balance: book 1000000.00, broker 1005000.00 (-5000.00)" in body
    assert "a deposit or withdrawal on a day ARBIG did not run" in body
    assert "change ctp.capital by the net amount and restart" in body


async def test_a_difference_the_next_report_clears_is_not_told() -> None:
    rig = Rig(after_s=10)
    for _ in range(5):  # fills in flight: each report differs, the next agrees
        rig.report(DEPOSIT)
        await rig.after(4)
        rig.report("1000000.00")
        await rig.after(4)
    assert rig.told == []
    assert rig.counted("broker") == 0


async def test_the_grace_is_a_setting() -> None:
    rig = Rig(after_s=0)
    rig.report(DEPOSIT)
    await rig.watch.look()
    assert [t[1] for t in rig.told] == ["book and broker differ: balance, available"]


async def test_a_simulated_exchanges_difference_is_an_error_counted_not_a_message(
    logs: list[dict[str, object]],
) -> None:
    rig = Rig(after_s=10)
    rig.report(DEPOSIT, live=False)
    await rig.after(20)
    rig.report("1000000.00", live=False)
    await rig.after(2)
    assert rig.told == []
    assert rig.counted("book") == 1
    errors = [entry for entry in logs if entry["log_level"] == "error"]
    assert [entry["event"] for entry in errors] == [
        "the simulated exchange's account differs from the book (a bug in ARBIG)"
    ]
    assert errors[0]["differences"] == [
        "balance: book 1000000.00, broker 1005000.00 (-5000.00)",
        "available: book 1000000.00, broker 1005000.00 (-5000.00)",
    ]


def test_a_money_difference_passes_quiet_hours() -> None:
    assert NotifyEvent.MONEY_DIFFERENCE in URGENT


async def test_the_families_give_each_figures_difference_and_whether_they_differ() -> None:
    rig = Rig()
    assert not any(name.startswith("arbig_account_diff") for name, _ in scrape(rig.metrics))
    rig.report(DEPOSIT)
    found = scrape(rig.metrics)
    assert found["arbig_account_differs_from_broker", (("truth", "broker"),)] == 1
    assert found["arbig_account_difference_yuan", (("field", "balance"),)] == -5000
    assert found["arbig_account_difference_yuan", (("field", "available"),)] == -5000
    for field in ("margin", "frozen_margin", "commission", "close_profit"):
        assert found["arbig_account_difference_yuan", (("field", field),)] == 0
    rig.clock.advance(1)
    rig.report("1000000.00", live=False)
    found = scrape(rig.metrics)
    assert found["arbig_account_differs_from_broker", (("truth", "book"),)] == 0
    assert found["arbig_account_difference_yuan", (("field", "balance"),)] == 0
    assert ("arbig_account_differs_from_broker", (("truth", "broker"),)) not in found


def test_the_grace_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="money_difference_after_s"):
        NotifySettings(money_difference_after_s=-1)
