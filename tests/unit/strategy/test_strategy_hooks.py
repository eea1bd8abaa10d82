"""The runner calls a strategy's order, trade and bar hooks only when the strategy has
its own: the base class's do nothing, and a fill would otherwise pass through a guard
per empty hook. A strategy that has its own hears every event as before."""

from pathlib import Path
from typing import Any

import pytest
from corekit import running
from sample_strategies import Buyer

from arbig.domain.order import Order
from arbig.domain.trade import Trade
from arbig.engine.strategy.runner import StrategyRunner


class ListeningBuyer(Buyer):
    """Buys once, and notes each of its order reports and fills."""

    name = "listening_buyer"

    def on_order(self, order: Order) -> None:
        self.state.setdefault("orders", []).append(str(order.status))

    def on_trade(self, trade: Trade) -> None:
        self.state.setdefault("trades", []).append(trade.volume)


def guarded_hooks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    hooks: list[str] = []
    guard = StrategyRunner.guard

    def noting(self: StrategyRunner, hook: str, *args: Any, **kwargs: Any) -> None:
        hooks.append(hook)
        guard(self, hook, *args, **kwargs)

    monkeypatch.setattr(StrategyRunner, "guard", noting)
    return hooks


async def test_a_strategy_without_its_own_order_and_trade_hooks_is_not_called_for_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooks = guarded_hooks(monkeypatch)
    async with running(tmp_path, strategies={"buyer": Buyer}) as rig:
        await rig.controls.strategy_engine.start("buyer")
        await rig.tick(3)
        await rig.settle()
        assert rig.controls.strategy_engine.status().long == 1
    assert "on_tick" in hooks and "reversal" in hooks  # its fill reached the runner
    assert "on_order" not in hooks and "on_trade" not in hooks


async def test_a_strategy_with_its_own_order_and_trade_hooks_hears_each_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooks = guarded_hooks(monkeypatch)
    async with running(tmp_path, strategies={"listening_buyer": ListeningBuyer}) as rig:
        engine = rig.controls.strategy_engine
        await engine.start("listening_buyer")
        await rig.tick(3)
        await rig.settle()
        runner = engine._runner
        assert runner is not None and runner.strategy is not None
        state = dict(runner.strategy.state)
    assert state["orders"] == ["not_traded", "all_traded"]
    assert state["trades"] == [1]
    assert hooks.count("on_order") == 2 and hooks.count("on_trade") == 1
