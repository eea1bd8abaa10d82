"""Strategy triggers: every decision a strategy takes, with what it saw and what came of it.

A trigger starts ``pending`` when the strategy decides to act. It is written to
``strategy_triggers`` before any order leaves, then resolved: ``success`` when
every order it sent filled completely (or at once for a ``hold``), ``failed``
when an order was refused, rejected or cancelled, or the strategy itself failed.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from arbig.domain.enums import ActionType, TriggerResult

CONDITION_MAX = 255  # strategy_triggers.trigger_condition is VARCHAR(255)


@dataclass(frozen=True, slots=True)
class Trigger:
    """One decision of a strategy. ``trigger_id`` is the storage row id once written (0 before).

    ``order_ids`` lists every order sent for the decision: a close may take two,
    one for today's lots and one for yesterday's (SHFE prices them differently).
    """

    strategy_name: str
    symbol: str
    trading_day: date
    trigger_time: datetime
    condition: str
    price: Decimal | None
    action: ActionType
    result: TriggerResult = TriggerResult.PENDING
    order_ids: tuple[str, ...] = ()
    error_message: str | None = None
    trigger_id: int = 0

    def __post_init__(self) -> None:
        if len(self.condition) > CONDITION_MAX:
            object.__setattr__(self, "condition", self.condition[: CONDITION_MAX - 1] + "…")

    @property
    def is_pending(self) -> bool:
        return self.result is TriggerResult.PENDING

    @property
    def order_id(self) -> str | None:
        """The order ids as one column value (``strategy_triggers.order_id``)."""
        return ",".join(self.order_ids) or None

    def with_id(self, trigger_id: int) -> "Trigger":
        return self._copy(self.result, self.order_ids, self.error_message, trigger_id)

    def with_order(self, order_id: str) -> "Trigger":
        order_ids = (*self.order_ids, order_id)
        return self._copy(self.result, order_ids, self.error_message, self.trigger_id)

    def succeeded(self) -> "Trigger":
        return self._copy(TriggerResult.SUCCESS, self.order_ids, None, self.trigger_id)

    def failed(self, error: str) -> "Trigger":
        return self._copy(TriggerResult.FAILED, self.order_ids, error, self.trigger_id)

    def _copy(
        self,
        result: TriggerResult,
        order_ids: tuple[str, ...],
        error_message: str | None,
        trigger_id: int,
    ) -> "Trigger":
        # Written out rather than dataclasses.replace, which inspects the fields on
        # every call: a trigger changes state several times per decision.
        return Trigger(
            self.strategy_name,
            self.symbol,
            self.trading_day,
            self.trigger_time,
            self.condition,
            self.price,
            self.action,
            result,
            order_ids,
            error_message,
            trigger_id,
        )


@dataclass(frozen=True, slots=True)
class StoredConfig:
    """One ``strategy_configs`` row: parameters, the strategy's own saved state, running or not."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    is_active: bool = False
