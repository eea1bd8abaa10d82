"""The failover tests' strategy (loaded from this file through ``strategy.modules``):
an order on every tick with none working, buying one lot and selling it back, so that
a steady stream of orders and fills crosses every takeover."""

from arbig.domain.tick import Tick
from arbig.engine.strategy.base import Strategy, StrategyParams


class Churn(Strategy[StrategyParams]):
    """Buys one lot when flat, sells it back when long; one order at a time."""

    name = "churn"
    description = "one lot in, one lot out, on every tick with no order working"
    params_model = StrategyParams

    def on_tick(self, tick: Tick) -> None:
        if self.working_orders:
            return
        if self.long:
            self.sell(f"out at {tick.bid_price}")
        else:
            self.buy(f"in at {tick.ask_price}")
