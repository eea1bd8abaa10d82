"""The in-process event bus.

Dispatch is synchronous and in subscription order: a tick reaches the
portfolio, the tick store and the WebSocket hub within one call, with no task
switch in between. Handlers must therefore be quick: the book writer queues the
event; the WebSocket hub encodes it once and writes the frame to every client that
is keeping up (as ``websockets.broadcast`` does), queueing only for those behind. A
handler that raises is logged and the remaining handlers still run. Work a handler
wants done right after an event, but only once everyone has seen it (a strategy's
order send), goes through ``after_dispatch``.
"""

from collections.abc import Callable
from typing import Any

import structlog

from arbig.api.events import EventType as EventType  # engine modules import it from here

log = structlog.get_logger(__name__)


Handler = Callable[[EventType, Any], None]


class EventBus:
    def __init__(self) -> None:
        # Tuples, replaced on (un)subscribe: a publication iterates its own snapshot.
        self._handlers: dict[EventType, tuple[Handler, ...]] = {}
        # The event types some handler takes: a publisher asking on every tick tests
        # membership instead of calling ``listened``.
        self.listening: frozenset[EventType] = frozenset()
        self.errors = 0
        self._depth = 0  # publications under way (a handler may publish)
        self._after: list[Callable[[], None]] = []

    def subscribe(self, event_type: EventType, handler: Handler) -> None:
        self._handlers[event_type] = (*self._handlers.get(event_type, ()), handler)
        self.listening = self.listening | {event_type}

    def listened(self, event_type: EventType) -> bool:
        """Whether any handler takes ``event_type`` (a publisher may then skip building it)."""
        return event_type in self.listening

    def subscribe_all(self, handler: Handler) -> None:
        for event_type in EventType:
            self.subscribe(event_type, handler)

    def unsubscribe(self, event_type: EventType, handler: Handler) -> None:
        handlers = list(self._handlers.get(event_type, ()))
        if handler in handlers:
            handlers.remove(handler)
            self._handlers[event_type] = tuple(handlers)
            if not handlers:
                self.listening = self.listening - {event_type}

    def after_dispatch(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the event being published has reached every handler (at
        once when none is): what a handler starts then, every handler saw the event first."""
        if self._depth:
            self._after.append(callback)
        else:
            callback()

    def publish(self, event_type: EventType, payload: Any) -> None:
        self._depth += 1
        try:
            for handler in self._handlers.get(event_type, ()):
                try:
                    handler(event_type, payload)
                except Exception:
                    self.errors += 1
                    log.exception(
                        "event handler failed", event_type=str(event_type), handler=repr(handler)
                    )
        finally:
            self._depth -= 1
        if not self._depth and self._after:
            self._run_after()

    def _run_after(self) -> None:
        while self._after:
            callback = self._after.pop(0)
            try:
                callback()
            except Exception:
                self.errors += 1
                log.exception("after-dispatch callback failed", callback=repr(callback))
