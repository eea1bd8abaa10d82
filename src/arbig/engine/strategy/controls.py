"""Assembly of risk, the emergency stop and the strategy engine around one core.

The runtime builds one ``TradingControls``; the core client reaches strategies
and the trading state through it.
"""

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from arbig.config import Settings
from arbig.domain.calendar import TradingCalendar
from arbig.domain.enums import TradingState
from arbig.engine.core import TradingCore, utcnow
from arbig.engine.emergency import STATE_FILE_NAME, EmergencyStop
from arbig.engine.risk import RiskEngine
from arbig.engine.strategy.engine import StrategyEngine
from arbig.engine.strategy.loader import StrategyClass, registry
from arbig.engine.strategy.store import StrategyStore


class TradingControls:
    """Risk (in the core's pre-trade checks), the emergency stop and the strategy engine."""

    def __init__(
        self,
        core: TradingCore,
        settings: Settings,
        store: StrategyStore,
        calendar: TradingCalendar,
        *,
        strategies: dict[str, StrategyClass] | None = None,
        state_path: Path | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        check_sessions = settings.risk.check_sessions
        if check_sessions is None:  # follow the gateway: the demo sim trades around the clock
            check_sessions = not settings.sim.ignore_sessions
        self.risk = RiskEngine(
            core, settings.risk, calendar, check_sessions=check_sessions, clock=clock
        )
        core.pre_trade_checks.append(self.risk)
        self.strategies = StrategyEngine(
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
            self.strategies,
            state_path or settings.data_dir / STATE_FILE_NAME,
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
        self.emergency.load()
        await self.strategies.open()

    async def close(self) -> None:
        """Before the core stops: stop the strategy, keeping it marked as running."""
        await self.strategies.shutdown()
