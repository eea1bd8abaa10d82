"""The strategy engine's lifecycle: one at a time, failures, restarts, loading user code."""

import asyncio
import sqlite3
from pathlib import Path

import pytest
from corekit import running
from sample_strategies import SAMPLES

from arbig.config import StrategySettings
from arbig.domain.enums import ActionType, OrderStatus, TriggerResult
from arbig.domain.order import OrderRequest
from arbig.engine.bus import EventType
from arbig.engine.strategy.loader import StrategyError, load_module, registry
from arbig.engine.strategy.store import MemoryStrategyStore


async def test_a_second_strategy_is_refused_while_one_runs(tmp_path: Path) -> None:
    async with running(tmp_path, strategies=SAMPLES) as rig:
        engine = rig.controls.strategy_engine
        await engine.start("resting")
        with pytest.raises(StrategyError, match="resting is running; stop it before starting"):
            await engine.start("buyer")
        await engine.stop()
        with pytest.raises(StrategyError, match="no strategy named 'nope'; known: buyer"):
            await engine.start("nope")


async def test_an_exception_stops_the_strategy_not_the_core(tmp_path: Path) -> None:
    async with running(tmp_path, strategies=SAMPLES) as rig:
        engine = rig.controls.strategy_engine
        await engine.start("exploding")
        await rig.tick(4)
        status = engine.status()
        assert status.state == "failed"
        assert status.error == "on_tick raised RuntimeError: division by zero in my indicator"
        assert status.working_orders == 0
        strategy_orders = [o for o in rig.core.oms.orders.values() if o.reference == "exploding"]
        assert len(strategy_orders) == 2
        assert all(o.status is OrderStatus.CANCELLED for o in strategy_orders)
        triggers = await rig.store.triggers("exploding")
        failure = triggers[0]
        assert failure.result is TriggerResult.FAILED
        assert failure.action is ActionType.HOLD
        assert "Traceback" in (failure.error_message or "")
        assert "division by zero in my indicator" in failure.condition
        # the cancelled orders fail their triggers with the reason
        assert {t.result for t in triggers[1:]} == {TriggerResult.FAILED}
        assert (await rig.store.load_configs())[0].is_active is False
        ticks_before = len(rig.of(EventType.TICK))
        await rig.tick(2)
        assert len(rig.of(EventType.TICK)) == ticks_before + 2


async def test_a_running_strategy_comes_back_stopped_with_a_notice(tmp_path: Path) -> None:
    async with running(tmp_path, strategies=SAMPLES) as rig:
        await rig.controls.strategy_engine.start("buyer")
        await rig.tick(3)
    async with running(tmp_path, strategies=SAMPLES) as rig:
        engine = rig.controls.strategy_engine
        assert engine.running is None
        assert engine.status().notice is not None
        assert "buyer was running when ARBIG stopped" in engine.status().notice
        # its state survived: it does not buy a second time
        await engine.start("buyer")
        await rig.tick(3)
        assert [t.action for t in await rig.store.triggers("buyer")] == [ActionType.BUY]


async def test_resume_restarts_the_strategy_that_was_running(tmp_path: Path) -> None:
    async with running(tmp_path, strategies=SAMPLES) as rig:
        await rig.controls.strategy_engine.start("resting")
    resume = StrategySettings(resume=True)
    async with running(tmp_path, strategies=SAMPLES, strategy=resume) as rig:
        assert rig.controls.strategy_engine.running == "resting"


async def test_new_parameters_take_effect_at_the_next_start(tmp_path: Path) -> None:
    async with running(tmp_path, strategies=SAMPLES) as rig:
        engine = rig.controls.strategy_engine
        await engine.start("buyer")
        _info, message = await engine.update_params("buyer", {"volume": 2})
        assert message == "saved; buyer is running with its old parameters until it is restarted"
        assert engine.status().params["volume"] == 1
        await engine.stop()
        assert (await engine.start("buyer")).params["volume"] == 2
        with pytest.raises(StrategyError, match="volume: Input should be greater than 0"):
            await engine.update_params("buyer", {"volume": 0})


