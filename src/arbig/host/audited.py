"""Operator commands with their audit entry: written before the answer, with the outcome.

A command starts by writing its entry as ``pending``; if that fails, the command is
refused (``AuditUnavailable``) before anything is done. The outcome then replaces
``pending``. Only if that second write fails does the entry stay ``pending``: it
never names an outcome other than the one the operator was told.

Neither write holds a command up for long: a database that does not answer the
first within ``WRITE_WAIT_S`` refuses the command (nothing was done); the outcome's
write is waited for as long, then left to finish in the background, so that an order
that reached the gateway is answered for even while the database hangs.
"""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import structlog

from arbig.api.actor import Actor
from arbig.api.errors import AuditUnavailable, Refused
from arbig.clock import Clock
from arbig.domain.audit import AuditEntry
from arbig.domain.contract import ContractError
from arbig.storage.audit import AuditTrail

log = structlog.get_logger(__name__)

T = TypeVar("T")
WRITE_WAIT_S = 2.0
_late: set["asyncio.Task[Any]"] = set()  # outcome writes still running after their wait
# The result and more detail; a "target" in that detail replaces the entry's target.
Outcome = Callable[[T], tuple[str, dict[str, Any]]]


def _ok(_: object) -> tuple[str, dict[str, Any]]:
    return "ok", {}


class Auditor:
    def __init__(self, trail: AuditTrail, clock: Clock) -> None:
        self._trail = trail
        self._clock = clock

    def entry(
        self, actor: Actor, action: str, result: str, target: str, detail: dict[str, Any]
    ) -> AuditEntry:
        return AuditEntry(
            self._clock.now(), actor.name, action, result, target, actor.address, detail
        )

    async def run(
        self,
        actor: Actor,
        action: str,
        command: Callable[[], Awaitable[T]],
        *,
        target: str = "",
        detail: dict[str, Any] | None = None,
        outcome: Outcome[T] = _ok,
    ) -> T:
        """Run ``command`` between the two audit writes; a refusal is audited as
        ``refused`` with its reason and raised again."""
        detail = detail or {}
        try:
            entry_id = await _within(
                self._trail.begin(self.entry(actor, action, "pending", target, detail)),
                late=lambda late_id: self._refused_late(late_id, detail),
            )
        except Exception as exc:
            log.error("audit write failed: command refused", action=action, error=str(exc))
            raise AuditUnavailable(
                f"the audit trail cannot be written ({type(exc).__name__}): {action} refused"
            ) from None
        try:
            value = await command()
        except (Refused, ContractError) as exc:
            await self._finish(entry_id, "refused", {**detail, "reason": str(exc)})
            raise
        except BaseException:
            await self._finish(entry_id, "failed", detail)
            raise
        result, more = outcome(value)
        new_target = more.pop("target", None)
        await self._finish(entry_id, result, {**detail, **more}, new_target)
        return value

    async def record(self, entry: AuditEntry) -> str | None:
        """Write one entry after the fact; returns why it failed, if it did."""
        try:
            await _within(self._trail.record(entry))
        except Exception as exc:
            log.error("audit write failed", action=entry.action, error=str(exc))
            return f"audit trail not written: {type(exc).__name__}: {exc}"
        return None

    async def _refused_late(self, entry_id: int, detail: dict[str, Any]) -> None:
        """An entry written after its command was refused for the wait: say so."""
        reason = f"refused: the audit trail did not answer within {WRITE_WAIT_S:g}s"
        await self._finish(entry_id, "refused", {**detail, "reason": reason})

    async def _finish(
        self, entry_id: int, result: str, detail: dict[str, Any], target: str | None = None
    ) -> None:
        try:
            await _within(self._trail.finish(entry_id, result, detail, target))
        except Exception as exc:
            log.error("audit outcome not written", entry=entry_id, result=result, error=str(exc))


async def _within(
    work: Coroutine[Any, Any, T], *, late: Callable[[T], Awaitable[None]] | None = None
) -> T:
    """``work``'s result within WRITE_WAIT_S, else TimeoutError. A late write is not
    cancelled (a hung server can hold a cancelled call as long): it finishes in the
    background, and ``late`` is then given its result."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=WRITE_WAIT_S)
    if done:
        return task.result()
    _late.add(task)
    task.add_done_callback(_late.discard)
    if late is not None:
        task.add_done_callback(lambda t: _then(t, late))
    raise TimeoutError(f"the database did not answer within {WRITE_WAIT_S:g}s")


def _then(task: "asyncio.Task[T]", late: Callable[[T], Awaitable[None]]) -> None:
    if task.cancelled() or task.exception() is not None:
        return
    follow = asyncio.ensure_future(late(task.result()))
    _late.add(follow)
    follow.add_done_callback(_late.discard)
