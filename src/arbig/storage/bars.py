"""The ``bars`` table: reading a range of 1-minute bars back (and saving one).

The running core records bars through the book writer (``BookWriter.bar``,
batched and retried with the rest of the book); ``save`` here is for tools and
tests: one short session per bar. Saving the same (symbol, start) twice keeps
the newer values, as the writer's upsert does.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arbig.domain.bar import Bar
from arbig.domain.calendar import EXCHANGE_TZ
from arbig.storage.models import BarRow
from arbig.storage.rows import bar_row


def bar_of(row: BarRow) -> Bar:
    return Bar(
        symbol=row.symbol,
        trading_day=row.trading_day,
        start=row.start_time.astimezone(EXCHANGE_TZ),
        open=row.open_price,
        high=row.high_price,
        low=row.low_price,
        close=row.close_price,
        volume=row.volume,
        turnover=row.turnover,
        open_interest=row.open_interest,
    )


class BarRepository:
    """Saves and loads bars, one session per call."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def save(self, bar: Bar) -> None:
        """Insert ``bar``, or overwrite the stored bar of the same symbol and minute."""
        async with self._sessions() as session, session.begin():
            existing = await session.scalar(
                select(BarRow).where(BarRow.symbol == bar.symbol, BarRow.start_time == bar.start)
            )
            if existing is None:
                session.add(BarRow(**bar_row(bar)))
            else:
                for name, value in bar_row(bar).items():
                    setattr(existing, name, value)

    async def load(
        self, symbol: str, start: datetime, end: datetime, limit: int = 10_000
    ) -> list[Bar]:
        """Bars of ``symbol`` starting in [start, end), oldest first, at most ``limit``."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(BarRow)
                .where(
                    BarRow.symbol == symbol,
                    BarRow.start_time >= start,
                    BarRow.start_time < end,
                )
                .order_by(BarRow.start_time)
                .limit(limit)
            )
            return [bar_of(row) for row in rows]
