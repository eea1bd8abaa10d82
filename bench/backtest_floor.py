"""The strategy's own share of a backtest: the floor no kernel can go below.

``bench_backtest.py --floor`` runs the strategy classes on the bench's ticks with a
context that fills every order at once at its price and does nothing else: no clock,
no timers, no hygiene, no bars, no risk rules, no matching engine, no margin or
commission, no events, no trigger store. What the strategy spends there (its
averages, its decisions, the trigger and order requests it builds, the position legs
it reads) it spends in any backtester built on the same strategy classes; what is
left of a goal's time per tick is all the kernel may take.

Two strategies: ``ma_crossover`` itself (the backtest's, Decimal prices as live), and
``LeanMa``, the same decision written as vn.py's bench writes it (floats, a list
slice) on ARBIG's strategy API, calling ``reverse`` at a cross.
"""

import time
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from arbig.domain.account import AccountBook
from arbig.domain.bar import Bar
from arbig.domain.contract import ContractSpec
from arbig.domain.enums import ActionType, Direction, Offset
from arbig.domain.order import Order, OrderRequest
from arbig.domain.position import PositionLeg
from arbig.domain.tick import Tick
from arbig.domain.trigger import Trigger
from arbig.engine.strategy.base import Strategy, StrategyParams
from arbig.strategies.ma_crossover import MaCrossover, MaCrossoverParams


class InstantFills:
    """A strategy context whose every order fills at once, at its price, in full."""

    slippage_ticks = 0

    def __init__(self, spec: ContractSpec) -> None:
        self._spec = spec
        self.symbol = spec.symbol
        self.last: Tick | None = None
        self.legs = {d: PositionLeg(spec.symbol, d) for d in Direction}
        self.triggers = 0
        self.fills = 0
        self.strategy: Strategy[Any] | None = None

    def spec(self) -> ContractSpec:
        return self._spec

    def last_tick(self) -> Tick | None:
        return self.last

    def leg(self, direction: Direction) -> PositionLeg:
        return self.legs[direction]

    def account(self) -> AccountBook:  # pragma: no cover - the bench's strategies never ask
        raise NotImplementedError

    def bars(self) -> Sequence[Bar]:
        return ()

    def load_bars(self, count: int) -> Sequence[Bar]:
        return ()

    def working_orders(self) -> list[Order]:
        return []

    def submit(
        self,
        action: ActionType,
        condition: str,
        price: Decimal | None,
        requests: list[OrderRequest],
        error: str | None = None,
    ) -> Trigger:
        at = self.last.datetime if self.last is not None else None
        assert at is not None
        trigger = Trigger(self.symbol, self.symbol, date.today(), at, condition, price, action)
        self.triggers += 1
        for request in requests:
            leg = self.legs[request.direction]
            if request.offset is Offset.OPEN:
                leg.open(request.price, request.volume)
            else:
                leg.close(request.offset, request.price, request.volume, self._spec.multiplier)
            self.fills += 1
        if requests and self.strategy is not None:
            self.strategy.continue_reversal()  # the engine calls it once a close has filled
        return trigger


class LeanMa(Strategy[StrategyParams]):
    """SMA 5 vs SMA 20 of last prices in floats, long above, short below, one lot."""

    name = "lean_ma"

    def on_start(self) -> None:
        self.prices: list[float] = []
        self.side = 0

    def on_tick(self, tick: Tick) -> None:
        prices = self.prices
        prices.append(float(tick.last_price))
        if len(prices) <= 20:
            return
        del prices[0]
        fast = sum(prices[-5:]) / 5
        slow = sum(prices) / 20
        side = 1 if fast > slow else -1 if fast < slow else self.side
        if side != self.side:
            self.side = side
            self.reverse(Direction.LONG if side > 0 else Direction.SHORT, "averages crossed")


def strategy_alone(
    spec: ContractSpec, ticks: list[Tick], lean: bool, repeat: int
) -> tuple[float, int, int]:
    """Best seconds over ``repeat`` runs, with the triggers and fills of one run."""
    best = float("inf")
    triggers = fills = 0
    for _ in range(repeat):
        ctx = InstantFills(spec)
        strategy: Strategy[Any]
        if lean:
            strategy = LeanMa(StrategyParams(), ctx, {})
        else:
            params = MaCrossoverParams(source="tick", fast=5, slow=20)
            strategy = MaCrossover(params, ctx, {})
        ctx.strategy = strategy
        strategy.on_start()
        on_tick = strategy.on_tick
        began = time.perf_counter()
        for tick in ticks:
            ctx.last = tick
            on_tick(tick)
        best = min(best, time.perf_counter() - began)
        triggers, fills = ctx.triggers, ctx.fills
    return best, triggers, fills
