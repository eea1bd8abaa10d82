"""Trading state and the emergency stop."""

from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from arbig.api.errors import ControlRefused
from arbig.api.trading import EmergencyReport, TradingStatus
from arbig.domain.enums import TradingState
from arbig.web.deps import ActorDep, ClientDep
from arbig.web.responses import DomainJSON
from arbig.web.schemas import answers

router = APIRouter(prefix="/risk", tags=["risk"])


class EmergencyIn(BaseModel):
    confirm: Literal[True] = Field(description="must be true")
    reason: str = Field("", max_length=255, description="why, for the audit trail")
    flatten: bool = Field(False, description="also close every position at the market")


class ResetIn(BaseModel):
    confirm: Literal[True] = Field(description="must be true")
    reason: str = Field(min_length=1, max_length=255, description="required")


class StateIn(BaseModel):
    state: TradingState
    reason: str = Field(min_length=1, max_length=255)


@router.get(
    "/state",
    summary="Trading state (active, reducing, halted) and the emergency stop",
    responses=answers(TradingStatus),
)
async def state(client: ClientDep) -> Any:
    return DomainJSON(await client.trading_status())


@router.put(
    "/state",
    summary="Set the trading state by hand (not while an emergency stop holds)",
    responses=answers(TradingStatus),
)
async def set_state(body: StateIn, client: ClientDep, actor: ActorDep) -> Any:
    try:
        result = await client.set_trading_state(body.state, body.reason, actor)
    except ControlRefused as exc:
        raise HTTPException(409, str(exc)) from None
    return DomainJSON(result)


@router.post(
    "/emergency-stop",
    summary="Stop the strategy, cancel every order, halt trading",
    responses=answers(EmergencyReport),
)
async def emergency_stop(body: EmergencyIn, client: ClientDep, actor: ActorDep) -> Any:
    report = await client.emergency_stop(body.reason or "emergency stop", body.flatten, actor)
    return DomainJSON(report)


@router.post(
    "/emergency-stop/reset",
    summary="Lift the emergency stop (a reason is required)",
    responses=answers(TradingStatus),
)
async def reset(body: ResetIn, client: ClientDep, actor: ActorDep) -> Any:
    try:
        result = await client.reset_emergency(body.reason, actor)
    except ControlRefused as exc:
        raise HTTPException(409, str(exc)) from None
    return DomainJSON(result)
