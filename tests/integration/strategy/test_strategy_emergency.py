"""The emergency stop under a strategy that keeps sending orders."""

import asyncio
import sqlite3
import time
from pathlib import Path

from corekit import running
from sample_strategies import SAMPLES

from arbig.domain.enums import OrderSource, OrderStatus, Side, TradingState
from arbig.engine.emergency import CANCEL_WAIT_S, RECORD_WAIT_S, SAVE_RETRY_S


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


async def test_with_the_database_hung_the_stop_cancels_first_and_a_repeat_cancels_again(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, strategies=SAMPLES) as rig:
        await rig.controls.strategy_engine.start("resting")
        await rig.tick(5)
        await rig.settle()
        working = rig.core.oms.active_orders()
        assert len(working) >= 3
        # Another connection holds SQLite's write lock: every write waits, then fails.
        # Taking it waits for a write of the kernel's still under way (a loaded machine),
        # off the event loop: that write's commit needs the loop, so waiting on it there
        # would hold both until the timeout.
        holder = sqlite3.connect(
            tmp_path / "arbig.sqlite3", isolation_level=None, timeout=60, check_same_thread=False
        )
        await asyncio.to_thread(holder.execute, "BEGIN IMMEDIATE")
        try:
            started = time.monotonic()
            report = await rig.controls.emergency.engage("db down", "tester")
            took = time.monotonic() - started

            assert sorted(report.cancelled) == sorted(o.order_id for o in working)
            assert rig.core.oms.active_orders() == []
            assert all(
                rig.core.oms.orders[o.order_id].status is OrderStatus.CANCELLED for o in working
            )
            assert any("not recorded" in error for error in report.errors)
            assert rig.controls.risk.state is TradingState.HALTED
            # Bounded by the waits, not by the database (plus slack for the logs' rendering
            # of the strategy's failed writes, which holds the loop on a busy machine).
            assert took < CANCEL_WAIT_S + 2 * RECORD_WAIT_S + 10
            # An order the stop did not see (sent to the exchange around it): a repeated
            # stop cancels it although the stop is engaged already.
            missed = await rig.gateway.send_order(rig.request(Side.BUY, price="900.00"))
            await rig.settle()
            assert rig.core.oms.orders[missed].is_active
            again = await rig.controls.emergency.engage("again", "tester")
            await rig.settle()
            assert again.already_engaged and again.cancelled == [missed]
            assert rig.core.oms.orders[missed].status is OrderStatus.CANCELLED
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        # The halt is saved once the lock is gone, at a retry on the kernel's clock (a
        # failing attempt may still be waiting on the lock when it is released).
        saved = None
        for _ in range(100):
            rig.clock.advance(SAVE_RETRY_S)
            await asyncio.sleep(0.1)
            saved = await rig.state.load_trading_status()
            if saved is not None and saved.emergency:
                break
        assert saved is not None and saved.emergency
