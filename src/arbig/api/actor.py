"""Who issues an operator command, and from where: written to the audit trail."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    address: str = ""
