"""The strategy engine and the API strategies are written against (docs/strategies.md)."""

from arbig.engine.strategy.base import Strategy, StrategyContext, StrategyParams
from arbig.engine.strategy.loader import StrategyError

__all__ = ["Strategy", "StrategyContext", "StrategyError", "StrategyParams"]
