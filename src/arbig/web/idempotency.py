"""``Idempotency-Key``: a retried POST that moves money acts once.

The first request with a key acts; a request with the same key (from the same
caller) within ``WINDOW_S`` answers that first answer without acting again, waiting
for it if it is still running. The same key with a different body is refused. An
answer that is neither a success nor a refusal (a 5xx) is not kept, so the retry acts.
Keys live in this web process.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Header, HTTPException

HEADER = "Idempotency-Key"
WINDOW_S = 24 * 3600.0

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=128,
        pattern=r"^[\x21-\x7e]+$",
        description=(
            "optional: a retry with the same key within 24 h answers the first answer "
            "without acting again (1 to 128 printable ASCII characters)"
        ),
    ),
]


@dataclass
class _Entry:
    body: str
    created: float
    done: asyncio.Event = field(default_factory=asyncio.Event)
    answer: Any = None
    refusal: HTTPException | None = None


class Idempotency:
    """The keys seen in the window, by (caller, route, key)."""

    def __init__(self, window_s: float = WINDOW_S) -> None:
        self.window_s = window_s
        self._entries: dict[tuple[str, str, str], _Entry] = {}

    def _sweep(self, now: float) -> None:
        old = [
            slot
            for slot, entry in self._entries.items()
            if entry.done.is_set() and now - entry.created > self.window_s
        ]
        for slot in old:
            del self._entries[slot]

    async def once(
        self,
        key: str | None,
        scope: tuple[str, str],
        body: str,
        act: Callable[[], Awaitable[Any]],
    ) -> Any:
        """``act()``, or the answer of the first request with ``key``."""
        if key is None:
            return await act()
        now = time.monotonic()
        self._sweep(now)
        slot = (*scope, key)
        entry = self._entries.get(slot)
        if entry is not None:
            if entry.body != body:
                raise HTTPException(
                    422, f"the {HEADER} header was already used with a different body"
                )
            await entry.done.wait()
            if self._entries.get(slot) is not entry:  # the first failed: this one acts
                return await self.once(key, scope, body, act)
            if entry.refusal is not None:
                raise entry.refusal
            return entry.answer
        entry = self._entries[slot] = _Entry(body, now)
        try:
            entry.answer = await act()
        except HTTPException as exc:
            if exc.status_code >= 500:
                del self._entries[slot]
                raise
            entry.refusal = exc
            raise
        except BaseException:
            del self._entries[slot]
            raise
        finally:
            entry.done.set()
        return entry.answer
