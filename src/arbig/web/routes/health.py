"""Health: answers without a login."""

from typing import Any

from fastapi import APIRouter

from arbig.api.health import ComponentState, Health
from arbig.web.deps import ClientDep
from arbig.web.responses import DomainJSON
from arbig.web.schemas import Alive, answers

NOT_UP: dict[int | str, Any] = {503: {"model": Health, "description": "Not every component is up"}}

router = APIRouter(tags=["system"])


@router.get(
    "/health",
    summary="Is the system up, which contract, each component's state",
    responses={**answers(Health), **NOT_UP},
)
async def health(client: ClientDep) -> Any:
    report = await client.health()
    code = 503 if report.status is ComponentState.DOWN else 200
    return DomainJSON(report, status_code=code)


@router.get("/health/live", summary="Liveness: the process answers", responses=answers(Alive))
async def live() -> Any:
    return {"status": "up"}


@router.get(
    "/health/ready",
    summary="Readiness: 200 only when every component is up",
    responses={**answers(Health), **NOT_UP},
)
async def ready(client: ClientDep) -> Any:
    report = await client.health()
    code = 200 if report.status is ComponentState.UP else 503
    return DomainJSON(report, status_code=code)
