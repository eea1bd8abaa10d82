"""A live broker's account report that differs from the book reaches a webhook receiver
as a ``money_difference`` message once the grace has passed, and once more when the two
agree again. The core compares a real simulated exchange's reports, the simulator
standing in for a live broker (named ``ctp``, so its figures are the account's truth).
On the simulator itself a lasting difference is a bug: an error and a count, no message."""

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from receivers import Webhook
from test_metrics_endpoint import settings_for, token_for
from test_notify_breaker import buy, metric, wait_for

from arbig.api.trading import StrategyStatus, TradingStatus
from arbig.config import RiskSettings, Settings, SimSettings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.enums import TradingState
from arbig.embedded import embedded_app
from arbig.engine.core import TradingCore
from arbig.engine.hygiene import TickFilter
from arbig.gateways.sim import SimGateway, default_state_path
from arbig.gateways.sim.state import SimState, save_state
from arbig.ops.equity import EquityWatch
from arbig.ops.metrics import Metrics
from arbig.ops.notify import Notifier
from arbig.ops.observe import KernelObserver, Sources
from arbig.ops.protections import Protections
from arbig.ops.watch import Watch
from arbig.opsconfig import ChannelSettings, NotifyEvent, NotifySettings, ProtectionSettings
from arbig.testkit import MemoryBook, monday_clock
from arbig.ticks.memory import MemoryTickStore

pytestmark = pytest.mark.integration


class LiveBroker(SimGateway):
    """The simulated exchange under a live gateway's name: the core takes its account
    reports for the truth, as it does CTP's."""

    name = "ctp"


class Controls:
    """The trading and strategy state, unchanging: this test is about the money."""

    def trading_status(self) -> TradingStatus:
        return TradingStatus(TradingState.ACTIVE)

    def strategy_status(self) -> StrategyStatus:
        return StrategyStatus("stopped")

    async def set_trading_state(
        self, state: TradingState, reason: str, actor: str
    ) -> TradingStatus:
        raise AssertionError("no protection is set: the state is not moved")


class NoAudit:
    async def record(self, entry: object) -> None:
        return None


async def until(predicate: Callable[[], bool]) -> None:
    try:
        async with asyncio.timeout(10):
            while not predicate():  # noqa: ASYNC110 - a poll of a receiver thread
                await asyncio.sleep(0.02)
    except TimeoutError:
        pytest.fail("condition not met within 10 s")


async def test_a_differing_broker_report_is_told_to_the_webhook_then_the_agreement(
    tmp_path: Path,
) -> None:
    settings = Settings(main_contract="au2612", sim=SimSettings(seed=7), data_dir=tmp_path)
    clock = monday_clock()
    calendar = TradingCalendar.gold(settings.holidays)
    gateway = LiveBroker(
        settings, settings.contract_spec, calendar, tmp_path / "sim.json", clock, autotick=False
    )
    book = MemoryBook()
    core = TradingCore(
        account_id=settings.sim.account_id,
        capital=settings.sim.capital,
        main_contract=settings.main_contract,
        spec_for=settings.contract_spec,
        gateway=gateway,
        recorder=book,
        source=book,
        tick_store=MemoryTickStore(100),
        tick_filter=TickFilter(calendar),
        clock=clock,
    )
    with Webhook() as hook:
        notify = NotifySettings(
            channels={"hook": ChannelSettings(url=hook.url)}, money_difference_after_s=10
        )
        metrics = Metrics()
        notifier = Notifier(notify, metrics)
        sources = Sources(
            "ctp",
            book,
            MemoryTickStore(100),
            TickFilter(calendar),
            Controls(),
            calendar,
            redis=False,
            money=lambda: core.money,
        )
        observer = KernelObserver(core.events, sources, EquityWatch())
        watch = Watch(
            core.events,
            Controls(),
            notifier,
            observer,
            EquityWatch(),
            Protections(ProtectionSettings()),
            NoAudit(),
            metrics,
            calendar,
            clock=clock,
        )
        notifier.start()
        await core.start()
        try:
            agreed = gateway.account_report()
            deposit = Decimal("5000.00")  # at the broker, unknown to the book
            core.on_account(
                replace(
                    agreed,
                    balance=agreed.balance + deposit,
                    available=agreed.available + deposit,
                )
            )
            assert core.money is not None and core.money.broker_is_truth
            clock.advance(5)
            await watch.look()
            clock.advance(5)
            await watch.look()
            await until(lambda: len(hook.received) == 1)
            core.on_account(agreed)
            clock.advance(1)
            await watch.look()
            await until(lambda: len(hook.received) == 2)
        finally:
            await core.stop()
            await notifier.stop()
    assert hook.titles() == [
        "ARBIG: book and broker differ: balance, available",
        "ARBIG: book and broker agree again",
    ]
    body = hook.received[0]["message"]
    assert f"account {settings.sim.account_id}, since 10:00:00 (exchange time)" in body
    balance = settings.sim.capital.quantize(Decimal("0.01"))
    assert f"balance: book {balance}, broker {balance + deposit} (-5000.00)" in body
    assert hook.received[1]["message"] == (
        f"account {settings.sim.account_id}: balance, available differed for 10 s"
    )
    assert (
        metrics.registry.get_sample_value(
            "arbig_notifications_total", {"channel": "hook", "outcome": "sent"}
        )
        == 2
    )
    assert (
        metrics.registry.get_sample_value("arbig_account_differences_total", {"truth": "broker"})
        == 1
    )
    assert NotifyEvent.MONEY_DIFFERENCE in notifier.channels[0].events


def test_a_simulators_lasting_difference_is_an_error_and_counted_not_notified(
    tmp_path: Path,
) -> None:
    """The real embedded system on the simulator, whose books were tampered with: a
    deposit at the simulated exchange that the book does not know of."""
    with Webhook() as hook:
        notify = NotifySettings(
            channels={"hook": ChannelSettings(url=hook.url, events=[NotifyEvent.MONEY_DIFFERENCE])},
            money_difference_after_s=0.5,
        )
        settings = settings_for(
            tmp_path / "data", notify=notify, risk=RiskSettings(duplicate_window_s=0)
        )
        headers = token_for(settings)
        deposit = Decimal("5000.00")
        tampered = SimState.fresh(settings.sim.account_id, settings.sim.capital + deposit)
        save_state(tampered, default_state_path(settings))
        with TestClient(embedded_app(settings)) as client:
            assert not metric(client, headers, "arbig_account_differs_from_broker", truth="book")
            buy(client, headers)  # a fill: the simulator reports its account
            wait_for(
                lambda: metric(client, headers, "arbig_account_differs_from_broker", truth="book")
            )
            assert (
                metric(client, headers, "arbig_account_difference_yuan", field="balance")
                == -deposit
            )
            wait_for(
                lambda: metric(client, headers, "arbig_account_differences_total", truth="book")
            )
            time.sleep(0.5)  # a message, were one queued, would have gone out by now
            assert not metric(client, headers, "arbig_account_differences_total", truth="broker")
    assert hook.received == []
