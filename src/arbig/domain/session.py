"""The steps of a broker session (CTP: authenticate, login, settlement, queries) and
where each one stands, for the console and the health report."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class StepState(StrEnum):
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SessionStep:
    """One step of the session: its machine name, its state, what it found or why it
    failed, and when it last changed."""

    name: str
    state: StepState
    detail: str = ""
    at: datetime | None = None
