"""Moving-average crossover: long when the fast average crosses above the slow one,
short (or flat) when it crosses below."""

from collections import deque
from decimal import Decimal
from typing import Literal, Self

from pydantic import Field, model_validator

from arbig.domain.bar import Bar
from arbig.domain.enums import Direction
from arbig.domain.tick import Tick
from arbig.engine.strategy.base import Strategy, StrategyParams


class MaCrossoverParams(StrategyParams):
    """``fast`` and ``slow`` count prices: closes of 1-minute bars, or every ``every``-th
    tick's last price with ``source = "tick"`` (the demo: a signal within a minute)."""

    fast: int = Field(5, ge=1, le=500, description="prices in the fast average")
    slow: int = Field(20, ge=2, le=2000, description="prices in the slow average")
    source: Literal["bar", "tick"] = Field("bar", description="1-minute bars or ticks")
    every: int = Field(1, ge=1, le=1000, description="with ticks: use one tick in this many")
    allow_short: bool = Field(True, description="go short on a cross below (else only flat)")
    band_ticks: int = Field(
        0, ge=0, le=1000, description="a cross counts once the averages are this many ticks apart"
    )
    enter_at_start: bool = Field(
        False, description="once the averages exist, take the side they show (the demo)"
    )

    @model_validator(mode="after")
    def _fast_below_slow(self) -> Self:
        if self.fast >= self.slow:
            raise ValueError(f"fast ({self.fast}) must be shorter than slow ({self.slow})")
        return self


class MaCrossover(Strategy[MaCrossoverParams]):
    """Stays with the trend the two averages show; reverses at each cross."""

    name = "ma_crossover"
    description = "Moving-average crossover: long above, short below (1-minute bars or ticks)"
    params_model = MaCrossoverParams

    def on_start(self) -> None:
        self._prices: deque[Decimal] = deque(maxlen=self.params.slow + 1)
        # The sums of the last ``fast`` and ``slow`` prices, kept as prices come: Decimal
        # sums are exact, so they equal the sums of the slices, without the slicing.
        self._fast_sum = self._slow_sum = Decimal(0)
        self._ticks = 0
        self._side: str | None = None
        # The band in price, asked on every price: the contract's tick does not change.
        self._band = self.ctx.spec().price_tick * self.params.band_ticks

    def on_tick(self, tick: Tick) -> None:
        if self.params.source != "tick":
            return
        self._ticks += 1
        if (self._ticks - 1) % self.params.every == 0:
            self.on_price(tick.last_price)

    def on_bar(self, bar: Bar) -> None:
        if self.params.source == "bar":
            self.on_price(bar.close)

    def on_price(self, price: Decimal) -> None:
        """One more price in the averages; acts on a cross."""
        prices = self._prices
        fast, slow = self.params.fast, self.params.slow
        held = len(prices)
        self._fast_sum += price - prices[-fast] if held >= fast else price
        self._slow_sum += price - prices[-slow] if held >= slow else price
        prices.append(price)
        if held < slow:
            return
        fast_now, slow_now = self._fast_sum / fast, self._slow_sum / slow
        if self._side is None:  # where the averages stood one price earlier
            before = list(prices)
            then = _mean(before[-fast - 1 : -1]) - _mean(before[-slow - 1 : -1])
            self._side = self._side_of(then) or ("below" if then <= 0 else "above")
            if self.params.enter_at_start and not (self.long or self.short_volume):
                now = self._side_of(fast_now - slow_now) or self._side
                self._side = now
                self._cross(now, fast_now, slow_now, verb="is")
                return
        side = self._side_of(fast_now - slow_now)
        if side is not None and side != self._side:
            self._side = side
            self._cross(side, fast_now, slow_now)

    def _side_of(self, gap: Decimal) -> str | None:
        """ "above" or "below" once the gap clears the band (strictly), else None."""
        band = self._band
        if gap > band:
            return "above"
        if gap < -band:
            return "below"
        return None

    def _cross(self, way: str, fast_ma: Decimal, slow_ma: Decimal, verb: str = "crossed") -> None:
        p = self.params
        said = f"fast MA({p.fast}) {fast_ma:.3f} {verb} {way} slow MA({p.slow}) {slow_ma:.3f}"
        self.state["last_cross"] = way
        if self.working_orders:
            pending = self.state.get("reversal")
            wanted = "long" if way == "above" else "short"
            if pending and pending["direction"] != wanted:
                del self.state["reversal"]  # the close goes on; the open it led to no longer
                self.hold(
                    f"{said}; orders still working, reversal to {pending['direction']} dropped"
                )
            else:
                self.hold(f"{said}; orders still working")
            return
        if way == "above":
            self.reverse(Direction.LONG, said)
        elif p.allow_short:
            self.reverse(Direction.SHORT, said)
        elif self.long:
            self.sell(said)


def _mean(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)
