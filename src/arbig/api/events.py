"""What the core publishes, as ``CoreClient.events()`` yields it."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    TICK = "tick"
    BAR = "bar"
    ORDER = "order"
    TRADE = "trade"
    POSITIONS = "positions"
    ACCOUNT = "account"
    TRIGGER = "trigger"
    SYSTEM = "system"
    LOG = "log"


@dataclass(frozen=True, slots=True)
class Event:
    type: EventType
    payload: Any


@dataclass(frozen=True, slots=True)
class Gap:
    """The subscriber fell behind and ``lost`` events were dropped for it; what it built
    from earlier events may be stale and should be fetched again."""

    lost: int
