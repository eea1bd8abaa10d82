"""Trading state and the emergency stop."""

from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from arbig.api.errors import ControlRefused, OrderRefused
from arbig.api.trading import EmergencyReport, TradingStatus
from arbig.domain.enums import TradingState
from arbig.web.deps import ActorDep, ClientDep
from arbig.web.responses import DomainJSON
from arbig.web.schemas import answers, refused

router = APIRouter(prefix="/risk", tags=["risk"])


class EmergencyIn(BaseModel):
    # Flattening moves money: a misspelt or non-boolean ``flatten`` is refused, not read
    # as "do not flatten".
    model_config = {"extra": "forbid"}

    confirm: Literal[True] = Field(description="must be true")
    reason: str = Field("", max_length=255, description="why, for the audit trail")
    flatten: bool = Field(False, strict=True, description="also close every position at the market")


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
    responses={
        **answers(TradingStatus),
        **refused(409, "Not now: an emergency stop or a reconciliation difference holds"),
    },
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
    responses={
        **answers(TradingStatus),
        **refused(409, "No emergency stop is engaged, or the book still differs"),
    },
)
async def reset(body: ResetIn, client: ClientDep, actor: ActorDep) -> Any:
    try:
        result = await client.reset_emergency(body.reason, actor)
    except ControlRefused as exc:
        raise HTTPException(409, str(exc)) from None
    return DomainJSON(result)


class DifferenceOut(BaseModel):
    symbol: str
    direction: str
    book: int = Field(description="lots in ARBIG's book")
    broker: int = Field(description="lots at the broker")


class ReconciliationOut(BaseModel):
    halted: str | None = Field(description="why trading is halted by the reconciliation, if it is")
    differences: list[DifferenceOut]


class AcceptIn(BaseModel):
    model_config = {"extra": "forbid"}

    confirm: Literal[True] = Field(description="must be true")
    reason: str = Field(min_length=1, max_length=255, description="required, for the audit trail")


class AcceptedOut(BaseModel):
    adjustments: list[str] = Field(description="the adjustment fills recorded (trade ids)")
    reconciliation: ReconciliationOut


async def _reconciliation(client: ClientDep) -> ReconciliationOut:
    halted, differences = await client.reconciliation()
    return ReconciliationOut(
        halted=halted,
        differences=[
            DifferenceOut(symbol=d.symbol, direction=str(d.direction), book=d.book, broker=d.broker)
            for d in differences
        ],
    )


@router.get(
    "/reconciliation",
    summary="The book's positions against the broker's, and the reconciliation halt",
)
async def reconciliation(client: ClientDep) -> ReconciliationOut:
    return await _reconciliation(client)


@router.post(
    "/reconciliation/accept",
    summary="Accept the broker's positions: audited adjustment fills, the halt lifted",
    responses=refused(409, "The book still differs after the adjustment"),
)
async def accept(body: AcceptIn, client: ClientDep, actor: ActorDep) -> AcceptedOut:
    try:
        done = await client.accept_broker_positions(body.reason, actor)
    except OrderRefused as exc:
        raise HTTPException(409, str(exc)) from None
    return AcceptedOut(adjustments=done.adjustments, reconciliation=await _reconciliation(client))
