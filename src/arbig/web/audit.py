"""Writing operator actions to the audit trail from a request."""

from datetime import UTC, datetime
from typing import Any

from starlette.requests import HTTPConnection

from arbig.client import CoreClient
from arbig.domain.audit import AuditEntry
from arbig.web.security import client_address


async def audit(
    client: CoreClient,
    connection: HTTPConnection,
    actor: str,
    action: str,
    result: str,
    *,
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    await client.audit(
        AuditEntry(
            time=datetime.now(UTC),
            actor=actor,
            action=action,
            result=result,
            target=target,
            source_address=client_address(connection),
            detail=detail or {},
        )
    )
