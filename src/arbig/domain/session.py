"""The steps of a broker session (CTP: authenticate, login, settlement, queries) and
where each one stands, for the console and the health report."""

from dataclasses import dataclass
from datetime import date, datetime
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


@dataclass(frozen=True, slots=True)
class SettlementStatement:
    """The broker's settlement statement the session confirmed: the text of the last
    settled day, received at the login of ``trading_day``."""

    trading_day: date
    text: str
    received_at: datetime
