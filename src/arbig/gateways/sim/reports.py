"""The broker's side of a gateway whose orders ARBIG's own matching engine fills (the
simulated exchange, paper trading): cancels and every report come from that engine's
state, the same way for both."""

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from arbig.clock import Clock
from arbig.domain.calendar import TradingCalendar, to_exchange_time
from arbig.domain.order import Order
from arbig.domain.trade import Trade
from arbig.gateways.base import AccountReport, GatewayError, GatewayListener, PositionReport
from arbig.gateways.sim.matching import MatchingEngine, MatchingError


class MatchedBook(ABC):
    """Cancel and the ``query_*`` reports of the Gateway protocol, read off the matching
    engine the gateway keeps, and the order reports pushed after the caller returns."""

    _clock: Clock
    _outbox: list[Callable[[], None]]
    _listener: GatewayListener | None
    _calendar: TradingCalendar

    @abstractmethod
    def _require(self) -> MatchingEngine:
        """The matching engine; GatewayError when the gateway is not connected."""

    @abstractmethod
    def _save(self) -> None:
        """Keep the engine's state after it changed."""

    @abstractmethod
    def _post(self, order: Order) -> None:
        """Push ``order`` to the listener (after the caller has its answer)."""

    # The clock's last reading and it in exchange time: a driven clock hands out the same
    # moment to every order and snapshot until it moves.
    _seen: tuple[datetime, datetime] | None = None

    def _now(self) -> datetime:
        now = self._clock.now()
        seen = self._seen
        if seen is not None and seen[0] is now:
            return seen[1]
        if now.tzinfo is None:
            raise GatewayError("the gateway clock must return timezone-aware datetimes")
        local = to_exchange_time(now)
        self._seen = (now, local)
        return local

    def _post_to(self, listener: GatewayListener, order: Order) -> None:
        """Push ``order`` and the account right after the caller returns (loop.call_soon);
        a tick in between, and the reports of a snapshot (``_deliver``), flush first, so
        updates never overtake each other."""
        account = self.account_report()
        self._outbox.append(lambda: listener.on_order(order))
        self._outbox.append(lambda: listener.on_account(account))
        if len(self._outbox) == 2:
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        outbox, self._outbox = self._outbox, []
        for push in outbox:
            push()

    def _deliver(self, listener: GatewayListener, events: list[Order | Trade]) -> None:
        """Push what a snapshot did (fills, cancels, expiries), after the reports still
        queued: an order sent while the snapshot was being delivered (a strategy deciding
        on it) can fill against it, and its acceptance, with the account as it was then,
        must not arrive after its fill."""
        if not events:
            return
        self._flush()
        for event in events:
            if isinstance(event, Trade):
                listener.on_trade(event)
            else:
                listener.on_order(event)

    async def cancel_order(self, order_id: str) -> None:
        engine = self._require()
        try:
            order = engine.cancel(order_id, self._now())
        except MatchingError as exc:
            raise GatewayError(str(exc)) from None
        self._save()
        self._post(order)

    async def deposit(self, amount: Decimal) -> None:
        await self._move_cash(lambda engine: engine.deposit(amount))

    async def withdraw(self, amount: Decimal) -> None:
        await self._move_cash(lambda engine: engine.withdraw(amount))

    async def _move_cash(self, move: Callable[[MatchingEngine], None]) -> None:
        """Move the money and keep it (the books saved), or change nothing; then report
        the account, after the reports still queued."""
        engine = self._require()
        state = engine.state
        before = (state.account.deposit, state.account.withdraw, state.trading_day)
        if state.trading_day is None:  # no quote yet: the money moves on today's books
            state.trading_day = self._calendar.trading_day(self._now())
        try:
            move(engine)
        except MatchingError as exc:
            state.trading_day = before[2]
            raise GatewayError(str(exc)) from None
        try:
            self._save()
        except Exception as exc:
            engine.undo_cash(before[0], before[1])
            state.trading_day = before[2]
            raise GatewayError(f"the exchange's books could not be saved: {exc}") from None
        self._flush()
        if self._listener is not None:
            self._listener.on_account(self.account_report())

    async def query_account(self) -> AccountReport:
        return self.account_report()

    async def query_positions(self) -> list[PositionReport]:
        return [
            PositionReport(
                symbol=leg.symbol,
                direction=leg.direction,
                volume=leg.volume,
                volume_today=leg.volume_today,
                volume_yesterday=leg.volume_yesterday,
                avg_price=leg.avg_price,
            )
            for leg in self._require().state.positions.held()
        ]

    async def query_orders(self) -> list[Order]:
        return list(self._require().state.orders.values())

    async def query_trades(self) -> list[Trade]:
        return list(self._require().state.trades)

    def account_report(self) -> AccountReport:
        account = self._require().account
        return AccountReport(
            account_id=account.account_id,
            balance=account.balance,
            available=account.available,
            margin=account.margin,
            commission=account.commission,
            realized_pnl=account.realized_pnl,
            unrealized_pnl=account.unrealized_pnl,
            frozen_margin=account.frozen_margin,
            frozen_commission=account.frozen_commission,
            deposit=account.deposit,
            withdraw=account.withdraw,
            trading_day=self._require().state.trading_day,
            pre_balance=account.opening_balance,
        )
