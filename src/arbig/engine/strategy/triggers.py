"""The trigger lifecycle of one strategy; its steps run on the strategy's ``JobLine``.

For each trigger: write it (pending), send its orders through the core (and so
through risk), write the order ids, and when the orders end write success or
failure. Every write of the strategy goes through the same line, so a trigger's
update never overtakes its insert, and no order leaves before its trigger's
insert has returned (with a database, committed). A decision whose insert returns
later than ``max_age_s`` after it was taken (a database that hung) is not sent: the
market has moved on; its trigger fails with the reason.
"""

from collections.abc import Callable
from datetime import datetime

from arbig.domain.enums import OrderStatus
from arbig.domain.order import OrderRequest
from arbig.domain.trigger import Trigger
from arbig.engine.book import CorePorts, OrderRefused
from arbig.engine.bus import EventType
from arbig.engine.strategy.store import StrategyStore


class TriggerDesk:
    """A strategy's triggers: written, their orders sent, resolved when the orders end."""

    def __init__(
        self,
        core: CorePorts,
        store: StrategyStore,
        running: Callable[[], bool],
        *,
        clock: Callable[[], datetime],
        max_age_s: float,
    ) -> None:
        self.store = store
        self.orders: dict[str, int] = {}  # order id -> trigger id, for this strategy's orders
        self.live: set[str] = set()  # of those, the ones not yet reported ended
        self.open: dict[int, Trigger] = {}  # triggers waiting for their orders to end
        self._core = core
        self._running = running
        self._clock = clock
        self._max_age_s = max_age_s

    async def execute(
        self, trigger: Trigger, requests: list[OrderRequest], error: str | None
    ) -> None:
        trigger = trigger.with_id(await self.store.insert_trigger(trigger))
        if error is not None or not requests:
            self._publish(trigger)
            await self._update(trigger.failed(error) if error is not None else trigger.succeeded())
            return
        failure = None
        age = (self._clock() - trigger.trigger_time).total_seconds()
        if age > self._max_age_s:
            failure = (
                f"stale: decided {age:.1f}s ago (the limit is {self._max_age_s}s), not sent; "
                "the database was slow to record the trigger"
            )
            requests = []
        for request in requests:
            if not self._running():  # stopped while the trigger was being written
                failure = "the strategy stopped before the order was sent"
                break
            try:
                order_id = await self._core.orders.send_order(request)
            except OrderRefused as exc:
                failure = f"refused: {exc}"
                break
            except Exception as exc:
                failure = f"{type(exc).__name__}: {exc}"
                break
            trigger = trigger.with_order(order_id)
            self.orders[order_id] = trigger.trigger_id
            self.live.add(order_id)
        # Pending goes out once the orders have left, with their ids: a console encoding
        # it (the WebSocket hub) does not hold them up.
        self._publish(trigger)
        if failure is not None:
            await self._update(trigger.failed(failure))
            return
        self.open[trigger.trigger_id] = trigger
        await self.store.update_trigger(trigger)
        await self.resolve(trigger.trigger_id)  # orders may have ended already

    async def resolve(self, trigger_id: int) -> None:
        trigger = self.open.get(trigger_id)
        if trigger is None:
            return
        orders = [self._core.book.order(i) for i in trigger.order_ids]
        if any(o is None or o.is_active for o in orders):
            return
        done = [o for o in orders if o is not None]
        failures = [
            f"{o.order_id} {o.status}"
            + (f": {o.reject_reason}" if o.reject_reason else "")
            + (f" after {o.traded}/{o.volume} filled" if o.traded else "")
            for o in done
            if o.status is not OrderStatus.ALL_TRADED
        ]
        del self.open[trigger_id]
        await self._update(trigger.failed("; ".join(failures)) if failures else trigger.succeeded())

    async def _update(self, trigger: Trigger) -> None:
        await self.store.update_trigger(trigger)
        self._publish(trigger)

    def _publish(self, trigger: Trigger) -> None:
        self._core.events.publish(EventType.TRIGGER, trigger)
