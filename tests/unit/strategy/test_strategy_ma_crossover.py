"""The moving-average crossover on seeded simulator ticks, and on bars fed by hand."""

from pathlib import Path

import pytest
from corekit import running

from arbig.config import SimSettings, StrategySettings
from arbig.domain.enums import ActionType, Direction, Offset, TriggerResult
from arbig.engine.bus import EventType
from arbig.engine.strategy.loader import StrategyError, validate_params
from arbig.strategies import MaCrossover

DEMO = {"source": "tick", "fast": 3, "slow": 8}

# A market five times as lively as gold, so that these specifications see several
# signals within a few hundred seeded snapshots.
LIVELY = SimSettings(seed=8, volatility=0.00025)


async def test_tick_crossovers_on_seeded_ticks_trigger_and_trade_within_a_minute(
    tmp_path: Path,
) -> None:
    settings = StrategySettings(name="ma_crossover", params=DEMO, autostart=True)
    async with running(tmp_path, strategy=settings, sim=LIVELY) as rig:
        start = rig.clock.now()
        await rig.tick(120)  # one minute at CTP's cadence
        triggers = list(reversed(await rig.store.triggers("ma_crossover")))
        trades = rig.of(EventType.TRADE)
        published = rig.of(EventType.TRIGGER)
        position = rig.controls.strategy_engine.status()

    assert triggers[0].trigger_time - start < (rig.clock.now() - start) / 4
    assert triggers[0].condition == "fast MA(3) 920.820 crossed below slow MA(8) 920.890"
    assert [t.action for t in triggers[:3]] == [
        ActionType.SELL,  # open short
        ActionType.CLOSE,  # cover it on the cross above ...
        ActionType.BUY,  # ... and go long once the cover has filled
    ]
    assert triggers[2].condition.endswith("(after the close filled)")
    holds = [t for t in triggers if t.action is ActionType.HOLD]
    assert holds and all(
        "orders still working" in t.condition or "already" in t.condition for t in holds
    )
    assert all(t.result is TriggerResult.SUCCESS for t in triggers[:-1])
    assert [trade.order_id for trade in trades] == [i for t in triggers for i in t.order_ids][
        : len(trades)
    ]
    assert {trade.offset for trade in trades} == {Offset.OPEN, Offset.CLOSE_TODAY}
    # the strategy never holds both legs: after every fill one side is flat
    long = short = 0
    for trade in trades:
        sign = -1 if trade.offset is not Offset.OPEN else 1
        if trade.direction is Direction.LONG:
            long += sign * trade.volume
        else:
            short += sign * trade.volume
        assert long == 0 or short == 0
    assert (position.long, position.short) == (long, short)
    # each trigger is published pending, then again when resolved
    assert {t.result for t in published} == {TriggerResult.PENDING, TriggerResult.SUCCESS}


async def test_bar_crossover_buys_when_fast_average_crosses_above(tmp_path: Path) -> None:
    params = {"fast": 2, "slow": 3, "allow_short": False}
    settings = StrategySettings(name="ma_crossover", params=params, autostart=True)
    async with running(tmp_path, strategy=settings) as rig:
        for close in ("921.00", "920.00", "919.00", "918.00", "921.00"):
            rig.bar(close)
        await rig.settle()
        await rig.tick(2)
        triggers = await rig.store.triggers("ma_crossover")
    assert len(triggers) == 1
    assert triggers[0].action is ActionType.BUY
    assert triggers[0].condition == "fast MA(2) 919.500 crossed above slow MA(3) 919.333"
    assert triggers[0].result is TriggerResult.SUCCESS


def test_fast_average_must_be_shorter_than_slow() -> None:
    with pytest.raises(StrategyError, match=r"fast \(20\) must be shorter than slow \(10\)"):
        validate_params(MaCrossover, {"fast": 20, "slow": 10})


def test_unknown_parameters_are_refused_by_name() -> None:
    with pytest.raises(StrategyError, match="speed"):
        validate_params(MaCrossover, {"speed": 3})
