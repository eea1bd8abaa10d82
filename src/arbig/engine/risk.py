"""Pre-trade risk: every order, from any source, passes these rules before the gateway.

The assembly adds the engine to the core's pre-trade checks. A refusal names its rule
(``"max_position: ..."``), is logged, and is recorded as a rejected order (row in
``orders``, event on the bus) so the operator sees it beside the orders that went
out; the core then raises ``OrderRefused`` to the sender.

Trading states (after NautilusTrader): ``active`` trades freely, ``reducing`` lets
through only orders that shrink a position, ``halted`` none at all, except the
emergency stop's own flattening orders (source ``risk``), which only close.
"""

from collections import deque
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

import structlog

from arbig.clock import Clock
from arbig.domain.calendar import TradingCalendar
from arbig.domain.delivery import open_refusal
from arbig.domain.enums import Offset, OrderSource, Side, TradingState
from arbig.domain.order import Order, OrderRequest
from arbig.domain.position import close_limit, free_to_close
from arbig.domain.tick import Tick
from arbig.engine.book import BookView, Events
from arbig.engine.bus import EventType

log = structlog.get_logger(__name__)

MINUTE = timedelta(minutes=1)
ZERO = Decimal(0)
_DuplicateKey = tuple[str, Side, Offset, Decimal, int]


class Rule(StrEnum):
    """The rule that refused an order: the prefix of every refusal message."""

    TRADING_STATE = "trading_state"
    CONTRACT = "contract"
    SESSION = "session"
    VOLUME = "volume"
    PRICE_TICK = "price_tick"
    LIMIT_BAND = "limit_band"
    PRICE_DISTANCE = "price_distance"
    MAX_POSITION = "max_position"
    WORKING_ORDERS = "working_orders"
    RATE_MINUTE = "orders_per_minute"
    RATE_DAY = "orders_per_day"
    DUPLICATE = "duplicate"
    MARGIN = "margin"
    DELIVERY_MONTH = "delivery_month"
    NOT_HELD = "not_held"


@dataclass(frozen=True, slots=True)
class RiskLimits:
    """The limits every order is held to (docs/strategies.md); the settings' ``risk``."""

    enabled: bool = True
    max_order_volume: int = 10
    max_position: int = 20
    max_ticks_from_market: int = 50
    max_working_orders: int = 20
    max_orders_per_minute: int = 30
    max_orders_per_day: int = 1000
    duplicate_window_s: float = 1.0


