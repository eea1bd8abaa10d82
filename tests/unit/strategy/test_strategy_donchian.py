"""The Donchian breakout on bars built from seeded simulator ticks (10 ticks a bar)."""

from pathlib import Path

import pytest
from corekit import running

from arbig.config import StrategySettings
from arbig.domain.enums import ActionType, Offset, TriggerResult
from arbig.engine.bus import EventType
from arbig.engine.strategy.loader import StrategyError, validate_params
from arbig.strategies import DonchianBreakout

PARAMS = {"window": 5, "exit_window": 3, "stop_loss_ticks": 10}


async def test_breakouts_and_stop_losses_on_seeded_ticks_are_recorded_and_traded(
    tmp_path: Path,
) -> None:
    settings = StrategySettings(name="donchian", params=PARAMS, autostart=True)
    async with running(tmp_path, strategy=settings) as rig:
        await rig.bars_from_ticks(10, 40)
        triggers = list(reversed(await rig.store.triggers("donchian")))
        trades = rig.of(EventType.TRADE)

    assert [t.action for t in triggers[:4]] == [
        ActionType.BUY,
        ActionType.CLOSE,
        ActionType.SELL,
        ActionType.CLOSE,
    ]
    assert triggers[0].condition == "close 922.62 broke above the 5-bar high 922.18"
    assert triggers[1].condition.startswith("stop-loss: close 922.08")
    assert triggers[2].condition == "close 921.34 broke below the 5-bar low 921.86"
    assert triggers[3].condition == "close 921.40 rose above the 3-bar high 921.06"
    assert all(t.result is TriggerResult.SUCCESS for t in triggers)
    ordered = [order_id for t in triggers for order_id in t.order_ids]
    assert [trade.order_id for trade in trades] == ordered
    assert [trade.offset for trade in trades[:2]] == [Offset.OPEN, Offset.CLOSE_TODAY]


async def test_entry_price_is_kept_in_the_strategy_state(tmp_path: Path) -> None:
    settings = StrategySettings(name="donchian", params=PARAMS, autostart=True)
    async with running(tmp_path, strategy=settings) as rig:
        await rig.bars_from_ticks(10, 14)  # the first breakout fills at 922.52
        await rig.controls.strategy_engine.stop()
        stored = {c.name: c for c in await rig.store.load_configs()}["donchian"]
    assert stored.state == {"entry": "922.52"}


def test_window_must_be_at_least_two_bars() -> None:
    with pytest.raises(StrategyError, match="window"):
        validate_params(DonchianBreakout, {"window": 1})
