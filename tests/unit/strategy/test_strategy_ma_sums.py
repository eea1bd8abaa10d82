"""The moving-average crossover keeps running sums of its windows: the averages, and so
every cross it acts on, are those of the slices it once summed on every price."""

from collections import deque
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from arbig.domain.enums import Direction
from arbig.strategies.ma_crossover import MaCrossover, MaCrossoverParams, _mean


class Spec:
    price_tick = Decimal("0.02")


class Leg:
    volume = 0


class Context:
    def spec(self) -> Spec:
        return Spec()

    def leg(self, direction: Direction) -> Leg:
        return Leg()

    def working_orders(self) -> list[Any]:
        return []


class Recorded(MaCrossover):
    """Records each cross instead of trading on it."""

    def on_start(self) -> None:
        super().on_start()
        self.crosses: list[tuple[str, Decimal, Decimal, str, str]] = []

    def _cross(self, way: str, fast_ma: Decimal, slow_ma: Decimal, verb: str = "crossed") -> None:
        self.crosses.append((way, fast_ma, slow_ma, f"{fast_ma:.3f} {slow_ma:.3f}", verb))


class Sliced(Recorded):
    """The averages as slices of the window, summed anew on every price."""

    def on_start(self) -> None:
        super().on_start()
        self._window: deque[Decimal] = deque(maxlen=self.params.slow + 1)

    def on_price(self, price: Decimal) -> None:
        self._window.append(price)
        fast, slow = self.params.fast, self.params.slow
        if len(self._window) <= slow:
            return
        prices = list(self._window)
        fast_now, slow_now = _mean(prices[-fast:]), _mean(prices[-slow:])
        if self._side is None:
            then = _mean(prices[-fast - 1 : -1]) - _mean(prices[-slow - 1 : -1])
            self._side = self._side_of(then) or ("below" if then <= 0 else "above")
            if self.params.enter_at_start:
                now = self._side_of(fast_now - slow_now) or self._side
                self._side = now
                self._cross(now, fast_now, slow_now, verb="is")
                return
        side = self._side_of(fast_now - slow_now)
        if side is not None and side != self._side:
            self._side = side
            self._cross(side, fast_now, slow_now)


@settings(max_examples=200, deadline=None)
@given(
    windows=st.tuples(st.integers(1, 6), st.integers(1, 12)),
    band=st.integers(0, 3),
    enter=st.booleans(),
    # prices on a 0.02 tick, with differing exponents (612.3, 612.34, 612)
    steps=st.lists(st.integers(-6, 6), min_size=1, max_size=150),
    exponent=st.sampled_from(["0.01", "0.1", "1"]),
)
def test_running_sums_cross_where_the_sliced_sums_do(
    windows: tuple[int, int], band: int, enter: bool, steps: list[int], exponent: str
) -> None:
    fast, extra = windows
    params = MaCrossoverParams(
        fast=fast, slow=fast + extra, band_ticks=band, enter_at_start=enter, source="bar"
    )
    kept, sliced = Recorded(params, Context(), {}), Sliced(params, Context(), {})  # type: ignore[arg-type]
    kept.on_start()
    sliced.on_start()
    price = Decimal("612.34")
    for step in steps:
        price = (price + Decimal("0.02") * step).quantize(Decimal(exponent))
        kept.on_price(price)
        sliced.on_price(price)
    assert kept.crosses == sliced.crosses
    assert len(steps) <= fast + extra or kept._side == sliced._side
