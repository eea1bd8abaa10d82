"""``CoreClient.events()`` for a core in this process: the bus, through a bounded queue."""

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from arbig.api.events import Event, EventType, Gap
from arbig.engine.book import Events

QUEUE_LIMIT = 10_000


class Subscription:
    """Queues every bus event for one consumer. A consumer that lets ``limit`` events
    pile up loses them: the queue is emptied and the next item it reads is a ``Gap``."""

    def __init__(self, bus: Events, limit: int = QUEUE_LIMIT) -> None:
        self._bus = bus
        self._limit = limit
        self._queue: deque[Event | Gap] = deque()
        self._lost = 0
        self._wakeup: asyncio.Future[None] | None = None
        for event_type in EventType:
            bus.subscribe(event_type, self._on_event)

    def _on_event(self, event_type: EventType, payload: Any) -> None:
        if len(self._queue) >= self._limit:
            self._lost += len(self._queue) + 1
            self._queue.clear()
        else:
            self._queue.append(Event(event_type, payload))
        waiter = self._wakeup
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def close(self) -> None:
        for event_type in EventType:
            self._bus.unsubscribe(event_type, self._on_event)

    async def __aiter__(self) -> AsyncIterator[Event | Gap]:
        try:
            while True:
                if self._lost:
                    lost, self._lost = self._lost, 0
                    yield Gap(lost)
                    continue
                if not self._queue:
                    self._wakeup = asyncio.get_running_loop().create_future()
                    await self._wakeup
                    self._wakeup = None
                    continue
                yield self._queue.popleft()
        finally:
            self.close()


def bus_events(bus: Events, limit: int = QUEUE_LIMIT) -> AsyncIterator[Event | Gap]:
    return Subscription(bus, limit).__aiter__()
