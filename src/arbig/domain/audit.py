"""The audit trail's entries: who did what, when, from where, and how it ended."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class AuditEntry:
    time: datetime
    actor: str
    action: str
    result: str
    target: str = ""
    source_address: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
