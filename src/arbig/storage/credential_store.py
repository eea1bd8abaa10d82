"""``web_credential`` and ``web_tokens``: the ``CredentialStore`` port
(``arbig.auth.credentials``) over SQL.

Every web process on the database sees a change within its poll of ``version``
(one primary-key read a second). Each change is one transaction that also moves
``version``, so a process never keeps an old credential under a new version for long:
it re-reads at its next poll.
"""

from datetime import UTC, datetime

from sqlalchemy import Update, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arbig.auth.credentials import ApiToken, CredentialError, Credentials
from arbig.storage.models import WebCredentialRow, WebTokenRow
from arbig.storage.types import utcnow

ROW = 1  # the credential is one row


def _bump(**values: object) -> Update:
    return (
        update(WebCredentialRow)
        .where(WebCredentialRow.id == ROW)
        .values(version=WebCredentialRow.version + 1, update_time=utcnow(), **values)
    )


def _created(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return utcnow()
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class SqlCredentialStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def load(self) -> Credentials | None:
        async with self._sessions() as session:
            row = await session.get(WebCredentialRow, ROW)
            if row is None:
                return None
            tokens = (await session.scalars(select(WebTokenRow).order_by(WebTokenRow.name))).all()
        return Credentials(
            password_hash=row.password_hash,
            secret=row.secret,
            tokens=[
                ApiToken(t.name, t.digest, t.create_time.isoformat(timespec="seconds"))
                for t in sorted(tokens, key=lambda t: (t.create_time, t.name))
            ],
            version=row.version,
        )

    async def version(self) -> int | None:
        async with self._sessions() as session:
            return await session.scalar(
                select(WebCredentialRow.version).where(WebCredentialRow.id == ROW)
            )

    async def create(self, credentials: Credentials) -> bool:
        try:
            async with self._sessions() as session, session.begin():
                if await session.get(WebCredentialRow, ROW) is not None:
                    return False
                session.add(
                    WebCredentialRow(
                        id=ROW,
                        password_hash=credentials.password_hash,
                        secret=credentials.secret,
                        version=1,
                    )
                )
                await session.flush()  # the credential row first: a rival's insert fails here
                session.add_all(
                    WebTokenRow(name=t.name, digest=t.digest, create_time=_created(t.created))
                    for t in credentials.tokens
                )
        except IntegrityError:  # another process created it at the same moment
            return False
        return True

    async def set_password_hash(self, password_hash: str, *, only_if_unset: bool = False) -> bool:
        statement = _bump(password_hash=password_hash)
        if only_if_unset:
            statement = statement.where(WebCredentialRow.password_hash.is_(None))
        async with self._sessions() as session, session.begin():
            result = await session.execute(statement)
        return bool(getattr(result, "rowcount", 0))

    async def add_token(self, token: ApiToken) -> None:
        taken = CredentialError(f"a token named {token.name!r} exists; revoke it first")
        try:
            async with self._sessions() as session, session.begin():
                if await session.get(WebTokenRow, token.name) is not None:
                    raise taken
                session.add(
                    WebTokenRow(
                        name=token.name, digest=token.digest, create_time=_created(token.created)
                    )
                )
                await session.flush()
                await session.execute(_bump())
        except IntegrityError:  # created by another process at the same moment
            raise taken from None

    async def revoke_token(self, name: str) -> bool:
        async with self._sessions() as session, session.begin():
            row = await session.get(WebTokenRow, name)
            if row is None:
                return False
            await session.delete(row)
            await session.flush()
            await session.execute(_bump())
        return True
