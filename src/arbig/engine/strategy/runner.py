"""One running strategy: its context, and its hooks behind a guard.

Hooks run synchronously inside the bus dispatch. What they decide (a trigger and
its order requests) goes on the strategy's ``JobLine``, which writes the trigger
and sends its orders (``triggers.py``) as soon as the event has reached every
handler, when nothing is queued ahead: a hook never sees its own orders leave
while it still runs, and every subscriber sees the tick before the trigger it caused.
"""

import asyncio
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

import structlog

from arbig.domain.account import AccountBook
from arbig.domain.bar import Bar
from arbig.domain.calendar import TradingCalendar
from arbig.domain.contract import ContractSpec
from arbig.domain.enums import ActionType, Direction
from arbig.domain.order import Order, OrderRequest
from arbig.domain.position import PositionLeg
from arbig.domain.tick import Tick
from arbig.domain.trade import Trade
from arbig.domain.trigger import Trigger
from arbig.engine.book import CorePorts
from arbig.engine.bus import EventType
from arbig.engine.strategy.base import Strategy
from arbig.engine.strategy.jobs import JobLine
from arbig.engine.strategy.store import StrategyStore
from arbig.engine.strategy.triggers import TriggerDesk

log = structlog.get_logger(__name__)

BARS_KEPT = 500


