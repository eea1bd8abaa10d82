"""``web_sessions``: the ``SessionStore`` port (``arbig.auth.sessions``) over SQL.

Every web process on the same database sees a logout at its next request. Expired
rows are swept when a session is opened.
"""

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arbig.storage.models import WebSessionRow


class SqlSessionStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def open(self, session_id: str, expires: int, now: int) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(delete(WebSessionRow).where(WebSessionRow.expires < now))
            session.add(WebSessionRow(id=session_id, expires=expires))

    async def is_live(self, session_id: str, now: int) -> bool:
        async with self._sessions() as session:
            expires = await session.scalar(
                select(WebSessionRow.expires).where(WebSessionRow.id == session_id)
            )
        return expires is not None and expires >= now

    async def end(self, session_id: str) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(delete(WebSessionRow).where(WebSessionRow.id == session_id))

    async def end_all(self) -> int:
        async with self._sessions() as session, session.begin():
            result = await session.execute(delete(WebSessionRow))
        return int(getattr(result, "rowcount", 0) or 0)
