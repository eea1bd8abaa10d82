"""The in-process event bus.

Dispatch is synchronous and in subscription order: a tick reaches the
portfolio, the tick store and the WebSocket hub within one call, with no task
switch in between. Handlers must therefore be quick; slow consumers (the book
writer, each WebSocket client) put the event on their own queue. A handler that
raises is logged and the remaining handlers still run.
"""

from collections import defaultdict
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import structlog

log = structlog.get_logger(__name__)


class EventType(StrEnum):
    TICK = "tick"
    BAR = "bar"
    ORDER = "order"
    TRADE = "trade"
    POSITIONS = "positions"
    ACCOUNT = "account"
    TRIGGER = "trigger"
    SYSTEM = "system"
    LOG = "log"


Handler = Callable[[EventType, Any], None]


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[EventType, list[Handler]] = defaultdict(list)
        self.errors = 0

    def subscribe(self, event_type: EventType, handler: Handler) -> None:
        self._handlers[event_type].append(handler)

    def subscribe_all(self, handler: Handler) -> None:
        for event_type in EventType:
            self.subscribe(event_type, handler)

    def unsubscribe(self, event_type: EventType, handler: Handler) -> None:
        handlers = self._handlers[event_type]
        if handler in handlers:
            handlers.remove(handler)

    def publish(self, event_type: EventType, payload: Any) -> None:
        for handler in tuple(self._handlers[event_type]):
            try:
                handler(event_type, payload)
            except Exception:
                self.errors += 1
                log.exception(
                    "event handler failed", event_type=str(event_type), handler=repr(handler)
                )
