"""Operator commands with their audit entry: written before the answer, with the outcome.

A command starts by writing its entry as ``pending``; if that fails, the command is
refused (``AuditUnavailable``) before anything is done. The outcome then replaces
``pending``. Only if that second write fails does the entry stay ``pending``: it
never names an outcome other than the one the operator was told.
"""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import structlog

from arbig.api.actor import Actor
from arbig.api.errors import AuditUnavailable, Refused
from arbig.domain.audit import AuditEntry
from arbig.domain.contract import ContractError
from arbig.storage.audit import AuditTrail

log = structlog.get_logger(__name__)

T = TypeVar("T")
# The result and more detail; a "target" in that detail replaces the entry's target.
Outcome = Callable[[T], tuple[str, dict[str, Any]]]


def _ok(_: object) -> tuple[str, dict[str, Any]]:
    return "ok", {}


class Auditor:
    def __init__(self, trail: AuditTrail) -> None:
        self._trail = trail

    def entry(
        self, actor: Actor, action: str, result: str, target: str, detail: dict[str, Any]
    ) -> AuditEntry:
        return AuditEntry(
            datetime.now(UTC), actor.name, action, result, target, actor.address, detail
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
            entry_id = await self._trail.begin(self.entry(actor, action, "pending", target, detail))
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
            await self._trail.record(entry)
        except Exception as exc:
            log.error("audit write failed", action=entry.action, error=str(exc))
            return f"audit trail not written: {type(exc).__name__}: {exc}"
        return None

    async def _finish(
        self, entry_id: int, result: str, detail: dict[str, Any], target: str | None = None
    ) -> None:
        try:
            await self._trail.finish(entry_id, result, detail, target)
        except Exception as exc:
            log.error("audit outcome not written", entry=entry_id, result=result, error=str(exc))