class StrategyRunner:
    """Runs ``strategy`` against ``core``; ``on_failure`` hears of an exception in a hook."""

    def __init__(
        self,
        core: CorePorts,
        store: StrategyStore,
        calendar: TradingCalendar,
        symbol: str,
        *,
        slippage_ticks: int,
        on_failure: Callable[[str], None],
        clock: Callable[[], datetime],
        decision_max_age_s: float = 2.0,
    ) -> None:
        self._core = core
        self.strategy: Strategy[Any] | None = None
        self.running = False
        self.closed = False
        self._store = store
        self._calendar = calendar
        self._symbol = symbol
        self._slippage = slippage_ticks
        self._on_failure = on_failure
        self._clock = clock
        self._bars: deque[Bar] = deque(maxlen=BARS_KEPT)
        self._history: tuple[Bar, ...] = ()
        self._last: Tick | None = None
        self._expiring: set[str] = set()
        self._desk = TriggerDesk(
            core, store, lambda: self.running, clock=clock, max_age_s=decision_max_age_s
        )
        self._jobs = JobLine("")
        self._orders = self._desk.orders
        self._worker: asyncio.Task[None] | None = None
        self._run_due = False
        self._hooks_running = 0
        # Whether the strategy does anything in on_order / on_trade / on_bar: the base
        # class's do nothing, and a no-op hook need not be called (through its guard).
        self._hears: frozenset[str] = frozenset()
        self.name = ""

    # --- StrategyContext ------------------------------------------------------------

    @property
    def symbol(self) -> str:
        return self._symbol

    @property
    def slippage_ticks(self) -> int:
        return self._slippage

    def spec(self) -> ContractSpec:
        return self._core.book.spec(self._symbol)

    def last_tick(self) -> Tick | None:
        return self._last

    def leg(self, direction: Direction) -> PositionLeg:
        """The strategy's own lots: the net of its own fills, never the operator's."""
        return self._core.book.owned_leg(self.name, self._symbol, direction)

    def account(self) -> AccountBook:
        return self._core.book.account

    def bars(self) -> Sequence[Bar]:
        return tuple(self._bars)

    def load_bars(self, count: int) -> Sequence[Bar]:
        loaded = tuple(self._history[-count:]) if count > 0 else ()
        if not self._bars:  # before the first bar since the start: they lead the bars
            self._bars.extend(loaded)
        return loaded

    def working_orders(self) -> list[Order]:
        live = self._desk.live
        if not live:  # asked several times per fill, mostly once the orders ended
            return []
        book = self._core.book
        orders = (book.order(i) for i in live)
        return [o for o in orders if o is not None and o.is_active]

    def submit(
        self,
        action: ActionType,
        condition: str,
        price: Decimal | None,
        requests: list[OrderRequest],
        error: str | None = None,
    ) -> Trigger:
        now = self._clock()
        trigger = Trigger(
            strategy_name=self.name,
            symbol=self._symbol,
            trading_day=self._calendar.trading_day(now),
            trigger_time=now,
            condition=condition,
            price=price,
            action=action,
        )
        if not self.running:
            error = error or "the strategy is not running"
            requests = []
        self._jobs.put(lambda: self._desk.execute(trigger, requests, error), eager=True)
        if not self._hooks_running:  # called from the strategy's own callback (a timer...)
            self._run_jobs_soon()
        return trigger

    # --- lifecycle -----------------------------------------------------------------

    def start(
        self, strategy: Strategy[Any], last_tick: Tick | None, history: Sequence[Bar] = ()
    ) -> None:
        """Run ``strategy``: on_start, then market and book events until ``halt``.
        ``history``: the finished bars before the start (``load_bars``), oldest first."""
        self._history = tuple(history)
        self.strategy = strategy
        self._hears = frozenset(h for h in ("on_order", "on_trade", "on_bar") if _acts(strategy, h))
        self.name = strategy.name
        self._last = last_tick
        self._jobs.name = strategy.name
        self._worker = asyncio.create_task(self._jobs.work(), name=f"strategy-{self.name}")
        self.running = True
        bus = self._core.events
        for event_type, handler in self._handlers():
            bus.subscribe(event_type, handler)
        self.guard("on_start", strategy.on_start)

    def halt(self) -> None:
        """Stop dispatching at once: no hook runs and no order leaves after this call."""
        if not self.running:
            return
        self.running = False
        for event_type, handler in self._handlers():
            if event_type is not EventType.ORDER:  # orders still resolve open triggers
                self._core.events.unsubscribe(event_type, handler)

    async def finish(self, call_on_stop: bool = True) -> None:
        """After ``halt``: on_stop, cancel the strategy's working orders, drain the queue."""
        strategy = self.strategy
        if call_on_stop and strategy is not None:
            self.guard("on_stop", strategy.on_stop, stopping=True)
        for order in self.working_orders():
            await self._cancel(order.order_id)
        if strategy is not None:
            state = dict(strategy.state)
            self._jobs.put(lambda: self._store.save_state(self.name, state))
        await self._jobs.join()

    async def close(self) -> None:
        """End the worker and stop listening for orders (after ``finish``)."""
        self.closed = True
        self._core.events.unsubscribe(EventType.ORDER, self._on_order)
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)

    @property
    def busy(self) -> bool:
        """Whether queued work has not ended: ``idle`` would wait."""
        return self._jobs.unfinished > 0

    async def idle(self) -> None:
        """Wait until every queued trigger write and order send is done (tests, shutdown)."""
        await self._jobs.join()

    # --- guarded hooks -------------------------------------------------------------

    def guard(
        self, hook: str, call: Callable[..., None], *args: Any, stopping: bool = False
    ) -> None:
        """Run a hook (``call(*args)``); an exception stops the strategy and is recorded
        with its traceback."""
        if not self.running and not stopping:
            return
        self._hooks_running += 1
        try:
            call(*args)
        except Exception as exc:
            text = "".join(traceback.format_exception(exc))
            log.error("strategy hook failed", strategy=self.name, hook=hook, traceback=text)
            now = self._clock()
            trigger = Trigger(
                strategy_name=self.name,
                symbol=self._symbol,
                trading_day=self._calendar.trading_day(now),
                trigger_time=now,
                condition=f"exception in {hook}: {type(exc).__name__}: {exc}",
                price=self._last.last_price if self._last else None,
                action=ActionType.HOLD,
            )
            self._jobs.put(lambda: self._desk.execute(trigger, [], text), eager=True)
            if not stopping:
                self.halt()
                self._on_failure(f"{hook} raised {type(exc).__name__}: {exc}")
        finally:
            self._hooks_running -= 1
        if self._jobs.unfinished:  # most hooks decide nothing: no job, nothing to run
            self._run_jobs_soon()

    def _run_jobs_soon(self) -> None:
        """Run what the hooks queued once the current event has reached every handler."""
        if not self._run_due:
            self._run_due = True
            self._core.events.after_dispatch(self._run_jobs)

    def _run_jobs(self) -> None:
        self._run_due = False
        self._jobs.run_ready()

    def _handlers(self) -> list[tuple[EventType, Callable[[EventType, Any], None]]]:
        return [
            (EventType.TICK, self._on_tick),
            (EventType.BAR, self._on_bar),
            (EventType.ORDER, self._on_order),
            (EventType.TRADE, self._on_trade),
        ]

    def _on_tick(self, _: EventType, tick: Tick) -> None:
        if tick.symbol == self._symbol and self.strategy is not None:
            self._last = tick
            strategy = self.strategy
            self.guard("on_tick", strategy.on_tick, tick)
            if "reversal" in strategy.state:
                self.guard("reversal", strategy.continue_reversal)
            if self._desk.live:
                self._expire(strategy.params.order_timeout_s)

    def _expire(self, timeout_s: float) -> None:
        """Cancel orders the market left behind: a marketable limit that did not fill soon
        is stale, and a strategy waiting on it would stop acting."""
        now = self._clock()
        for order in self.working_orders():
            if order.order_id in self._expiring:
                continue
            if (now - order.created_at).total_seconds() >= timeout_s:
                self._expiring.add(order.order_id)
                self._jobs.put(partial(self._cancel, order.order_id))

    async def _cancel(self, order_id: str) -> None:
        try:
            await self._core.orders.cancel_order(order_id)
        except Exception as exc:  # it may have filled meanwhile
            log.info("strategy order cancel failed", order_id=order_id, error=str(exc))

    def _on_bar(self, _: EventType, bar: Bar) -> None:
        if bar.symbol == self._symbol and self.strategy is not None:
            self._bars.append(bar)
            strategy = self.strategy
            if "on_bar" in self._hears:
                self.guard("on_bar", strategy.on_bar, bar)

    def _on_order(self, _: EventType, order: Order) -> None:
        trigger_id = self._orders.get(order.order_id)
        if trigger_id is None:
            return
        if order.status.is_terminal:
            self._desk.live.discard(order.order_id)
        if order.status.is_terminal and trigger_id in self._desk.open:
            self._jobs.put(lambda: self._desk.resolve(trigger_id))
        if self.running and self.strategy is not None:
            strategy = self.strategy
            if "on_order" in self._hears:
                self.guard("on_order", strategy.on_order, order)
            if order.status.is_terminal:
                self.guard("reversal", strategy.continue_reversal)

    def _on_trade(self, _: EventType, trade: Trade) -> None:
        if trade.order_id in self._orders and self.strategy is not None:
            strategy = self.strategy
            if "on_trade" in self._hears:
                self.guard("on_trade", strategy.on_trade, trade)
            self.guard("reversal", strategy.continue_reversal)
            state = dict(strategy.state)
            self._jobs.put(lambda: self._store.save_state(self.name, state))


def _acts(strategy: Strategy[Any], hook: str) -> bool:
    """Whether ``strategy``'s ``hook`` is its own, not the base class's empty one."""
    return getattr(getattr(strategy, hook), "__func__", None) is not getattr(Strategy, hook)
