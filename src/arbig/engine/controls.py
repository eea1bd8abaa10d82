"""Risk, the emergency stop and the strategy engine as one set of operator controls.

The runtime builds the three and one ``TradingControls`` over them; the in-process
client (``arbig.host.local``) calls its operations. Each refusal of an operation (a
second strategy, an unknown one, a reset without reason) raises ``ControlRefused``
with a message fit for the operator.
"""

from typing import Any

from arbig.api.errors import ControlRefused
from arbig.api.trading import EmergencyReport, StrategyInfo, StrategyStatus, TradingStatus
from arbig.domain.enums import Direction, TradingState
from arbig.domain.handover import Handover
from arbig.domain.trigger import Trigger
from arbig.engine.emergency import (
    EmergencyStop,
    TradingStateError,
)
from arbig.engine.risk import RiskEngine
from arbig.engine.strategy.engine import StrategyEngine
from arbig.engine.strategy.loader import StrategyError


class TradingControls:
    """Risk (in the core's pre-trade checks), the emergency stop and the strategy engine,
    as the assembly built them."""

    def __init__(
        self, risk: RiskEngine, strategy_engine: StrategyEngine, emergency: EmergencyStop
    ) -> None:
        self.risk = risk
        self.strategy_engine = strategy_engine
        self.emergency = emergency

    async def open(self) -> None:
        """After the core started: restore the trading state, then the strategies."""
        self.risk.sync()
        await self.emergency.load()
        await self.strategy_engine.open()

    async def close(self) -> None:
        """Before the core stops: stop the strategy, keeping it marked as running."""
        await self.strategy_engine.shutdown()

    # --- operations ---------------------------------------------------------------------

    def strategies(self) -> list[StrategyInfo]:
        return self.strategy_engine.catalog()

    def strategy_status(self) -> StrategyStatus:
        return self.strategy_engine.status()

    async def start_strategy(self, name: str) -> StrategyStatus:
        try:
            return await self.strategy_engine.start(name)
        except StrategyError as exc:
            raise ControlRefused(str(exc)) from None

    async def stop_strategy(self) -> StrategyStatus:
        return await self.strategy_engine.stop("operator")

    async def update_params(self, name: str, params: dict[str, Any]) -> tuple[StrategyInfo, str]:
        try:
            return await self.strategy_engine.update_params(name, params)
        except StrategyError as exc:
            raise ControlRefused(str(exc)) from None

    async def hand_over(
        self, name: str | None, symbol: str, direction: Direction, volume: int
    ) -> Handover:
        try:
            return await self.strategy_engine.hand_over(name, symbol, direction, volume)
        except StrategyError as exc:
            raise ControlRefused(str(exc)) from None

    async def triggers(self, name: str | None = None, limit: int = 100) -> list[Trigger]:
        return await self.strategy_engine.triggers(name, limit)

    def trading_status(self) -> TradingStatus:
        return self.emergency.status

    async def set_trading_state(
        self, state: TradingState, reason: str, actor: str
    ) -> TradingStatus:
        try:
            return await self.emergency.set_state(state, reason, actor)
        except TradingStateError as exc:
            raise ControlRefused(str(exc)) from None

    async def emergency_stop(self, reason: str, actor: str, flatten: bool) -> EmergencyReport:
        return await self.emergency.engage(reason, actor, flatten=flatten)

    async def reset_emergency(self, reason: str, actor: str) -> TradingStatus:
        try:
            return await self.emergency.reset(reason, actor)
        except TradingStateError as exc:
            raise ControlRefused(str(exc)) from None
