"""SimGateway: the simulated exchange as a gateway adapter.

It behaves like a broker connection: ticks arrive for each subscribed contract,
orders are answered through the listener, fills happen when the market trades
through a working order, and the broker's books survive a restart in their own
state file.

The market is a tick source (``arbig.gateways.ticksource``): by default the
simulator's own random walk at CTP's cadence (every ``tick_interval_ms / speed``
ms); a scripted list of ticks plugs in the same way (recorded data will) and
meets the same matching engine. Snapshots are set off by timers on the clock it is
given (the live clock in ``arbig run``; a driven clock in tests).
With ``autotick=False`` no timer is set; ``step(now)`` then produces the
snapshot due at ``now`` at once.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from arbig.clock import Clock, Timer
from arbig.config import Settings
from arbig.domain.calendar import TradingCalendar, to_exchange_time
from arbig.domain.contract import ContractSpec
from arbig.domain.order import Order, OrderRequest
from arbig.domain.tick import Tick
from arbig.domain.trade import Trade
from arbig.gateways.base import (
    AccountReport,
    GatewayError,
    GatewayListener,
    TradingAccount,
)
from arbig.gateways.sim.market import RandomWalk
from arbig.gateways.sim.matching import MatchingEngine
from arbig.gateways.sim.reports import MatchedBook
from arbig.gateways.sim.state import STATE_FILE_NAME, SimState, load_state, save_state
from arbig.gateways.ticksource import TickSource

SAVE_EVERY_TICKS = 120  # the price path is saved now and then even when nothing trades


class _NoListener:
    def on_tick(self, tick: Tick) -> None: ...

    def on_order(self, order: Order) -> None: ...

    def on_trade(self, trade: Trade) -> None: ...

    def on_account(self, account: AccountReport) -> None: ...

    def on_connection(self, connected: bool, reason: str) -> None: ...

    def on_log(self, level: str, message: str) -> None: ...


def default_state_path(settings: Settings) -> Path:
    """Where the simulator keeps its books: ``<data_dir>/sim-exchange.json``."""
    return settings.data_dir / STATE_FILE_NAME


class SimGateway(MatchedBook):
    """The embedded simulated exchange; implements ``arbig.gateways.base.Gateway``."""

    name = "sim"

    def __init__(
        self,
        settings: Settings,
        spec_for: Callable[[str], ContractSpec],
        calendar: TradingCalendar,
        state_path: Path | None,
        clock: Clock,
        *,
        autotick: bool = True,
        source: TickSource | None = None,
    ) -> None:
        """``source``: the market; None for the simulator's own random walk.
        ``state_path``: None keeps the books in memory only (a backtest's exchange)."""
        self._sim = settings.sim
        self._spec_for = spec_for
        self._calendar = calendar
        self._state_path = state_path
        self._clock = clock
        self._autotick = autotick
        self._listener: GatewayListener = _NoListener()
        self._engine: MatchingEngine | None = None
        self._source = source
        self._walk: RandomWalk | None = None
        self._subscribed: dict[str, None] = {}  # a dict keeps subscription order
        self._timer: Timer | None = None
        self._outbox: list[Callable[[], None]] = []
        self._ticks_since_save = 0

    @property
    def connected(self) -> bool:
        return self._engine is not None

    def account(self) -> TradingAccount:
        """The simulated account of the ``sim`` settings (``account_id``, ``capital``)."""
        return TradingAccount(self._sim.account_id, self._sim.capital)

    def set_listener(self, listener: GatewayListener) -> None:
        self._listener = listener

    async def connect(self) -> None:
        """Load the books (or open a fresh account) and start the market."""
        if self._engine is not None:
            return
        saved = load_state(self._state_path) if self._state_path is not None else None
        state = saved or SimState.fresh(self._sim.account_id, self._sim.capital)
        latency = timedelta(milliseconds=self._sim.fill_latency_ms)
        self._engine = MatchingEngine(state, self._spec_for, latency, self._sim.fill_depth)
        self._walk = RandomWalk(self._sim, self._spec_for, self._calendar, state.markets)
        session = self._engine.start_session()
        self._save()
        if self._autotick:
            self._timer = self._market.start(self._clock, self._autotick_step)
        self._listener.on_connection(True, f"simulated exchange ready (session {session})")

    async def close(self) -> None:
        """Stop the market and save the books; safe to call twice."""
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        if self._engine is None:
            return
        self._flush()
        self._save()
        self._engine = None
        self._walk = None
        self._listener.on_connection(False, "simulated exchange closed")

    async def subscribe(self, symbol: str) -> None:
        self._require()
        try:
            self._spec_for(symbol)
        except (ValueError, KeyError) as exc:
            raise GatewayError(f"unknown symbol {symbol!r}: {exc}") from None
        self._subscribed[symbol] = None

    async def unsubscribe(self, symbol: str) -> None:
        self._subscribed.pop(symbol, None)

    async def send_order(self, request: OrderRequest) -> str:
        """Returns the order id at once; not_traded or rejected follows through on_order."""
        engine = self._require()
        now = self._now()
        if not self._sim.ignore_sessions and not self._calendar.in_session(now):
            order = engine.reject(request, now, "the market is closed (outside trading sessions)")
        else:
            order = engine.submit(request, now)
        self._save()
        self._post(order)
        return order.order_id

    def step(self, now: datetime | None = None) -> list[Tick]:
        """Take the market's snapshot due now, push it and what it fills; returns the
        subscribed markets' ticks. Outside trading sessions (unless ``ignore_sessions``)
        nothing happens."""
        engine = self._require()
        if self._outbox:
            self._flush()
        now = self._now() if now is None else to_exchange_time(now)
        if not self._sim.ignore_sessions and not self._calendar.in_session(now):
            return []
        symbols = self._subscribed
        working = engine.active_orders()
        if working:  # a market nobody subscribed still trades against working orders
            symbols = {**symbols, **{order.symbol: None for order in working}}
        pushed: list[Tick] = []
        changed = False
        for tick in self._market.snapshot(now, symbols):
            expired = engine.take(tick)
            if expired:
                self._deliver(self._listener, expired)
            if tick.symbol in self._subscribed:
                self._listener.on_tick(tick)
                pushed.append(tick)
            events = engine.match(tick)
            if events:
                self._deliver(self._listener, events)
            changed = changed or bool(expired) or bool(events)
        if changed:
            self._listener.on_account(self.account_report())
        self._ticks_since_save += 1
        if changed or self._ticks_since_save >= SAVE_EVERY_TICKS:
            self._save()
        return pushed

    def _autotick_step(self) -> None:
        try:
            self.step()
        except Exception as exc:  # one bad snapshot must not stop the market
            self._listener.on_log("error", f"simulated exchange tick failed: {exc!r}")

    def steer(self, symbol: str, price: Decimal) -> None:
        """Script the simulator's own market: ``symbol``'s next snapshot starts from
        ``price`` (tests)."""
        if self._walk is None:
            raise GatewayError("the simulated exchange is not connected")
        try:
            self._walk.path(symbol).steer(price)
        except (ValueError, KeyError) as exc:
            raise GatewayError(f"unknown symbol {symbol!r}: {exc}") from None

    @property
    def _market(self) -> TickSource:
        if self._source is not None:
            return self._source
        if self._walk is None:
            raise GatewayError("the simulated exchange is not connected")
        return self._walk

    def _post(self, order: Order) -> None:
        self._post_to(self._listener, order)

    @property
    def posting(self) -> bool:
        """Whether order reports wait to be pushed at the event loop's next turn."""
        return bool(self._outbox)

    def _save(self) -> None:
        engine = self._require()
        self._ticks_since_save = 0
        if self._state_path is None:  # books in memory: nothing to write, now or later
            return
        if self._walk is not None:
            engine.state.markets.update(self._walk.states())
        save_state(engine.state, self._state_path)

    def _require(self) -> MatchingEngine:
        if self._engine is None:
            raise GatewayError("the simulated exchange is not connected")
        return self._engine
