"""The paper matching engine of the simulated exchange.

Pure: no asyncio, no clock reads, no files. Orders are checked the way the
exchange and the broker check them, then rest until a market snapshot trades
through them: a buy fills at the ask once its price is at or above the ask, a
sell at the bid once at or below the bid, each for at most the volume shown at
that price (our own orders share it, best price first, then oldest first). The
rest keeps working and later snapshots can fill more.

The engine keeps the broker's side of the book in a ``SimState``: positions by
lot, the account with margin and commission frozen for working orders (derived
again from the working orders after every change, so nothing drifts), and the
id counters. Order ids carry the session number, which grows at each start.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from arbig.domain.account import AccountBook, frozen_for
from arbig.domain.contract import CENT, ContractSpec
from arbig.domain.enums import Offset, OrderStatus, OrderType, Side
from arbig.domain.order import Order, OrderRequest
from arbig.domain.position import close_limit, free_to_close, plain_close_takes_today
from arbig.domain.tick import Tick
from arbig.domain.trade import Trade
from arbig.gateways.sim.state import SimState

MARKET_ORDER_REASON = "SHFE does not accept market orders; send a marketable limit order"
EXPIRED_REASON = "expired at the end of the trading day"
UNLIMITED = 10**9  # lots shown at the best price when fills are not capped by depth


class MatchingError(ValueError):
    """A request the engine cannot carry out (unknown order, finished order)."""


class MatchingEngine:
    """Accepts, rejects, cancels and fills orders against market snapshots."""

    def __init__(
        self,
        state: SimState,
        spec_for: Callable[[str], ContractSpec],
        latency: timedelta = timedelta(0),
        depth: bool = True,
    ) -> None:
        """``latency``: an order meets only the snapshots stamped this long after it was
        accepted (its way to the exchange); by default the next snapshot. ``depth``:
        fills are capped by the volume shown at the best price (False: any volume)."""
        self.state = state
        self._spec_for = spec_for
        self._last: dict[str, Tick] = {}
        self._latency = latency
        self._depth = depth
        # The working orders, kept beside the state's dict of every order of the day:
        # each snapshot matches these, and a busy day holds thousands of finished ones.
        self._working: dict[str, Order] = {
            order.order_id: order for order in state.orders.values() if order.is_active
        }
        # A snapshot that only moved a price leaves the floating P&L to the next read.
        self._stale = False

    @property
    def account(self) -> AccountBook:
        """The broker's account, its floating P&L marked at the last snapshots."""
        if self._stale:
            self._remark()
        return self.state.account

    def start_session(self) -> int:
        """Begin a new session (one per start of the simulator); returns its number."""
        self.state.session += 1
        return self.state.session

    def last_tick(self, symbol: str) -> Tick | None:
        return self._last.get(symbol)

    def active_orders(self, symbol: str | None = None) -> list[Order]:
        if symbol is None:
            return list(self._working.values())
        return [order for order in self._working.values() if order.symbol == symbol]

    def _put(self, order: Order) -> None:
        self.state.orders[order.order_id] = order
        if order.is_active:
            self._working[order.order_id] = order
        else:
            self._working.pop(order.order_id, None)

    def submit(self, request: OrderRequest, now: datetime) -> Order:
        """Accept ``request`` as a working order (not_traded) or reject it with a reason."""
        reason = self._refusal(request)
        if reason:
            return self.reject(request, now, reason)
        order = self._new_order(request, now).transition(OrderStatus.NOT_TRADED, now)
        self._put(order)
        self._refreeze()
        return order

    def reject(self, request: OrderRequest, now: datetime, reason: str) -> Order:
        """Record ``request`` as rejected for ``reason``."""
        order = self._new_order(request, now).transition(OrderStatus.REJECTED, now, reason=reason)
        self._put(order)
        return order

    def cancel(self, order_id: str, now: datetime, reason: str = "") -> Order:
        """Cancel a working order; its frozen margin and commission are released."""
        order = self.state.orders.get(order_id)
        if order is None:
            raise MatchingError(f"unknown order {order_id}")
        if not order.is_active:
            raise MatchingError(f"order {order_id} is {order.status}; only working orders cancel")
        order = order.transition(OrderStatus.CANCELLED, now, reason=reason)
        self._put(order)
        self._refreeze()
        return order

    def on_tick(self, tick: Tick) -> list[Order | Trade]:
        """Take ``tick`` in and match the working orders against it (``take``, ``match``)."""
        return self.take(tick) + self.match(tick)

    def take(self, tick: Tick) -> list[Order | Trade]:
        """Make ``tick`` the market's latest state, before anyone is shown it: the
        account is marked at it, and an order sent on seeing it is checked against it.
        The first snapshot of a new trading day first expires the working orders and
        rolls today's lots to yesterday; returns the expired orders."""
        expired: list[Order | Trade] = []
        rolled = self.state.trading_day is None or tick.trading_day > self.state.trading_day
        if rolled:
            if self.state.trading_day is not None:
                expired = self._new_day(tick.datetime)
            self.state.trading_day = tick.trading_day
        previous = self._last.get(tick.symbol)
        self._last[tick.symbol] = tick
        if rolled or previous is None or previous.pre_settlement != tick.pre_settlement:
            self._refresh()
        else:  # only the price moved: margin and frozen amounts stand
            self._stale = True
        return expired

    def match(self, tick: Tick) -> list[Order | Trade]:
        """Fill the working orders ``tick`` trades through (after ``take``); returns the
        order updates and trades in order."""
        events: list[Order | Trade] = []
        if not self._working:
            return events
        if self._depth:
            depth = {Side.BUY: tick.ask_volume, Side.SELL: tick.bid_volume}
        else:
            depth = {Side.BUY: UNLIMITED, Side.SELL: UNLIMITED}
        for order in sorted(self.active_orders(tick.symbol), key=_priority):
            if self._latency and tick.datetime - order.created_at < self._latency:
                continue
            if order.side is Side.BUY:
                crosses, price = order.price >= tick.ask_price, tick.ask_price
            else:
                crosses, price = order.price <= tick.bid_price, tick.bid_price
            volume = min(order.remaining, depth[order.side])
            if not crosses or volume <= 0:
                continue
            depth[order.side] -= volume
            events.extend(self._fill(order, price, volume, tick.datetime, tick.trading_day))
        if events:
            self._refresh()
        return events

    def _fill(
        self, order: Order, price: Decimal, volume: int, now: datetime, day: date
    ) -> list[Order | Trade]:
        spec = self._spec_for(order.symbol)
        if order.offset.is_close:
            held = self.state.positions.leg(order.symbol, order.direction).closable(order.offset)
            if held < volume:  # another close took the lots first
                reason = f"{order.offset} of {volume} no longer possible: {held} held"
                return [self.cancel(order.order_id, now, reason)]
        self.state.trade_seq += 1
        trade = Trade(
            trade_id=f"T{self.state.session:04d}-{self.state.trade_seq:06d}",
            order_id=order.order_id,
            symbol=order.symbol,
            exchange=order.exchange,
            side=order.side,
            offset=order.offset,
            price=price,
            volume=volume,
            datetime=now,
            trading_day=day,
            commission=spec.commission(order.offset, volume, price),
        )
        realized = self.state.positions.apply(trade, spec.multiplier)
        self.state.account.record_fill(realized, trade.commission)
        self.state.trades.append(trade)
        order = order.fill(volume, now)
        self._put(order)
        return [order, trade]

    def _new_day(self, now: datetime) -> list[Order | Trade]:
        expired: list[Order | Trade] = [
            self.cancel(order.order_id, now, EXPIRED_REASON) for order in self.active_orders()
        ]
        account = self.state.account
        account.capital += account.realized_pnl - account.commission + account.transfers
        account.realized_pnl = account.commission = Decimal(0)
        # The day's cash moves are in the capital now; the new day's totals start at 0.
        account.transfers = account.deposit = account.withdraw = Decimal(0)
        self.state.positions.roll_day()
        self.state.orders.clear()
        self._working.clear()
        self.state.trades.clear()
        return expired

    def deposit(self, amount: Decimal) -> None:
        """Take ``amount`` into the account (the day's deposit total grows by it)."""
        _check_amount(amount)
        account = self.state.account
        account.move_cash(account.deposit + amount, account.withdraw)

    def withdraw(self, amount: Decimal) -> None:
        """Pay ``amount`` out of the account; MatchingError above what is available."""
        _check_amount(amount)
        account = self.account
        if amount > account.available:
            raise MatchingError(
                f"cannot withdraw {amount}: only {account.available.quantize(Decimal('0.01'))} "
                "is available"
            )
        account.move_cash(account.deposit, account.withdraw + amount)

    def undo_cash(self, deposit: Decimal, withdraw: Decimal) -> None:
        """Put the day's totals back to ``deposit`` and ``withdraw`` (a move not kept)."""
        self.state.account.move_cash(deposit, withdraw)

    def _new_order(self, request: OrderRequest, now: datetime) -> Order:
        self.state.order_seq += 1
        order_id = f"S{self.state.session:04d}-{self.state.order_seq:06d}"
        return Order.from_request(order_id, request, now)

    def _refusal(self, request: OrderRequest) -> str:
        """Why the exchange or the broker would refuse ``request``; empty when it is fine."""
        if request.order_type is OrderType.MARKET:
            return MARKET_ORDER_REASON
        try:
            spec = self._spec_for(request.symbol)
        except (ValueError, KeyError):
            return f"unknown symbol {request.symbol!r}"
        if spec.exchange is not request.exchange:
            return f"{request.symbol} trades on {spec.exchange}, not {request.exchange}"
        if request.volume <= 0:
            return f"volume must be a positive number of lots, got {request.volume}"
        if request.volume > spec.max_order_volume:
            return f"volume {request.volume} exceeds the {spec.max_order_volume}-lot order limit"
        if not spec.is_on_tick(request.price):
            return f"price {request.price} is not a multiple of the price tick {spec.price_tick}"
        tick = self._last.get(request.symbol)
        if tick is None:
            return f"no market data for {request.symbol} yet; subscribe first"
        if not tick.limit_down <= request.price <= tick.limit_up:
            return (
                f"price {request.price} is outside the limit band "
                f"{tick.limit_down}..{tick.limit_up}"
            )
        if request.offset.is_close:
            free = self._closable(request)
            if request.volume > free:
                reason = (
                    f"cannot {request.offset} {request.volume} {request.symbol} "
                    f"{request.direction}: only {free} closable"
                )
                if request.offset is Offset.CLOSE and not plain_close_takes_today(request.exchange):
                    reason += (
                        f" (on {request.exchange} a plain close takes yesterday's lots only;"
                        " today's are closed with close_today)"
                    )
                return reason
        need = spec.commission(request.offset, request.volume, request.price)
        if request.offset is Offset.OPEN:
            need += spec.margin(request.price, request.volume)
        available = self.account.available
        if need > available:
            return f"insufficient funds: the order needs {need}, available {available}"
        return ""

    def _closable(self, request: OrderRequest) -> int:
        """Lots ``request`` may close, after the working close orders on its leg."""
        leg = self.state.positions.leg(request.symbol, request.direction)
        yesterday, today = free_to_close(leg, self.active_orders(request.symbol))
        return close_limit(request.offset, request.exchange, yesterday, today)

    def _refresh(self) -> None:
        """Derive margin, frozen amounts and floating P&L from the book and last prices."""
        account = self.state.account
        margin = unrealized = Decimal(0)
        for leg in self.state.positions.held():
            spec = self._spec_for(leg.symbol)
            tick = self._last.get(leg.symbol)
            if tick is not None:
                pre_settlement = tick.pre_settlement if tick.pre_settlement > 0 else None
                margin += leg.margin(spec, pre_settlement)
                unrealized += leg.unrealized_pnl(tick.last_price, spec.multiplier)
            else:
                margin += leg.margin(spec)
        account.margin = margin
        account.unrealized_pnl = unrealized
        self._stale = False
        account.frozen_margin, account.frozen_commission = frozen_for(
            self.active_orders(), self._spec_for
        )

    def _refreeze(self) -> None:
        """Frozen margin and commission anew: all that a new or ended working order
        changes (the lots, and so the margin, stand; the floating P&L keeps its mark)."""
        account = self.state.account
        account.frozen_margin, account.frozen_commission = frozen_for(
            self.active_orders(), self._spec_for
        )

    def _remark(self) -> None:
        """Floating P&L at the last prices (what a tick without fills changes)."""
        unrealized = Decimal(0)
        for leg in self.state.positions.held():
            tick = self._last.get(leg.symbol)
            if tick is not None:
                unrealized += leg.unrealized_pnl(
                    tick.last_price, self._spec_for(leg.symbol).multiplier
                )
        self.state.account.unrealized_pnl = unrealized
        self._stale = False


def _check_amount(amount: Decimal) -> None:
    if not amount.is_finite() or amount <= 0:
        raise MatchingError(f"amount must be a positive sum of money, got {amount}")
    if amount != amount.quantize(CENT):
        raise MatchingError(f"amount must be in whole cents, got {amount}")


def _priority(order: Order) -> tuple[Decimal, datetime, str]:
    """Best price first (highest buy, lowest sell), then the oldest."""
    price = -order.price if order.side is Side.BUY else order.price
    return price, order.created_at, order.order_id
