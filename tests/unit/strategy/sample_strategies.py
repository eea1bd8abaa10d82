"""Strategies written for the specifications (imported as ``sample_strategies``)."""

from decimal import Decimal

from arbig.domain.enums import ActionType, Offset, OrderSource, Side
from arbig.domain.order import OrderRequest
from arbig.domain.tick import Tick
from arbig.engine.strategy.base import Strategy, StrategyParams


class Resting(Strategy[StrategyParams]):
    """Each tick, bids one lot well below the market: the orders rest and keep working."""

    name = "resting"
    params_model = StrategyParams

    def on_tick(self, tick: Tick) -> None:
        self.state["ticks"] = int(self.state.get("ticks", 0)) + 1
        price = self.ctx.spec().snap_down(tick.bid_price - Decimal("0.40"))
        request = OrderRequest(
            symbol=self.symbol,
            exchange=tick.exchange,
            side=Side.BUY,
            offset=Offset.OPEN,
            price=price - Decimal("0.02") * (self.state["ticks"] % 5),
            volume=1,
            source=OrderSource.STRATEGY,
            reference=self.name,
        )
        self.ctx.submit(
            ActionType.BUY, f"tick {self.state['ticks']}: bid {price}", price, [request]
        )


class Exploding(Resting):
    """Rests one order, then raises on the third tick."""

    name = "exploding"

    def on_tick(self, tick: Tick) -> None:
        if self.state.get("ticks", 0) >= 2:
            raise RuntimeError("division by zero in my indicator")
        super().on_tick(tick)


class Buyer(Strategy[StrategyParams]):
    """Buys once on the first tick, through the market."""

    name = "buyer"
    params_model = StrategyParams

    def on_tick(self, tick: Tick) -> None:
        if not self.state.get("bought"):
            self.state["bought"] = True
            self.buy(f"first tick at {tick.last_price}")


SAMPLES = {cls.name: cls for cls in (Resting, Exploding, Buyer)}
