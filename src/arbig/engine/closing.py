"""Closing one position in two steps: a preview with a short-lived token, then a confirm.

The preview states exactly what the confirm will send (the order plan split
into close-yesterday and close-today, the limit price, the expected P&L), so
the operator confirms what they saw. A token is single-use and expires.
"""

import asyncio
import contextlib
import copy
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from arbig.api.closing import ClosePreview, CloseResult, PlannedOrder
from arbig.api.errors import CloseError
from arbig.domain.enums import Direction, OrderSource, OrderStatus
from arbig.domain.order import Order, OrderRequest
from arbig.engine.bus import EventType
from arbig.engine.core import OrderRefused, TradingCore
from arbig.engine.strategy.orders import PlanError, close_requests

CENT = Decimal("0.01")


@dataclass(slots=True)
class _Pending:
    requests: list[OrderRequest]
    preview: ClosePreview
    expires: datetime


class CloseDesk:
    def __init__(
        self,
        core: TradingCore,
        *,
        ttl_s: float = 10.0,
        ticks_through: int = 10,
        wait_s: float = 3.0,
    ) -> None:
        # Ten ticks (0.20 yuan/g on gold) through the touch: a close the operator confirmed
        # should trade, not rest behind a market that moved a few ticks meanwhile.
        self._core = core
        self._ttl = ttl_s
        self._now = core.clock.now  # tokens expire by the kernel's clock
        self._ticks_through = ticks_through
        self._wait = wait_s
        self._pending: dict[str, _Pending] = {}

    def preview(self, symbol: str, direction: Direction, volume: int | None = None) -> ClosePreview:
        core = self._core
        self._expire()
        leg = core.book.leg(symbol, direction)
        if leg is None or leg.volume == 0:
            raise CloseError(f"no {direction} position in {symbol}")
        tick = core.last_tick(symbol)
        if tick is None:
            raise CloseError(f"no quote for {symbol} yet: cannot price the close")
        spec = core.spec(symbol)
        try:
            requests = close_requests(
                spec,
                leg,
                tick,
                core.book.active_orders(),
                volume=volume,
                ticks_through=self._ticks_through,
                source=OrderSource.OPERATOR,
                reference="close",
            )
        except PlanError as exc:
            raise CloseError(str(exc)) from None
        if not requests:
            raise CloseError(f"every lot of {symbol} {direction} is already in a working close")
        total = sum(r.volume for r in requests)
        # Expected P&L: the lots this close would take, valued at the last price.
        trial = copy.deepcopy(leg)
        expected = sum(
            (trial.close(r.offset, tick.last_price, r.volume, spec.multiplier) for r in requests),
            Decimal(0),
        )
        token = secrets.token_urlsafe(16)
        preview = ClosePreview(
            token=token,
            symbol=symbol,
            direction=direction,
            side=requests[0].side,
            volume=total,
            current_price=tick.last_price,
            expected_pnl=expected.quantize(CENT),
            plan=[PlannedOrder(str(r.offset), r.volume, r.price) for r in requests],
            expires_in_s=self._ttl,
        )
        self._pending[token] = _Pending(
            requests, preview, self._now() + timedelta(seconds=self._ttl)
        )
        return preview

    async def confirm(self, token: str) -> CloseResult:
        self._expire()
        pending = self._pending.pop(token, None)
        if pending is None:
            raise CloseError("unknown or expired confirmation token: preview the close again")
        preview = pending.preview
        order_ids: list[str] = []
        done = asyncio.Event()

        def on_order(_: EventType, order: Order) -> None:
            if order.order_id in order_ids and self._all_settled(order_ids):
                done.set()

        self._core.events.subscribe(EventType.ORDER, on_order)
        try:
            for request in pending.requests:
                try:
                    order_ids.append(await self._core.send_order(request))
                except OrderRefused as exc:
                    if not order_ids:
                        return CloseResult(
                            "rejected",
                            preview.symbol,
                            preview.direction,
                            preview.volume,
                            0,
                            message=str(exc),
                        )
                    break
            if not self._all_settled(order_ids):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(done.wait(), self._wait)
        finally:
            self._core.events.unsubscribe(EventType.ORDER, on_order)
        return self._result(preview, order_ids)

    def _all_settled(self, order_ids: list[str]) -> bool:
        book = self._core.book
        return all((o := book.order(oid)) is not None and o.status.is_terminal for oid in order_ids)

    def _result(self, preview: ClosePreview, order_ids: list[str]) -> CloseResult:
        found = (self._core.book.order(oid) for oid in order_ids)
        orders = [o for o in found if o is not None]
        traded = sum(o.traded for o in orders)
        reasons = "; ".join(o.reject_reason for o in orders if o.reject_reason)
        if traded == preview.volume:
            result = "filled"
        elif traded > 0:
            result = "partly_filled"
        elif orders and all(o.status is OrderStatus.REJECTED for o in orders):
            result = "rejected"
        else:
            result = "working"
        return CloseResult(
            result, preview.symbol, preview.direction, preview.volume, traded, orders, reasons
        )

    def _expire(self) -> None:
        now = self._now()
        for token in [t for t, p in self._pending.items() if p.expires < now]:
            del self._pending[token]
