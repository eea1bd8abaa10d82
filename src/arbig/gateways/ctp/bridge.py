"""From CTP's threads to the event loop: every callback handed over in order.

CTP calls an SPI's methods on a thread of its own, and the struct it passes lives in
CTP's buffer only for the duration of the call. So the SPI copies each struct on that
thread (``copy_fields``, a plain dict) and posts the copy with ``CallbackBridge.post``,
which is ``loop.call_soon_threadsafe``: it never blocks the API thread, and calls
posted from one thread run on the loop in the order they were posted.
"""

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import structlog

log = structlog.get_logger(__name__)

Fields = dict[str, Any]
"""A CTP struct copied field by field (``CThostFtdcOrderField`` -> its values)."""


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(struct_type: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(struct_type)
    if names is None:
        # SWIG exposes each C field as a property on the class; reserve* are unused slots.
        names = _FIELD_NAMES[struct_type] = tuple(
            name
            for klass in reversed(struct_type.__mro__)
            for name, value in vars(klass).items()
            if isinstance(value, property) and name != "thisown" and not name.startswith("reserve")
        )
    return names


def copy_fields(struct: Any) -> Fields | None:
    """A dict of ``struct``'s fields (None for a None struct). Call it on the API thread."""
    if struct is None:
        return None
    return {name: getattr(struct, name) for name in _field_names(type(struct))}


class CallbackBridge:
    """Posts handlers with their (already copied) arguments to one event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, name: str) -> None:
        self._loop = loop
        self._name = name
        self._closed = threading.Event()
        self.dropped = 0  # posts after close or after the loop closed

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def post(self, handler: Callable[..., None], *args: Any) -> None:
        """Run ``handler(*args)`` on the loop, after everything posted before it.
        Safe from any thread; returns at once."""
        if self._closed.is_set():
            self.dropped += 1
            return
        try:
            self._loop.call_soon_threadsafe(self._run, handler, args)
        except RuntimeError:  # the loop is closed: the process is ending
            self.dropped += 1

    def _run(self, handler: Callable[..., None], args: tuple[Any, ...]) -> None:
        if self._closed.is_set():
            self.dropped += 1
            return
        try:
            handler(*args)
        except Exception:
            # One bad callback must not stop the ones after it.
            log.exception("ctp callback failed", bridge=self._name, handler=handler.__name__)

    def close(self) -> None:
        """Drop whatever is posted from now on (and what is queued but not yet run)."""
        self._closed.set()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()
