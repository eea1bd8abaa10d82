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


class BarLoader(Strategy[StrategyParams]):
    """Says at its start how many bars ``load_bars`` gave and when the last began."""

    name = "bar_loader"
    description = "reports load_bars at start (tests)"

    def on_start(self) -> None:
        loaded = self.load_bars(30)
        last = loaded[-1].start.isoformat() if loaded else "none"
        self.hold(f"loaded {len(loaded)} bars, bars {len(self.bars)}, last {last}")
