"""Assembly of risk, the emergency stop and the strategy engine around one core.

The runtime builds one ``TradingControls``; the in-process client
(``arbig.host.local``) calls its operations. Each refusal of an operation (a second
strategy, an unknown one, a reset without reason) raises ``ControlRefused`` with a
message fit for the operator.
"""

from typing import Any

from arbig.api.errors import ControlRefused
from arbig.api.trading import EmergencyReport, StrategyInfo, StrategyStatus, TradingStatus
from arbig.clock import Clock
from arbig.config import Settings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.enums import TradingState
from arbig.domain.trigger import Trigger
from arbig.engine.core import TradingCore
from arbig.engine.emergency import (
    EmergencyStop,
    TradingStateError,
)
from arbig.engine.ports import StateStore
from arbig.engine.risk import RiskEngine
from arbig.engine.strategy.engine import StrategyEngine
from arbig.engine.strategy.loader import StrategyClass, StrategyError, registry
from arbig.engine.strategy.store import StrategyStore


class TradingControls:
    """Risk (in the core's pre-trade checks), the emergency stop and the strategy engine."""

    def __init__(
        self,
        core: TradingCore,
        settings: Settings,
        store: StrategyStore,
        state: StateStore,
        calendar: TradingCalendar,
        *,
        strategies: dict[str, StrategyClass] | None = None,
        clock: Clock,
    ) -> None:
        check_sessions = settings.risk.check_sessions
        if check_sessions is None:  # follow the gateway: the demo sim trades around the clock
            check_sessions = not settings.sim.ignore_sessions
        self.risk = RiskEngine(
            core, settings.risk, calendar, check_sessions=check_sessions, clock=clock
        )
        core.pre_trade_checks.append(self.risk)
        self.strategy_engine = StrategyEngine(
            core,
            store,
            calendar,
            settings.strategy,
            strategies if strategies is not None else registry(settings.strategy.modules),
            can_start=self._start_refusal,
            clock=clock,
        )
        self.emergency = EmergencyStop(
            core,
            self.risk,
            self.strategy_engine,
            state,
            slippage_ticks=settings.strategy.slippage_ticks,
            clock=clock,
        )

    def _start_refusal(self) -> str | None:
        status = self.emergency.status
        if status.emergency:
            return "the emergency stop is engaged: reset it (with a reason) before starting"
        if status.state is not TradingState.ACTIVE:
            return f"trading is {status.state}: a strategy starts only when trading is active"
        return None

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
