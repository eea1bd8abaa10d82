"""The audit trail in ``audit_log``. Each entry is committed before the call returns:
an operator action must not be forgotten because a batch was still queued."""

from datetime import datetime

from sqlalchemy import select
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
        async with self._sessions() as session, session.begin():
            session.add(
                AuditRow(
                    time=entry.time,
                    actor=_clean(entry.actor, 64),
                    action=_clean(entry.action, 64),
                    target=_clean(entry.target, 128),
                    detail=entry.detail or None,
                    source_address=_clean(entry.source_address, 64),
                    result=_clean(entry.result, 16),
                )
            )

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
