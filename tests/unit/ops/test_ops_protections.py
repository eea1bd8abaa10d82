"""Each account-level protection trips on a scripted price path on the simulator, moves
the trading state as configured, is audited, counted and notified."""

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from arbig.config import SimSettings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.enums import Direction, Offset, Side, TradingState
from arbig.domain.snapshot import PositionSnapshot
from arbig.engine.bus import EventType
from arbig.engine.controls import TradingControls
from arbig.ops.equity import EquityWatch
from arbig.ops.metrics import Metrics
from arbig.ops.notify import Notifier
from arbig.ops.observe import KernelObserver, Sources
from arbig.ops.protections import Protections
from arbig.ops.watch import Watch
from arbig.opsconfig import NotifyEvent, ProtectionSettings
from arbig.runtime import build_controls
from arbig.storage.audit import AuditTrail
from arbig.storage.state_store import SqlStateStore
from arbig.storage.strategy_store import SqlStrategyStore

sys.path.insert(0, str(Path(__file__).parents[1] / "engine"))

from enginekit import SYMBOL, Rig, make_settings, running

# A market that goes exactly where the test steers it.
STILL = SimSettings(seed=7, volatility=1e-9)


@dataclass
class Watched:
    rig: Rig
    controls: TradingControls
    watch: Watch
    audit: AuditTrail
    metrics: Metrics
    told: list[tuple[NotifyEvent, str, str]]

    async def move_to(self, price: str) -> None:
        self.rig.gateway.steer(SYMBOL, Decimal(price))
        await self.rig.tick()
        await self.watch.idle()

    async def trade(self, side: Side, volume: int, offset: Offset = Offset.OPEN) -> None:
        await self.rig.fill(self.rig.marketable(side, volume, offset))
        await self.watch.idle()

    @property
    def state(self) -> TradingState:
        return self.controls.trading_status().state

    def trips(self, protection: str) -> float:
        value = self.metrics.registry.get_sample_value(
            "arbig_protection_trips_total", {"protection": protection}
        )
        return value or 0.0


class Recorder(Notifier):
    """The real notifier (no channels: nothing leaves), recording what it was given."""

    def __init__(self, metrics: Metrics, told: list[tuple[NotifyEvent, str, str]]) -> None:
        super().__init__(make_settings(Path(".")).notify, metrics)
        self._told = told

    def notify(self, event: NotifyEvent, title: str, body: str = "") -> None:
        self._told.append((event, title, body))
        super().notify(event, title, body)


@asynccontextmanager
async def watched(tmp_path: Path, **limits: Any) -> AsyncIterator[Watched]:
    protections = ProtectionSettings(**limits)
    async with running(tmp_path, sim=STILL, protections=protections) as rig:
        settings = make_settings(tmp_path / "data", sim=STILL, protections=protections)
        calendar = TradingCalendar.gold([])
        controls = build_controls(
            rig.core,
            settings,
            SqlStrategyStore(rig.sessions),
            SqlStateStore(rig.sessions),
            calendar,
            clock=rig.clock,
        )
        await controls.open()
        metrics, equity, told = Metrics(), EquityWatch(), []
        sources = Sources(
            "sim",
            rig.writer,
            rig.core.tick_store,
            rig.core.tick_filter,
            controls,
            calendar,
            redis=False,
        )
        # Attached after the core started: told the gateway's state it missed.
        observer = KernelObserver(
            rig.core.bus, sources, equity, gateway_connected=rig.core.gateway_connected
        )
        audit = AuditTrail(rig.sessions)
        watch = Watch(
            rig.core.bus,
            controls,
            Recorder(metrics, told),
            observer,
            equity,
            Protections(protections),
            audit,
            metrics,
            calendar,
            clock=rig.clock,
        )
        observer.attach()
        watch.attach()
        watch.start()
        try:
            await rig.tick()
            yield Watched(rig, controls, watch, audit, metrics, told)
        finally:
            await watch.stop()
            await controls.close()


async def audited(w: Watched, actor: str) -> list[str]:
    entries = await w.audit.entries(action="protection")
    return [entry.result for entry in entries if entry.actor == actor]


async def test_the_daily_loss_limit_halts_trading(tmp_path: Path) -> None:
    async with watched(tmp_path, daily_loss_limit_yuan=Decimal(20000)) as w:
        await w.trade(Side.BUY, 2)
        await w.move_to("915.00")  # about 10 000 down: within the limit
        assert w.state is TradingState.ACTIVE
        await w.move_to("905.00")  # about 30 000 down
        assert w.state is TradingState.HALTED
        status = w.controls.trading_status()
        assert status.actor == "protection:daily_loss"
        assert status.reason.startswith("daily loss ")
        assert await audited(w, "protection:daily_loss") == ["halted"]
        assert w.trips("daily_loss") == 1
        assert [t[0] for t in w.told] == [NotifyEvent.FILL, NotifyEvent.PROTECTION]
        await w.move_to("900.00")  # further down: tripped once a day, not again
        assert w.trips("daily_loss") == 1


async def test_drawdown_from_the_days_peak_reduces_as_configured(tmp_path: Path) -> None:
    async with watched(
        tmp_path, max_drawdown_ratio=Decimal("0.01"), drawdown_action="reducing"
    ) as w:
        await w.trade(Side.BUY, 2)
        await w.move_to("930.00")  # a new peak, about 20 000 up
        await w.move_to("926.00")  # 8 000 off the peak: under 1 %
        assert w.state is TradingState.ACTIVE
        await w.move_to("924.00")  # 12 000 off a peak of about 1 020 000
        assert w.state is TradingState.REDUCING
        assert "from the day's peak" in w.controls.trading_status().reason
        assert await audited(w, "protection:drawdown") == ["reducing"]