@pytest.mark.parametrize(
    ("symbol", "why"),
    [
        ("AU", "is not a contract symbol"),
        ("au9999", "month 99 does not exist"),
        ("xx1234", "month 34 does not exist"),
        ("xx2612", "product 'xx' is not in the contract table"),
        ("au2605", "has expired|is not a listed gold month"),
    ],
)
async def test_a_symbol_parameter_must_name_a_listed_contract(
    tmp_path: Path, symbol: str, why: str
) -> None:
    async with running(tmp_path, strategies=SAMPLES) as rig:
        engine = rig.controls.strategy_engine
        with pytest.raises(
            StrategyError, match=f"parameters of buyer do not validate: symbol: .*({why})"
        ):
            await engine.update_params("buyer", {"symbol": symbol})
        assert all("symbol" not in c.params for c in await rig.store.load_configs())
        await engine.update_params("buyer", {"symbol": "au2612"})  # listed on the rig's day

        # Stored before the check (or a month that has since expired): the start is refused.
        await rig.store.save_params("buyer", {"symbol": symbol})
    async with running(tmp_path, strategies=SAMPLES) as rig:
        engine = rig.controls.strategy_engine
        with pytest.raises(StrategyError, match=f"symbol: .*({why})"):
            await engine.start("buyer")
        assert engine.running is None and rig.gateway_orders == []


def test_a_user_strategy_file_is_loaded_by_path(tmp_path: Path) -> None:
    source = tmp_path / "mine.py"
    source.write_text(
        "from arbig.engine.strategy import Strategy, StrategyParams\n"
        "class Mine(Strategy[StrategyParams]):\n"
        "    name = 'mine'\n"
    )
    assert set(registry([str(source)])) == {"ma_crossover", "donchian", "mine"}


def test_a_user_module_that_fails_to_import_says_why(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("import numpy_that_is_not_there\n")
    with pytest.raises(StrategyError, match="failed to import: ModuleNotFoundError"):
        load_module(str(broken))
    with pytest.raises(StrategyError, match="does not exist"):
        load_module(str(tmp_path / "missing.py"))
    with pytest.raises(StrategyError, match="defines no Strategy subclass"):
        load_module("arbig.domain.enums")


async def test_the_trigger_is_committed_before_its_order_reaches_the_gateway(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, strategies=SAMPLES) as rig:
        seen_at_send: list[list[TriggerResult]] = []
        send = rig.gateway.send_order

        async def reading_send(request: OrderRequest) -> str:
            # a fresh session: only what was committed is visible
            seen_at_send.append([t.result for t in await rig.store.triggers("buyer")])
            return await send(request)

        rig.gateway.send_order = reading_send  # type: ignore[method-assign]
        await rig.controls.strategy_engine.start("buyer")
        await rig.tick(2)

    assert seen_at_send == [[TriggerResult.PENDING]]


async def test_a_decision_recorded_too_late_is_dropped_with_a_failed_trigger(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, strategies=SAMPLES) as rig:
        await rig.controls.strategy_engine.start("buyer")
        sent_before = len(rig.gateway_orders)
        # Another connection holds SQLite's write lock: the trigger's insert waits.
        holder = sqlite3.connect(tmp_path / "arbig.sqlite3", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            rig.clock.advance(0.5)
            rig.gateway.step(rig.clock.now())  # the buyer decides; its trigger must wait
            await asyncio.sleep(0.05)
            rig.clock.advance(3)  # past decision_max_age_s (2 s) while it waits
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        await rig.settle()
        await asyncio.sleep(0.1)
        await rig.settle()

        assert len(rig.gateway_orders) == sent_before  # never sent late
        [trigger] = await rig.store.triggers("buyer")
        assert trigger.result is TriggerResult.FAILED
        assert trigger.error_message is not None and "stale" in trigger.error_message


async def test_with_a_store_that_does_not_wait_the_order_leaves_within_the_tick(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, strategies=SAMPLES, store=MemoryStrategyStore()) as rig:
        await rig.controls.strategy_engine.start("buyer")
        seen: list[str] = []
        rig.core.bus.subscribe(EventType.TICK, lambda event, tick: seen.append("late subscriber"))
        send = rig.gateway.send_order

        async def noting_send(request: OrderRequest) -> str:
            seen.append("order sent")
            return await send(request)

        rig.gateway.send_order = noting_send  # type: ignore[method-assign]
        rig.clock.advance(0.5)
        rig.gateway.step(rig.clock.now())  # pushes the tick to the core, no await in between
        assert seen == ["late subscriber", "order sent"]
        await rig.settle()
        [trigger] = await rig.store.triggers("buyer")
        assert trigger.result is TriggerResult.SUCCESS
        assert len(trigger.order_ids) == 1


async def test_a_trigger_is_published_pending_with_its_orders_then_resolved(
    tmp_path: Path,
) -> None:
    async with running(tmp_path, strategies=SAMPLES) as rig:
        await rig.controls.strategy_engine.start("buyer")
        await rig.tick(3)
        published = rig.of(EventType.TRIGGER)

    assert [t.result for t in published] == [TriggerResult.PENDING, TriggerResult.SUCCESS]
    assert published[0].order_ids == published[1].order_ids
    assert len(published[0].order_ids) == 1
