"""What the strategy engine needs from storage: configurations, triggers and handovers.

``storage.strategy_store.SqlStrategyStore`` is the real adapter; ``MemoryStrategyStore``
keeps everything in this process (benchmarks, and a core run without a database).
"""

from dataclasses import replace
from typing import Any, Protocol

from arbig.domain.handover import Handover
from arbig.domain.trigger import StoredConfig, Trigger

__all__ = ["MemoryStrategyStore", "StoredConfig", "StrategyStore"]


class StrategyStore(Protocol):
    """Reads and writes of strategy configurations and triggers; each call is its own unit."""

    async def load_configs(self) -> list[StoredConfig]: ...

    async def save_params(self, name: str, params: dict[str, Any]) -> None:
        """Create the row or replace its parameters (state and activity stay)."""
        ...

    async def save_state(self, name: str, state: dict[str, Any]) -> None: ...

    async def set_active(self, name: str, active: bool) -> None: ...

    async def insert_trigger(self, trigger: Trigger) -> int:
        """Write a new trigger; returns its id."""
        ...

    async def update_trigger(self, trigger: Trigger) -> None:
        """Write the result, order ids and error of a trigger written before."""
        ...

    async def triggers(self, name: str | None = None, limit: int = 100) -> list[Trigger]:
        """The latest triggers, newest first; of one strategy when ``name`` is given."""
        ...

    async def insert_handover(self, account_id: str, handover: Handover) -> None:
        """Record lots handed to a strategy (committed before it returns)."""
        ...


class MemoryStrategyStore:
    """A ``StrategyStore`` in a dict: nothing survives the process."""

    def __init__(self) -> None:
        self.configs: dict[str, StoredConfig] = {}
        self.rows: dict[int, Trigger] = {}
        self.handovers: list[Handover] = []

    async def load_configs(self) -> list[StoredConfig]:
        return list(self.configs.values())

    async def save_params(self, name: str, params: dict[str, Any]) -> None:
        config = self.configs.get(name, StoredConfig(name))
        self.configs[name] = replace(config, params=dict(params))

    async def save_state(self, name: str, state: dict[str, Any]) -> None:
        # Written out rather than dataclasses.replace: a strategy saves after every fill.
        config = self.configs.get(name)
        if config is None:
            self.configs[name] = StoredConfig(name, state=dict(state))
        else:
            self.configs[name] = StoredConfig(name, config.params, dict(state), config.is_active)

    async def set_active(self, name: str, active: bool) -> None:
        config = self.configs.get(name, StoredConfig(name))
        self.configs[name] = replace(config, is_active=active)

    async def insert_trigger(self, trigger: Trigger) -> int:
        trigger_id = len(self.rows) + 1
        self.rows[trigger_id] = trigger  # given its id when read: no copy on the send path
        return trigger_id

    async def update_trigger(self, trigger: Trigger) -> None:
        self.rows[trigger.trigger_id] = trigger

    async def insert_handover(self, account_id: str, handover: Handover) -> None:
        self.handovers.append(handover)

    async def triggers(self, name: str | None = None, limit: int = 100) -> list[Trigger]:
        found = [
            t if t.trigger_id else t.with_id(i)
            for i, t in reversed(self.rows.items())
            if name is None or t.strategy_name == name
        ]
        return found[:limit]
