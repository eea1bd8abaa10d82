"""``settlement_statements``: the broker's statements the CTP session confirmed."""

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arbig.domain.session import SettlementStatement
from arbig.storage.models import SettlementStatementRow


class SqlStatementStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def save(self, account_id: str, statement: SettlementStatement) -> None:
        """Keep ``statement``; one received again for the same trading day (a re-login)
        replaces the earlier one."""
        row = SettlementStatementRow
        async with self._sessions() as session, session.begin():
            await session.execute(
                delete(row).where(
                    row.account_id == account_id, row.trading_day == statement.trading_day
                )
            )
            session.add(
                row(
                    account_id=account_id,
                    trading_day=statement.trading_day,
                    content=statement.text,
                    received_at=statement.received_at,
                )
            )

    async def latest(self, account_id: str) -> SettlementStatement | None:
        row = SettlementStatementRow
        async with self._sessions() as session:
            found = await session.scalar(
                select(row)
                .where(row.account_id == account_id)
                .order_by(row.trading_day.desc())
                .limit(1)
            )
        if found is None:
            return None
        return SettlementStatement(found.trading_day, found.content, found.received_at)
