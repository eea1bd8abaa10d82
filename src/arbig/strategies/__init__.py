"""The strategies shipped with ARBIG (docs/strategies.md describes each one)."""

from typing import Any

from arbig.engine.strategy.base import Strategy
from arbig.strategies.donchian import DonchianBreakout
from arbig.strategies.ma_crossover import MaCrossover

BUILTINS: tuple[type[Strategy[Any]], ...] = (MaCrossover, DonchianBreakout)

__all__ = ["BUILTINS", "DonchianBreakout", "MaCrossover"]
