"""The strategy API: subclass ``Strategy``, declare typed parameters, react in hooks.

A strategy reads the market and its book through the context the engine gives
it, and acts through ``buy``, ``sell``, ``short``, ``cover``, ``close`` and
``hold``. Each of those is a *trigger*: a decision with the condition in words,
recorded before any order leaves. Hooks run on the event loop and must return
quickly; an exception in one stops the strategy (see docs/strategies.md).
"""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from arbig.domain.account import AccountBook
from arbig.domain.bar import Bar
from arbig.domain.contract import ContractSpec
from arbig.domain.enums import ActionType, Direction, Offset, OrderSource, Side
from arbig.domain.order import Order, OrderRequest
from arbig.domain.position import PositionLeg
from arbig.domain.tick import Tick
from arbig.domain.trade import Trade
from arbig.domain.trigger import Trigger
from arbig.engine.strategy.orders import PlanError, close_requests, marketable_price


class StrategyParams(BaseModel):
    """Parameters every strategy has. Subclass it to add your own, with pydantic limits."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    symbol: str | None = Field(None, description="contract to trade; the main contract if unset")
    volume: int = Field(1, gt=0, le=100, description="lots per entry")
    order_timeout_s: float = Field(
        30.0, gt=0, le=3600, description="cancel an order still working after this long"
    )


P = TypeVar("P", bound=StrategyParams)


class StrategyContext(Protocol):
    """What the engine lends a running strategy."""

    @property
    def symbol(self) -> str: ...

    @property
    def slippage_ticks(self) -> int: ...

    def spec(self) -> ContractSpec: ...

    def last_tick(self) -> Tick | None: ...

    def leg(self, direction: Direction) -> PositionLeg: ...

    def account(self) -> AccountBook: ...

    def bars(self) -> Sequence[Bar]: ...

    def load_bars(self, count: int) -> Sequence[Bar]: ...

    def working_orders(self) -> list[Order]: ...

    def submit(
        self,
        action: ActionType,
        condition: str,
        price: Decimal | None,
        requests: list[OrderRequest],
        error: str | None = None,
    ) -> Trigger: ...


class Strategy(Generic[P]):
    """Base class of every strategy. Set ``name``, ``description`` and ``params_model``.

    ``self.state`` is a JSON-able dict kept across restarts: put in it what the
    strategy must remember (an entry price, a stop level), not what it can rebuild.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    params_model: ClassVar[type[StrategyParams]] = StrategyParams

    def __init__(self, params: P, context: StrategyContext, state: dict[str, Any]) -> None:
        self.params = params
        self.ctx = context
        self.state = state

    # --- hooks: override what you need --------------------------------------------

    def on_start(self) -> None:
        """Called once when the strategy starts, before any market event."""

    def on_stop(self) -> None:
        """Called once when it stops (operator, emergency stop, error elsewhere)."""

    def on_tick(self, tick: Tick) -> None:
        """Every quote of the strategy's contract (two a second on CTP)."""

    def on_bar(self, bar: Bar) -> None:
        """Every finished 1-minute bar of the strategy's contract."""

    def on_order(self, order: Order) -> None:
        """A change of one of the strategy's own orders."""

    def on_trade(self, trade: Trade) -> None:
        """A fill of one of the strategy's own orders."""

    # --- what the strategy can read ------------------------------------------------

    @property
    def symbol(self) -> str:
        return self.ctx.symbol

    @property
    def long(self) -> int:
        """Lots held long by this strategy: the net of its own fills, never the operator's."""
        return self.ctx.leg(Direction.LONG).volume

    @property
    def short_volume(self) -> int:
        """Lots held short by this strategy."""
        return self.ctx.leg(Direction.SHORT).volume

    @property
    def net_position(self) -> int:
        """Long minus short lots of this strategy (vn.py's ``pos``)."""
        return self.long - self.short_volume

    @property
    def account(self) -> AccountBook:
        return self.ctx.account()

    @property
    def bars(self) -> Sequence[Bar]:
        """Recent finished bars, oldest first."""
        return self.ctx.bars()

    def load_bars(self, count: int) -> Sequence[Bar]:
        """The last ``count`` finished 1-minute bars before the strategy started, oldest
        first: from the bar store live, from the catalog in a backtest. Called in
        ``on_start``, they also become the first of ``self.bars``, so a channel or an
        average is whole from the first bar after the start (vn.py's ``load_bar``)."""
        return self.ctx.load_bars(count)

    @property
    def last_tick(self) -> Tick | None:
        return self.ctx.last_tick()

    @property
    def working_orders(self) -> list[Order]:
        """This strategy's orders still working at the exchange."""
        return self.ctx.working_orders()

    # --- what the strategy can do: each call is one trigger --------------------------

    def buy(self, condition: str, volume: int | None = None) -> Trigger:
        """Open (or add to) a long position."""
        return self._open(ActionType.BUY, Side.BUY, condition, volume)

    def short(self, condition: str, volume: int | None = None) -> Trigger:
        """Open (or add to) a short position."""
        return self._open(ActionType.SELL, Side.SELL, condition, volume)

    def sell(self, condition: str, volume: int | None = None) -> Trigger:
        """Close long lots (all by default), today's and yesterday's with their own offsets."""
        return self._close(condition, (Direction.LONG,), volume)

    def cover(self, condition: str, volume: int | None = None) -> Trigger:
        """Close short lots (all by default)."""
        return self._close(condition, (Direction.SHORT,), volume)

    def close(self, condition: str) -> Trigger:
        """Close everything the strategy's contract holds, long and short."""
        return self._close(condition, (Direction.LONG, Direction.SHORT), None)

    def reverse(self, direction: Direction, condition: str, volume: int | None = None) -> Trigger:
        """Hold ``direction``: close the opposite leg first, then open once that close has
        filled (``continue_reversal``). A strategy never holds long and short at once: if
        the close is refused or only partly fills, the open is not sent."""
        opposite = Direction.SHORT if direction is Direction.LONG else Direction.LONG
        if self.ctx.leg(opposite).volume or self._opening(opposite):
            tick = self.ctx.last_tick()
            self.state["reversal"] = {
                "direction": str(direction),
                "condition": condition,
                "volume": volume,
                "since": tick.datetime.isoformat() if tick is not None else None,
            }
            if not self.ctx.leg(opposite).volume:  # only opens working: they finish first
                return self.hold(f"{condition}; waiting for the {opposite} orders working")
            return self._close(condition, (opposite,), None)
        self.state.pop("reversal", None)
        if self.ctx.leg(direction).volume:
            return self.hold(f"{condition}; already {direction}")
        side = Side.BUY if direction is Direction.LONG else Side.SELL
        action = ActionType.BUY if direction is Direction.LONG else ActionType.SELL
        return self._open(action, side, condition, volume)

    def continue_reversal(self) -> None:
        """Send the open of a pending ``reverse`` once the opposite leg is flat and nothing
        works; a reversal still waiting after ``order_timeout_s`` is given up (the engine
        calls this after the strategy's orders finish and its fills arrive)."""
        pending = self.state.get("reversal")
        if not pending or self.ctx.working_orders():
            return
        direction = Direction(pending["direction"])
        opposite = Direction.SHORT if direction is Direction.LONG else Direction.LONG
        if self.ctx.leg(opposite).volume == 0 and not self._opening(opposite):
            self.reverse(direction, f"{pending['condition']} (after the close filled)",
                         pending["volume"])  # fmt: skip
            return
        tick = self.ctx.last_tick()
        since = pending.get("since")
        if tick is not None and since is not None:
            waited = (tick.datetime - datetime.fromisoformat(since)).total_seconds()
            if waited >= self.params.order_timeout_s:
                del self.state["reversal"]
                self.hold(
                    f"reversal to {direction} given up: {self.ctx.leg(opposite).volume} "
                    f"{opposite} still held after {waited:.0f}s"
                )

    def hold(self, condition: str) -> Trigger:
        """Record a decision not to act (a signal seen while already positioned)."""
        return self.ctx.submit(ActionType.HOLD, condition, self._seen_price(), [])

    # --- internals ---------------------------------------------------------------------

    def _opening(self, direction: Direction) -> int:
        """Lots of the strategy's working orders that would open ``direction``."""
        return sum(
            order.remaining
            for order in self.ctx.working_orders()
            if order.offset is Offset.OPEN and order.direction is direction
        )

    def _seen_price(self) -> Decimal | None:
        tick = self.ctx.last_tick()
        return tick.last_price if tick is not None else None

    def _open(self, action: ActionType, side: Side, condition: str, volume: int | None) -> Trigger:
        tick = self.ctx.last_tick()
        if tick is None:
            return self.ctx.submit(action, condition, None, [], error="no quote yet")
        opposite = Direction.SHORT if side is Side.BUY else Direction.LONG
        held = self.ctx.leg(opposite).volume + self._opening(opposite)
        if held:
            return self.ctx.submit(
                action,
                condition,
                tick.last_price,
                [],
                error=(
                    f"the strategy holds or is opening {held} {opposite}: it never holds "
                    "both legs; close them first (reverse() does both in turn)"
                ),
            )
        spec = self.ctx.spec()
        request = OrderRequest(
            symbol=self.symbol,
            exchange=spec.exchange,
            side=side,
            offset=Offset.OPEN,
            price=marketable_price(spec, tick, side, self.ctx.slippage_ticks),
            volume=volume or self.params.volume,
            source=OrderSource.STRATEGY,
            reference=self.name,
        )
        return self.ctx.submit(action, condition, tick.last_price, [request])

    def _close(
        self, condition: str, directions: tuple[Direction, ...], volume: int | None
    ) -> Trigger:
        tick = self.ctx.last_tick()
        if tick is None:
            return self.ctx.submit(ActionType.CLOSE, condition, None, [], error="no quote yet")
        requests: list[OrderRequest] = []
        try:
            for direction in directions:
                requests += close_requests(
                    self.ctx.spec(),
                    self.ctx.leg(direction),
                    tick,
                    self.ctx.working_orders(),
                    volume=volume,
                    ticks_through=self.ctx.slippage_ticks,
                    source=OrderSource.STRATEGY,
                    reference=self.name,
                )
        except PlanError as exc:
            return self.ctx.submit(ActionType.CLOSE, condition, tick.last_price, [], str(exc))
        error = None if requests else "nothing held to close"
        return self.ctx.submit(ActionType.CLOSE, condition, tick.last_price, requests, error)
