"""``trading_state`` and ``market_choice``: the core's standing state, one row each.

Each save commits before it returns: an operator's halt or contract choice is on
disk before the command answers. A row whose state the code no longer knows reads
as halted with the reason: an unreadable state may hide an engaged stop.
"""

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arbig.domain.enums import TradingState
from arbig.domain.state import MarketChoice, TradingStatus
from arbig.storage.models import MarketChoiceRow, TradingStateRow
from arbig.storage.types import utcnow

ROW = 1  # each table holds one row


class SqlStateStore:
    """The ``StateStore`` port over the SQL database."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def load_trading_status(self) -> TradingStatus | None:
        async with self._sessions() as session:
            row = await session.get(TradingStateRow, ROW)
        if row is None:
            return None
        try:
            state = TradingState(row.state)
        except ValueError:
            return TradingStatus(
                TradingState.HALTED, True, row.since, f"unknown trading state {row.state!r}"
            )
        return TradingStatus(state, row.emergency, row.since, row.reason, row.actor)

    async def save_trading_status(self, status: TradingStatus) -> None:
        async with self._sessions() as session, session.begin():
            row = await session.get(TradingStateRow, ROW)
            if row is None:
                row = TradingStateRow(id=ROW)
                session.add(row)
            row.state = status.state.value
            row.emergency = status.emergency
            row.since = status.since
            row.reason = status.reason[:255]
            row.actor = status.actor[:64]
            row.update_time = utcnow()

    async def load_market_choice(self) -> MarketChoice:
        async with self._sessions() as session:
            row = await session.get(MarketChoiceRow, ROW)
        if row is None:
            return MarketChoice()
        watchlist = tuple(str(s) for s in row.watchlist) if row.watchlist is not None else None
        return MarketChoice(row.main_contract or None, watchlist, row.update_time)

    async def save_market_choice(self, choice: MarketChoice) -> MarketChoice:
        now = utcnow()
        async with self._sessions() as session, session.begin():
            row = await session.get(MarketChoiceRow, ROW)
            if row is None:
                row = MarketChoiceRow(id=ROW)
                session.add(row)
            row.main_contract = choice.main_contract
            row.watchlist = list(choice.watchlist) if choice.watchlist is not None else None
            row.update_time = now
        return MarketChoice(choice.main_contract, choice.watchlist, now)
