"""The Donchian breakout on bars built from seeded simulator ticks (10 ticks a bar)."""

from pathlib import Path

import pytest
from corekit import running

from arbig.config import SimSettings, StrategySettings
from arbig.domain.enums import ActionType, Offset, TriggerResult
from arbig.engine.bus import EventType
from arbig.engine.strategy.loader import StrategyError, validate_params
from arbig.strategies import DonchianBreakout

PARAMS = {"window": 5, "exit_window": 3, "stop_loss_ticks": 10}

# A market five times as lively as gold, so that these specifications see several
# signals within a few hundred seeded snapshots.
LIVELY = SimSettings(seed=1, volatility=0.00025)


async def test_breakouts_and_stop_losses_on_seeded_ticks_are_recorded_and_traded(
    tmp_path: Path,
) -> None:
    settings = StrategySettings(name="donchian", params=PARAMS, autostart=True)
    async with running(tmp_path, strategy=settings, sim=LIVELY) as rig:
        await rig.bars_from_ticks(10, 40)
        triggers = list(reversed(await rig.store.triggers("donchian")))
        trades = rig.of(EventType.TRADE)

    assert [t.action for t in triggers[:4]] == [
        ActionType.SELL,
        ActionType.CLOSE,
        ActionType.BUY,
        ActionType.CLOSE,
    ]
    assert triggers[0].condition == "close 917.16 broke below the 5-bar low 917.44"
    assert triggers[1].condition.startswith("stop-loss: close 918.22")
    assert triggers[2].condition == "close 918.44 broke above the 5-bar high 918.22"
    assert triggers[3].condition.startswith("stop-loss: close 917.48")
    assert all(t.result is TriggerResult.SUCCESS for t in triggers)
    ordered = [order_id for t in triggers for order_id in t.order_ids]
    assert [trade.order_id for trade in trades] == ordered
    assert [trade.offset for trade in trades[:2]] == [Offset.OPEN, Offset.CLOSE_TODAY]


async def test_entry_price_is_kept_in_the_strategy_state(tmp_path: Path) -> None:
    settings = StrategySettings(name="donchian", params=PARAMS, autostart=True)
    async with running(tmp_path, strategy=settings, sim=LIVELY) as rig:
        await rig.bars_from_ticks(10, 7)  # the first breakout fills at 917.44
        await rig.controls.strategy_engine.stop()
        stored = {c.name: c for c in await rig.store.load_configs()}["donchian"]
    assert stored.state == {"entry": "917.44"}


def test_window_must_be_at_least_two_bars() -> None:
    with pytest.raises(StrategyError, match="window"):
        validate_params(DonchianBreakout, {"window": 1})
