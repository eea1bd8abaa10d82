"""PaperGateway: real quotes from CTP, orders matched by ARBIG's own engine.

This is how a trader runs a strategy before giving it money: the market is the
broker's (CTP market data through ``CtpMarketData``), the fills are the simulated
exchange's matching engine (``gateways/sim/matching.py``) against those quotes: a
buy fills at the ask once its price reaches it, a sell at the bid, for at most the
volume shown. Margin and commission are the broker's (the contract specs with the
broker's tables laid over them); the limit band is the exchange's, from the quotes.
The paper account's books survive a restart in their own file, as the simulator's do.

A tick that fails the hygiene rules (no last price, a stale time stamp, outside the
sessions) still goes to the kernel, which drops and counts it, but never fills an order.
"""

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from arbig.clock import Clock
from arbig.domain.calendar import TradingCalendar
from arbig.domain.contract import ContractSpec
from arbig.domain.order import Order, OrderRequest
from arbig.domain.tick import Tick
from arbig.domain.tick_hygiene import tick_fault
from arbig.gateways.base import (
    GatewayError,
    GatewayListener,
    TradingAccount,
)
from arbig.gateways.sim.matching import MatchingEngine
from arbig.gateways.sim.reports import MatchedBook
from arbig.gateways.sim.state import SimState, load_state, save_state

STATE_FILE_NAME = "paper-exchange.json"
CLOSED_REASON = "the market is closed (outside trading sessions)"


class MarketFeed(Protocol):
    """Where the quotes come from (``CtpMarketData``; a recorded stream in tests)."""

    def set_listener(self, listener: "_FeedListener") -> None: ...

    async def connect(self) -> None: ...

    async def close(self) -> None: ...

    async def subscribe(self, symbol: str) -> None: ...

    async def unsubscribe(self, symbol: str) -> None: ...


class _FeedListener(Protocol):
    def on_tick(self, tick: Tick) -> None: ...

    def on_connection(self, connected: bool, reason: str) -> None: ...

    def on_log(self, level: str, message: str) -> None: ...


class PaperGateway(MatchedBook):
    """Implements ``arbig.gateways.base.Gateway`` with a ``MarketFeed`` and the matching
    engine; ``spec_for`` gives the broker's figures."""

    name = "paper"

    def __init__(
        self,
        account: TradingAccount,
        feed: MarketFeed,
        spec_for: Callable[[str], ContractSpec],
        calendar: TradingCalendar,
        state_path: Path,
        clock: Clock,
    ) -> None:
        self._account = account
        self._feed = feed
        self._spec_for = spec_for
        self._calendar = calendar
        self._state_path = state_path
        self._clock = clock
        self._listener: GatewayListener | None = None
        self._engine: MatchingEngine | None = None
        self._subscribed: dict[str, None] = {}
        self._outbox: list[Callable[[], None]] = []
        self.unmatched: Counter[str] = Counter()  # ticks not matched against, by reason
        feed.set_listener(self)

    def account(self) -> TradingAccount:
        return self._account

    def set_listener(self, listener: GatewayListener) -> None:
        self._listener = listener

    async def connect(self) -> None:
        """Open the paper books (or a fresh account) and start the market data."""
        if self._engine is not None:
            return
        state = load_state(self._state_path) or SimState.fresh(
            self._account.account_id, self._account.capital
        )
        if state.account.account_id != self._account.account_id:
            raise GatewayError(
                f"{self._state_path} holds paper account {state.account.account_id!r}, "
                f"not {self._account.account_id!r} (setting paper.account_id)"
            )
        self._engine = MatchingEngine(state, self._spec_for)
        self._engine.start_session()
        self._save()
        await self._feed.connect()

    async def close(self) -> None:
        if self._engine is None:
            return
        await self._feed.close()
        self._flush()
        self._save()
        self._engine = None
        if self._listener is not None:
            self._listener.on_connection(False, "paper trading closed")

    async def subscribe(self, symbol: str) -> None:
        self._require()
        try:
            self._spec_for(symbol)
        except (ValueError, KeyError) as exc:
            raise GatewayError(f"unknown symbol {symbol!r}: {exc}") from None
        self._subscribed[symbol] = None
        await self._feed.subscribe(symbol)

    async def unsubscribe(self, symbol: str) -> None:
        self._subscribed.pop(symbol, None)
        engine = self._engine
        if engine is None or not engine.active_orders(symbol):
            # Working orders keep their quotes coming until they are done.
            await self._feed.unsubscribe(symbol)

    async def send_order(self, request: OrderRequest) -> str:
        engine = self._require()
        now = self._now()
        if not self._calendar.in_session(now):
            order = engine.reject(request, now, CLOSED_REASON)
        else:
            order = engine.submit(request, now)
            if order.is_active and request.symbol not in self._subscribed:
                await self._feed.subscribe(request.symbol)
        self._save()
        self._post(order)
        return order.order_id

    # --- the feed's side (on the event loop) -----------------------------------------

    def on_tick(self, tick: Tick) -> None:
        engine = self._engine
        if engine is None or self._listener is None:
            return
        self._flush()
        fault = tick_fault(tick, self._now(), self._calendar)
        # The exchange takes the quote in before it is shown: an order sent on it is
        # checked, and the account marked, against it.
        expired = engine.take(tick) if fault is None else []
        self._deliver(self._listener, expired)
        if tick.symbol in self._subscribed:
            self._listener.on_tick(tick)
        if fault is not None:
            self.unmatched[fault] += 1
            return
        events = engine.match(tick)
        self._deliver(self._listener, events)
        if expired or events:
            self._listener.on_account(self.account_report())
            self._save()

    def on_connection(self, connected: bool, reason: str) -> None:
        self._emit_connection(connected, reason)

    def on_log(self, level: str, message: str) -> None:
        if self._listener is not None:
            self._listener.on_log(level, message)

    # --- inside -----------------------------------------------------------------------

    def _emit_connection(self, connected: bool, reason: str) -> None:
        if self._listener is not None:
            self._listener.on_connection(connected, f"paper trading: {reason}")

    def _post(self, order: Order) -> None:
        if self._listener is not None:
            self._post_to(self._listener, order)

    def _save(self) -> None:
        save_state(self._require().state, self._state_path)

    def _require(self) -> MatchingEngine:
        if self._engine is None:
            raise GatewayError("paper trading is not connected")
        return self._engine
