"""Strategies for the backtester's tests (loaded as a strategy module by path)."""

from datetime import time

from arbig.domain.calendar import to_exchange_time
from arbig.domain.tick import Tick
from arbig.engine.strategy.base import Strategy, StrategyParams


class LateBuyer(Strategy[StrategyParams]):
    """Buys once on each trading day's first tick after 14:59:30, the session's last
    half minute: with a minute's latency the order is still working at the close."""

    name = "late_buyer"
    description = "buys in the day session's last half minute (tests)"

    def on_tick(self, tick: Tick) -> None:
        at = to_exchange_time(tick.datetime).time()
        if time(14, 59, 30) <= at <= time(15) and self.state.get("day") != str(tick.trading_day):
            self.state["day"] = str(tick.trading_day)
            self.buy("the session's last half minute")
