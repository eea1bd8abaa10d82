"""Strategies written for the specifications (imported as ``sample_strategies``)."""

from decimal import Decimal

from arbig.domain.enums import ActionType, Direction, Offset, OrderSource, Side
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


class Flattener(Strategy[StrategyParams]):
    """Closes whatever it holds on every tick: it must never close what it did not open."""

    name = "flattener"
    params_model = StrategyParams

    def on_tick(self, tick: Tick) -> None:
        if not self.working_orders and (self.long or self.short_volume):
            self.close(f"flatten at {tick.last_price}")
        self.state["seen_long"] = self.long


class FlipParams(StrategyParams):
    flip_at: int = 3


class Flipper(Strategy[FlipParams]):
    """Goes short on its first tick, then reverses to long on tick ``flip_at``."""

    name = "flipper"
    params_model = FlipParams

    def on_tick(self, tick: Tick) -> None:
        ticks = self.state["ticks"] = int(self.state.get("ticks", 0)) + 1
        if ticks == 1:
            self.short("first tick: go short")
        elif ticks == self.params.flip_at:
            self.reverse(Direction.LONG, "flip to long")


SAMPLES = {cls.name: cls for cls in (Resting, Exploding, Buyer, Flattener, Flipper)}
