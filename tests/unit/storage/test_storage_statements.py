"""``settlement_statements``: the statements the CTP session confirmed, one per day."""

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arbig.domain.session import SettlementStatement
from arbig.storage.statement_store import SqlStatementStore


def statement(day: int, text: str) -> SettlementStatement:
    return SettlementStatement(date(2026, 12, day), text, datetime(2026, 12, day, 1, tzinfo=UTC))


async def test_the_latest_statement_is_read_back_whole(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    store = SqlStatementStore(sessions)
    assert await store.latest("123456") is None
    long_text = "结算单 交易结算单(盯市)\n" + "成交记录 au2606 买 开 912.00 1\n" * 3000
    await store.save("123456", statement(2, "昨日"))
    await store.save("123456", statement(3, long_text))
    await store.save("other", statement(4, "another account"))
    assert await store.latest("123456") == statement(3, long_text)


async def test_a_statement_received_again_for_the_day_replaces_the_first(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    store = SqlStatementStore(sessions)
    await store.save("123456", statement(3, "first login"))
    await store.save("123456", statement(3, "after the reconnect"))
    latest = await store.latest("123456")
    assert latest is not None and latest.text == "after the reconnect"
