"""A strategy owns its position: the net of its own fills, never the operator's lots,
and never long and short at once."""

from decimal import Decimal
from pathlib import Path

from corekit import running
from sample_strategies import SAMPLES

from arbig.config import RiskSettings, SimSettings, StrategySettings
from arbig.domain.enums import Direction, Offset, OrderSource, Side
from arbig.domain.snapshot import OwnedLots
from arbig.engine.bus import EventType


def account_long(rig: object) -> int:
    leg = rig.core.portfolio.positions.legs.get(("au2612", Direction.LONG))  # type: ignore[attr-defined]
    return 0 if leg is None else leg.volume


async def test_a_manual_position_survives_a_strategys_start_run_and_restart(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, strategies=SAMPLES) as rig:
        await rig.fill(rig.request(Side.BUY, volume=2, source=OrderSource.OPERATOR))
        assert account_long(rig) == 2
        status = await rig.controls.strategy_engine.start("flattener")
        assert (status.long, status.short) == (0, 0)  # switched in flat
        await rig.tick(10)
        await rig.settle()
        assert account_long(rig) == 2
    async with running(tmp_path, strategies=SAMPLES) as rig:
        await rig.controls.strategy_engine.start("flattener")
        await rig.tick(10)
        await rig.settle()
        assert account_long(rig) == 2
        assert rig.controls.strategy_engine.status().long == 0
        closes = [r for r in rig.gateway_orders if r.offset is not Offset.OPEN]
        assert closes == []


async def test_a_strategys_own_position_is_restored_after_a_restart(tmp_path: Path) -> None:
    async with running(tmp_path, strategies=SAMPLES) as rig:
        await rig.fill(rig.request(Side.BUY, volume=2, source=OrderSource.OPERATOR))
        await rig.controls.strategy_engine.start("buyer")
        await rig.tick(5)
        await rig.settle()
        assert rig.controls.strategy_engine.status().long == 1
    async with running(tmp_path, strategies=SAMPLES) as rig:
        await rig.controls.strategy_engine.start("buyer")
        assert rig.controls.strategy_engine.status().long == 1  # its lot, not the operator's 3
        assert account_long(rig) == 3


async def test_a_refused_cover_never_leaves_the_strategy_holding_both_legs(
    tmp_path: Path,
) -> None:
    risk = RiskSettings(max_orders_per_minute=1)  # the short passes, the cover is refused
    async with running(tmp_path, strategies=SAMPLES, risk=risk) as rig:
        await rig.controls.strategy_engine.start("flipper")
        await rig.tick(8)
        await rig.settle()
        status = rig.controls.strategy_engine.status()
        sent = list(rig.gateway_orders)
        refused = [o for o in rig.of(EventType.ORDER) if o.reject_reason]
    assert (status.long, status.short) == (0, 1)
    assert [(r.side, r.offset) for r in sent] == [(Side.SELL, Offset.OPEN)]
    assert refused and "orders_per_minute" in refused[0].reject_reason


async def test_a_partly_filled_cover_never_leaves_the_strategy_holding_both_legs(
    tmp_path: Path,
) -> None:
    # The simulator shows at most 50 lots a snapshot: a cover of a large short fills in
    # part before what is left is cancelled after order_timeout_s; the strategy keeps
    # the rest of its short and the long is never sent.
    risk = RiskSettings(max_order_volume=100, max_position=100)
    sim = SimSettings(seed=7, capital=Decimal("100000000"))
    strategy = StrategySettings(slippage_ticks=20)
    async with running(tmp_path, strategies=SAMPLES, risk=risk, sim=sim, strategy=strategy) as rig:
        engine = rig.controls.strategy_engine
        params = {"volume": 100, "order_timeout_s": 0.5, "flip_at": 6}
        await engine.update_params("flipper", params)
        await engine.start("flipper")
        for _ in range(30):
            await rig.tick(1)
            await rig.settle()
            status = engine.status()
            assert status.long == 0 or status.short == 0
        trades = rig.of(EventType.TRADE)
        sent = list(rig.gateway_orders)
        final = engine.status()
    covers = [t for t in trades if t.offset is not Offset.OPEN]
    assert covers and sum(t.volume for t in covers) < sum(
        t.volume for t in trades if t.offset is Offset.OPEN
    ), "the cover filled only in part"
    assert [r for r in sent if r.offset is Offset.OPEN and r.side is Side.BUY] == []
    assert final.long == 0 and final.short > 0


async def test_a_handover_is_announced_so_the_strategy_views_refresh(tmp_path: Path) -> None:
    async with running(tmp_path, strategies=SAMPLES) as rig:
        await rig.fill(rig.request(Side.BUY, volume=2, source=OrderSource.OPERATOR))
        await rig.controls.strategy_engine.start("resting")

        handover = await rig.controls.strategy_engine.hand_over(None, "au2612", Direction.LONG, 1)

        assert rig.controls.strategy_engine.status().long == 1
        announced = [e for e in rig.of(EventType.SYSTEM) if "handover" in e]
        assert announced == [
            {
                "strategy": "resting",
                "handover": {
                    "symbol": "au2612",
                    "direction": "long",
                    "volume": 1,
                    "price": str(handover.price),
                },
            }
        ]


async def test_the_positions_topic_follows_a_handover_and_a_working_close(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, strategies=SAMPLES) as rig:
        await rig.fill(rig.request(Side.BUY, volume=2, source=OrderSource.OPERATOR))
        await rig.controls.strategy_engine.start("resting")

        await rig.controls.strategy_engine.hand_over(None, "au2612", Direction.LONG, 1)
        [leg] = rig.of(EventType.POSITIONS)[-1]
        assert (leg.owned, leg.free_volume) == ((OwnedLots("resting", 1),), 1)

        # A manual close resting above the market promises the free lot.
        last = rig.core.portfolio.last_price("au2612")
        assert last is not None
        close = rig.request(
            Side.SELL,
            price=last + Decimal("0.80"),
            offset=Offset.CLOSE_TODAY,
            source=OrderSource.OPERATOR,
        )
        await rig.core.send_order(close)
        await rig.settle()
        [leg] = rig.of(EventType.POSITIONS)[-1]
        assert (leg.owned, leg.free_volume) == ((OwnedLots("resting", 1),), 0)
