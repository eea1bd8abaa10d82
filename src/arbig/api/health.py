"""The system's health and the application log, as the console shows them."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from arbig.domain.session import SessionStep


class ComponentState(StrEnum):
    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class Component:
    state: ComponentState
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Health:
    status: ComponentState
    main_contract: str
    version: str
    uptime_s: float
    components: dict[str, Component] = field(default_factory=dict)
    # the broker session's steps (CTP: authenticate, login, settlement, queries); empty
    # for a gateway without one
    session: list[SessionStep] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LogRecord:
    time: datetime
    level: str
    source: str
    message: str
    context: dict[str, Any] = field(default_factory=dict)
