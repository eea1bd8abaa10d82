"""The demo configuration (config/demo.toml) on the simulated market, on a stepped
clock at the demo's pace: it triggers within the first minute, trades a handful of
times in five minutes, and never runs into its own risk limits."""

from pathlib import Path

import pytest
from corekit import running

from arbig.config import SimSettings, load_settings
from arbig.domain.enums import OrderStatus, TriggerResult
from arbig.engine.bus import EventType

DEMO = load_settings(Path(__file__).parents[3] / "config" / "demo.toml")


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_demo_trades_a_handful_of_times_without_hitting_its_limits(
    tmp_path: Path, seed: int
) -> None:
    sim = SimSettings(seed=seed, speed=DEMO.sim.speed)
    interval = sim.tick_interval_ms / sim.speed / 1000
    name = DEMO.strategy.name
    assert name is not None
    async with running(tmp_path, strategy=DEMO.strategy, sim=sim, risk=DEMO.risk) as rig:
        start = rig.clock.now()
        for _ in range(int(5 * 60 / interval)):
            rig.gateway.step(rig.clock.advance(interval))
            await rig.settle()
        triggers = list(reversed(await rig.store.triggers(name)))
        trades = rig.of(EventType.TRADE)
        refused = [o for o in rig.of(EventType.ORDER) if o.status is OrderStatus.REJECTED]
    assert triggers and (triggers[0].trigger_time - start).total_seconds() < 60
    assert 3 <= len(trades) <= 15
    assert [t for t in triggers if t.result is TriggerResult.FAILED] == []
    assert refused == []
