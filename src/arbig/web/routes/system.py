"""System status, the application log and the audit trail."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from arbig.api.health import Health, LogRecord
from arbig.domain.audit import AuditEntry
from arbig.domain.session import SettlementStatement
from arbig.web.deps import ClientDep
from arbig.web.responses import DomainJSON
from arbig.web.schemas import IsoTime, answers

router = APIRouter(tags=["system"])

LogLevel = Literal["debug", "info", "warning", "error", "critical"]


@router.get(
    "/system/status",
    summary="Each component's state, uptime and version",
    responses=answers(Health),
)
async def status(client: ClientDep) -> Any:
    return DomainJSON(await client.health())


@router.get(
    "/system/settlement-statement",
    summary="The broker's settlement statement the session confirmed (null without one)",
    responses=answers(SettlementStatement | None),
)
async def settlement_statement(client: ClientDep) -> Any:
    return DomainJSON(await client.settlement_statement())


@router.get(
    "/logs", summary="Application log records, newest first", responses=answers(list[LogRecord])
)
async def logs(
    client: ClientDep,
    level: Annotated[LogLevel | None, Query(description="this level and above")] = None,
    since: IsoTime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Any:
    return DomainJSON(await client.logs(level=level, since=since, limit=limit))


@router.get(
    "/audit",
    summary="The audit trail: operator actions, newest first",
    responses=answers(list[AuditEntry]),
)
async def audit_trail(
    client: ClientDep,
    since: IsoTime | None = None,
    until: IsoTime | None = None,
    action: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z_]+$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Any:
    entries = await client.audit_entries(
        since=since, until=until, action=action, limit=limit, offset=offset
    )
    return DomainJSON(entries)
