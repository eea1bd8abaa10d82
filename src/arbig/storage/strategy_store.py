"""``strategy_configs`` and ``strategy_triggers``: the strategy engine's reads and writes.

Each method opens its own session and commits before it returns, because the
engine's promise is "the trigger is on disk before its order leaves". These
rows are few (one per decision), so they do not go through the batched writer.

``config_data`` holds ``{"params": {...}, "state": {...}}``: the validated
parameters, and the variables the strategy asked to keep across restarts.
"""

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arbig.domain.enums import ActionType, TriggerResult
from arbig.domain.handover import Handover
from arbig.domain.trigger import StoredConfig, Trigger
from arbig.storage.models import StrategyConfigRow, StrategyHandoverRow, StrategyTriggerRow
from arbig.storage.types import utcnow


class SqlStrategyStore:
    """The ``StrategyStore`` port over the SQL database."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def load_configs(self) -> list[StoredConfig]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(StrategyConfigRow).order_by(StrategyConfigRow.strategy_name)
            )
            return [_to_config(row) for row in rows]

    async def save_params(self, name: str, params: dict[str, Any]) -> None:
        await self._change(name, lambda data: {**data, "params": dict(params)})

    async def save_state(self, name: str, state: dict[str, Any]) -> None:
        await self._change(name, lambda data: {**data, "state": dict(state)})

    async def set_active(self, name: str, active: bool) -> None:
        async with self._sessions() as session, session.begin():
            row = await self._row(session, name)
            row.is_active = active
            row.update_time = utcnow()

    async def insert_trigger(self, trigger: Trigger) -> int:
        row = StrategyTriggerRow(
            strategy_name=trigger.strategy_name,
            symbol=trigger.symbol,
            trading_day=trigger.trading_day,
            trigger_time=trigger.trigger_time,
            trigger_condition=trigger.condition,
            trigger_price=trigger.price,
            action_type=trigger.action.value,
            execution_result=trigger.result.value,
            order_id=trigger.order_id,
            error_message=trigger.error_message,
        )
        async with self._sessions() as session, session.begin():
            session.add(row)
            await session.flush()
            return row.id

    async def update_trigger(self, trigger: Trigger) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(StrategyTriggerRow)
                .where(StrategyTriggerRow.id == trigger.trigger_id)
                .values(
                    execution_result=trigger.result.value,
                    order_id=trigger.order_id,
                    error_message=trigger.error_message,
                )
            )

    async def insert_handover(self, account_id: str, handover: Handover) -> None:
        row = StrategyHandoverRow(
            account_id=account_id,
            strategy_name=handover.strategy_name,
            symbol=handover.symbol,
            direction=handover.direction.value,
            volume_yesterday=handover.volume_yesterday,
            volume_today=handover.volume_today,
            price=handover.price,
            trading_day=handover.trading_day,
            handed_at=handover.handed_at,
        )
        async with self._sessions() as session, session.begin():
            session.add(row)

    async def triggers(self, name: str | None = None, limit: int = 100) -> list[Trigger]:
        query = select(StrategyTriggerRow).order_by(StrategyTriggerRow.id.desc()).limit(limit)
        if name is not None:
            query = query.where(StrategyTriggerRow.strategy_name == name)
        async with self._sessions() as session:
            return [_to_trigger(row) for row in await session.scalars(query)]

    async def _change(self, name: str, change: Any) -> None:
        async with self._sessions() as session, session.begin():
            row = await self._row(session, name)
            # A new dict, not an in-place edit: the JSON column only sees reassignment.
            row.config_data = change(dict(row.config_data or {}))
            row.update_time = utcnow()

    async def _row(self, session: AsyncSession, name: str) -> StrategyConfigRow:
        row = await session.scalar(
            select(StrategyConfigRow).where(StrategyConfigRow.strategy_name == name)
        )
        if row is None:
            row = StrategyConfigRow(strategy_name=name, config_data={}, is_active=False)
            session.add(row)
        return row


def _to_config(row: StrategyConfigRow) -> StoredConfig:
    data = row.config_data or {}
    return StoredConfig(
        name=row.strategy_name,
        params=dict(data.get("params") or {}),
        state=dict(data.get("state") or {}),
        is_active=bool(row.is_active),
    )


def _to_trigger(row: StrategyTriggerRow) -> Trigger:
    return Trigger(
        strategy_name=row.strategy_name,
        symbol=row.symbol,
        trading_day=row.trading_day,
        trigger_time=row.trigger_time,
        condition=row.trigger_condition,
        price=row.trigger_price,
        action=ActionType(row.action_type),
        result=TriggerResult(row.execution_result),
        order_ids=tuple(row.order_id.split(",")) if row.order_id else (),
        error_message=row.error_message,
        trigger_id=row.id,
    )