async def test_a_high_margin_ratio_reduces(tmp_path: Path) -> None:
    async with watched(tmp_path, max_margin_ratio=Decimal("0.15")) as w:
        await w.trade(Side.BUY, 1)  # about 92 000 of margin: 9 %
        await w.move_to("920.00")
        assert w.state is TradingState.ACTIVE
        await w.trade(Side.BUY, 1)  # about 18 %
        await w.move_to("920.00")
        assert w.state is TradingState.REDUCING
        assert w.controls.trading_status().actor == "protection:margin_ratio"
        assert await audited(w, "protection:margin_ratio") == ["reducing"]


async def test_a_losing_streak_halts_for_the_cooldown_then_trading_resumes(
    tmp_path: Path,
) -> None:
    async with watched(tmp_path, max_losing_streak=2, cooldown_minutes=1) as w:
        for _ in range(2):
            await w.move_to("920.00")
            await w.trade(Side.BUY, 1)
            await w.move_to("915.00")
            await w.trade(Side.SELL, 1, Offset.CLOSE_TODAY)
        assert w.state is TradingState.HALTED
        assert "2 losing trades in a row" in w.controls.trading_status().reason
        w.rig.clock.advance(61)  # the watch's timer sees the cooldown is over
        await w.watch.idle()
        assert w.state is TradingState.ACTIVE
        assert w.controls.trading_status().actor == "protection:cooldown"
        assert await audited(w, "protection:losing_streak") == ["halted"]
        assert await audited(w, "protection:cooldown") == ["active"]


# --- what the watch tells ------------------------------------------------------------


def events(w: Watched) -> list[NotifyEvent]:
    return [event for event, _, _ in w.told]


async def test_state_changes_and_the_emergency_stop_are_told(tmp_path: Path) -> None:
    async with watched(tmp_path) as w:
        await w.controls.set_trading_state(TradingState.REDUCING, "news at 14:00", "operator")
        await w.watch.look()
        await w.controls.emergency_stop("fat finger", "operator", flatten=False)
        await w.watch.look()
        await w.controls.reset_emergency("checked", "operator")
        await w.watch.look()
    assert events(w) == [
        NotifyEvent.TRADING_STATE,
        NotifyEvent.EMERGENCY_STOP,
        NotifyEvent.EMERGENCY_RESET,
    ]
    assert w.told[0][1] == "trading active -> reducing"
    assert w.told[0][2] == "news at 14:00 (by operator)"


async def test_a_gateway_down_longer_than_the_setting_is_told_once(tmp_path: Path) -> None:
    async with watched(tmp_path) as w:
        w.rig.core.on_connection(False, "front disconnected")
        w.rig.clock.advance(10)
        await w.watch.idle()
        assert NotifyEvent.GATEWAY_DOWN not in events(w)
        w.rig.clock.advance(25)  # 35 s: past the 30 s default
        await w.watch.idle()
        w.rig.clock.advance(30)
        await w.watch.idle()
        [down] = [t for t in w.told if t[0] is NotifyEvent.GATEWAY_DOWN]
        assert down[1] == "gateway disconnected for 35 s"
        assert down[2] == "front disconnected"
        w.rig.core.on_connection(True, "front connected")
        assert w.told[-1][1] == "gateway connected again"


async def test_stale_market_data_in_session_is_told(tmp_path: Path) -> None:
    async with watched(tmp_path) as w:
        w.rig.clock.advance(20)  # Monday 10:00 in Shanghai: a session, and no tick
        await w.watch.idle()
        assert events(w) == [NotifyEvent.STALE_MARKET_DATA]
        assert w.told[0][2] == SYMBOL


async def test_no_tick_outside_a_session_is_not_stale(tmp_path: Path) -> None:
    async with watched(tmp_path) as w:
        w.rig.clock.advance(5 * 3600 + 10 * 60)  # 15:10 in Shanghai: the day session is over
        await w.watch.idle()
        assert NotifyEvent.STALE_MARKET_DATA not in events(w)


async def test_the_daily_summary_comes_after_the_close(tmp_path: Path) -> None:
    async with watched(tmp_path) as w:
        await w.trade(Side.BUY, 1)
        w.rig.clock.advance(5 * 3600)  # 15:00 in Shanghai
        await w.watch.idle()
        assert NotifyEvent.DAILY_SUMMARY not in events(w)
        w.rig.clock.advance(31 * 60)  # 15:31
        await w.watch.idle()
        summaries = [t for t in w.told if t[0] is NotifyEvent.DAILY_SUMMARY]
        assert [t[1] for t in summaries] == ["daily summary 2026-06-01"]
        assert "fills 1, rejected orders 0" in summaries[0][2]
        assert "equity " in summaries[0][2]


async def test_a_position_held_in_its_delivery_month_is_told_once_a_day(tmp_path: Path) -> None:
    async with watched(tmp_path) as w:
        held = [
            PositionSnapshot(
                "sim-001", "au2606", Direction.LONG, 1, 0, 1, Decimal("920"), Decimal("920"),
                Decimal(0), Decimal("92000"), w.rig.clock.now(), w.rig.clock.now(),
            )
        ]  # fmt: skip
        w.rig.core.bus.publish(EventType.POSITIONS, held)  # Monday 1 June 2026: in June
        w.rig.clock.advance(2)
        await w.watch.idle()
        w.rig.clock.advance(2)
        await w.watch.idle()
        told = [t for t in w.told if t[0] is NotifyEvent.DELIVERY_MONTH]
    assert len(told) == 1
    assert told[0][1] == "au2606 is near its delivery month"
    assert "individual accounts" in told[0][2]