class RiskEngine:
    """The pre-trade check; call it with an ``OrderRequest``, get None or the refusal."""

    def __init__(
        self,
        book: BookView,
        events: Events,
        limits: RiskLimits,
        calendar: TradingCalendar,
        *,
        check_sessions: bool,
        clock: Clock,
    ) -> None:
        self.settings = limits  # derived limits are computed by the setter
        self.state = TradingState.ACTIVE
        self.refused = 0
        self._book = book
        self._calendar = calendar
        self._check_sessions = check_sessions
        self._clock = clock.now
        self._recent: deque[datetime] = deque()
        self._day: date | None = None
        self._day_count = 0
        self._sent: dict[_DuplicateKey, datetime] = {}
        # Working orders by id, kept from order events: the OMS's list is a scan of every
        # order of the day, too slow to repeat on each order.
        self._working: dict[str, Order] = {}
        events.subscribe(EventType.ORDER, self._on_order)

    @property
    def settings(self) -> RiskLimits:
        return self._settings

    @settings.setter
    def settings(self, settings: RiskLimits) -> None:
        self._settings = settings
        self._window = timedelta(seconds=settings.duplicate_window_s)
        self._distances: dict[str, Decimal] = {}  # per symbol: the price_distance limit

    def last_tick(self, symbol: str) -> Tick | None:
        return self._book.last_tick(symbol)

    def _on_order(self, _: EventType, order: Order) -> None:
        if order.is_active:
            self._working[order.order_id] = order
        else:
            self._working.pop(order.order_id, None)

    def sync(self) -> None:
        """Take the working orders from the OMS (after the core rebuilt its book)."""
        self._working = {o.order_id: o for o in self._book.active_orders()}

    def __call__(self, request: OrderRequest) -> str | None:
        now = self._clock()
        day = self._calendar.trading_day(now)
        key = _key(request)
        reason = self._refusal(request, now, day, key) if self._settings.enabled else None
        if reason is None:
            self._count(now, day, key)
            return None
        self.refused += 1  # the core records the refused order and tells the sender
        return reason

    def refusal(self, request: OrderRequest, now: datetime) -> str | None:
        """Why ``request`` is refused now (``"rule: message"``), or None to let it through."""
        return self._refusal(request, now, self._calendar.trading_day(now), _key(request))

    def _refusal(
        self, request: OrderRequest, now: datetime, day: date, key: _DuplicateKey
    ) -> str | None:
        return (
            self._state_rule(request)
            or self._delivery_rule(request, day)
            or self._market_rules(request, now)
            or self._book_rules(request)
            or self._flow_rules(now, day, key)
        )

    # --- the rules ------------------------------------------------------------------

    def _state_rule(self, request: OrderRequest) -> str | None:
        if self.state is TradingState.ACTIVE:
            return None
        if self.state is TradingState.HALTED and request.source is not OrderSource.RISK:
            return f"{Rule.TRADING_STATE}: trading is halted; only cancels are accepted"
        if not self._reduces(request):
            return (
                f"{Rule.TRADING_STATE}: trading is {self.state}; only orders that shrink a position"
            )
        return None

    def _delivery_rule(self, request: OrderRequest, day: date) -> str | None:
        if request.offset is not Offset.OPEN:
            return None
        refusal = open_refusal(request.symbol, day)
        return None if refusal is None else f"{Rule.DELIVERY_MONTH}: {refusal}"

    def _market_rules(self, request: OrderRequest, now: datetime) -> str | None:
        limits = self._settings
        spec = self._book.spec(request.symbol)
        tick = self._book.last_tick(request.symbol)
        if tick is None:
            return f"{Rule.CONTRACT}: no market data for {request.symbol} yet"
        if self._check_sessions and not self._calendar.in_session(now):
            return f"{Rule.SESSION}: {request.symbol} is not trading now (outside the sessions)"
        if not 0 < request.volume <= limits.max_order_volume:
            return f"{Rule.VOLUME}: {request.volume} lots, limit 1..{limits.max_order_volume}"
        if not spec.is_on_tick(request.price):
            return f"{Rule.PRICE_TICK}: {request.price} is not on the {spec.price_tick} tick"
        if tick.limit_down > 0 and not tick.limit_down <= request.price <= tick.limit_up:
            return (
                f"{Rule.LIMIT_BAND}: {request.price} outside the day's band "
                f"{tick.limit_down}..{tick.limit_up}"
            )
        farthest = self._distances.get(request.symbol)
        if farthest is None:
            farthest = self._distances[request.symbol] = (
                spec.price_tick * limits.max_ticks_from_market
            )
        if abs(request.price - tick.last_price) > farthest:
            distance = abs(request.price - tick.last_price) / spec.price_tick
            return (
                f"{Rule.PRICE_DISTANCE}: {request.price} is {distance:.0f} ticks from the last "
                f"{tick.last_price}, limit {limits.max_ticks_from_market}"
            )
        return None

    def _book_rules(self, request: OrderRequest) -> str | None:
        limits = self._settings
        working = self._working
        if len(working) >= limits.max_working_orders:
            return (
                f"{Rule.WORKING_ORDERS}: {len(working)} working, limit {limits.max_working_orders}"
            )
        if request.offset.is_close:
            # Refused now rather than by the exchange later: lots not held (or already
            # being closed) cannot be closed.
            if self._reduces(request):
                return None
            leg = self._book.leg(request.symbol, request.direction)
            yesterday, today = free_to_close(leg, working.values()) if leg else (0, 0)
            return (
                f"{Rule.NOT_HELD}: {request.offset} {request.volume} {request.direction} "
                f"{request.symbol}, free to close: {yesterday} yesterday's, {today} today's"
            )
        direction = request.direction
        leg = self._book.leg(request.symbol, direction)
        held = leg.volume if leg is not None else 0
        opening = 0
        for o in working.values():  # usually none or a few: no running totals to keep right
            if o.offset is Offset.OPEN and o.symbol == request.symbol and o.direction is direction:
                opening += o.remaining
        if held + opening + request.volume > limits.max_position:
            return (
                f"{Rule.MAX_POSITION}: {request.direction} {request.symbol} would reach "
                f"{held + opening + request.volume} lots (held {held}, opening {opening}), "
                f"limit {limits.max_position}"
            )
        spec = self._book.spec(request.symbol)
        need = spec.margin(request.price, request.volume) + spec.commission(
            Offset.OPEN, request.volume, request.price
        )
        # The account already holds back the margin and commission of working orders.
        available = self._book.account.available
        if need > available:
            return f"{Rule.MARGIN}: the order needs {need}, available {available:.2f}"
        return None

    def _flow_rules(self, now: datetime, day: date, key: _DuplicateKey) -> str | None:
        limits = self._settings
        recent = self._recent
        while recent and now - recent[0] >= MINUTE:
            recent.popleft()
        if len(recent) >= limits.max_orders_per_minute:
            return f"{Rule.RATE_MINUTE}: {len(recent)} orders in the last minute"
        if self._day == day and self._day_count >= limits.max_orders_per_day:
            return f"{Rule.RATE_DAY}: {self._day_count} orders today"
        last = self._sent.get(key)
        if last is not None and now - last < self._window:
            return (
                f"{Rule.DUPLICATE}: the same order was sent {(now - last).total_seconds():.2f}s "
                f"ago (window {limits.duplicate_window_s}s)"
            )
        return None

    # --- bookkeeping ----------------------------------------------------------------

    def _reduces(self, request: OrderRequest) -> bool:
        """True if ``request`` closes lots that are held and not already being closed."""
        if not request.offset.is_close:
            return False
        leg = self._book.leg(request.symbol, request.direction)
        if leg is None:
            return False
        yesterday, today = free_to_close(leg, self._working.values())
        return request.volume <= close_limit(request.offset, request.exchange, yesterday, today)

    def _count(self, now: datetime, day: date, key: _DuplicateKey) -> None:
        self._recent.append(now)
        if day != self._day:
            self._day, self._day_count = day, 0
        self._day_count += 1
        if len(self._sent) > 256:  # forget what no longer counts as a duplicate
            window = self._window
            self._sent = {k: t for k, t in self._sent.items() if now - t < window}
        self._sent[key] = now


def _key(request: OrderRequest) -> _DuplicateKey:
    return (request.symbol, request.side, request.offset, request.price, request.volume)
