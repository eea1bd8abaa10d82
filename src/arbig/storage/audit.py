"""The audit trail in ``audit_log``. Each entry is committed before the call returns:
an operator action must not be forgotten because a batch was still queued."""

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arbig.domain.audit import AuditEntry
from arbig.storage.models import AuditRow


def _clean(text: str, limit: int) -> str:
    """No line breaks from user input reach a record (no forged log lines)."""
    return " ".join(text.split())[:limit]


class AuditTrail:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def record(self, entry: AuditEntry) -> None:
        await self.begin(entry)

    async def begin(self, entry: AuditEntry) -> int:
        """Write ``entry``; returns its id, for ``finish`` to set the outcome."""
        row = AuditRow(
            time=entry.time,
            actor=_clean(entry.actor, 64),
            action=_clean(entry.action, 64),
            target=_clean(entry.target, 128),
            detail=entry.detail or None,
            source_address=_clean(entry.source_address, 64),
            result=_clean(entry.result, 16),
        )
        async with self._sessions() as session, session.begin():
            session.add(row)
            await session.flush()
            return row.id

    async def finish(
        self, entry_id: int, result: str, detail: dict[str, Any], target: str | None = None
    ) -> None:
        """Set the outcome of an entry written by ``begin``."""
        values: dict[str, Any] = {"result": _clean(result, 16), "detail": detail or None}
        if target is not None:
            values["target"] = _clean(target, 128)
        async with self._sessions() as session, session.begin():
            await session.execute(update(AuditRow).where(AuditRow.id == entry_id).values(**values))

    async def entries(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        action: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AuditEntry]:
        query = select(AuditRow)
        if since is not None:
            query = query.where(AuditRow.time >= since)
        if until is not None:
            query = query.where(AuditRow.time < until)
        if action:
            query = query.where(AuditRow.action == action)
        query = query.order_by(AuditRow.time.desc(), AuditRow.id.desc()).limit(limit).offset(offset)
        async with self._sessions() as session:
            rows = await session.scalars(query)
            return [
                AuditEntry(
                    time=row.time,
                    actor=row.actor,
                    action=row.action,
                    result=row.result,
                    target=row.target,
                    source_address=row.source_address,
                    detail=row.detail or {},
                )
                for row in rows
            ]
