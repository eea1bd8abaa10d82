"""The emergency stop under a strategy that keeps sending orders."""

from pathlib import Path

from corekit import running
from sample_strategies import SAMPLES

from arbig.domain.enums import OrderSource, OrderStatus, Side, TradingState


async def test_after_the_stop_no_order_reaches_the_gateway_and_every_order_is_cancelled(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, strategies=SAMPLES) as rig:
        await rig.core.send_order(rig.request(Side.BUY, volume=2))  # a position to flatten
        await rig.tick(2)
        await rig.controls.strategy_engine.start("resting")
        await rig.tick(5)
        working = rig.core.oms.active_orders()
        assert len(working) >= 3

        rig.clock.advance(2)  # past the duplicate window: the flattening order is new
        report = await rig.controls.emergency.engage("test", "tester", flatten=True)
        sent_at_stop = len(rig.gateway_orders)
        await rig.tick(10)
        second = await rig.controls.emergency.engage("again", "tester", flatten=True)

        after = rig.gateway_orders[sent_at_stop - len(report.flatten_orders) :]
        assert [r.source for r in after] == [OrderSource.RISK]
        assert after[0].side is Side.SELL and after[0].offset.is_close
        assert len(rig.gateway_orders) == sent_at_stop  # nothing more, not even from ticks
        assert all(rig.core.oms.orders[o.order_id].status is OrderStatus.CANCELLED for o in working)
        assert rig.core.oms.active_orders() == []
        assert rig.core.portfolio.positions.held() == []  # flattened
        assert rig.controls.strategy_engine.running is None
        assert rig.controls.risk.state is TradingState.HALTED
        assert second.already_engaged and second.flatten_orders == []
        saved = await rig.state.load_trading_status()
        assert saved is not None
        assert (saved.state, saved.emergency, saved.reason) == (TradingState.HALTED, True, "test")

    async with running(tmp_path, strategies=SAMPLES) as rig:  # a restart keeps the halt
        assert rig.controls.risk.state is TradingState.HALTED
        status = await rig.controls.emergency.reset("checked the book", "tester")
        assert status.state is TradingState.ACTIVE
        await rig.controls.strategy_engine.start("resting")
