"""Trading state and the emergency stop."""

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from arbig.client import ControlRefused
from arbig.domain.enums import TradingState
from arbig.engine.core import OrderRefused
from arbig.engine.emergency import EmergencyReport, TradingStatus
from arbig.web.audit import audit
from arbig.web.deps import ClientDep
from arbig.web.responses import DomainJSON
from arbig.web.schemas import answers
from arbig.web.security import Operator

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
    return DomainJSON(client.controls.trading_status())


@router.put(
    "/state",
    summary="Set the trading state by hand (not while an emergency stop holds)",
    responses=answers(TradingStatus),
)
async def set_state(body: StateIn, client: ClientDep, request: Request, operator: Operator) -> Any:
    try:
        result = await client.controls.set_trading_state(body.state, body.reason, operator.name)
    except ControlRefused as exc:
        raise HTTPException(409, str(exc)) from None
    await audit(
        client,
        request,
        operator.name,
        "trading_state",
        str(body.state),
        detail={"reason": body.reason},
    )
    return DomainJSON(result)


@router.post(
    "/emergency-stop",
    summary="Stop the strategy, cancel every order, halt trading",
    responses=answers(EmergencyReport),
)
async def emergency_stop(
    body: EmergencyIn, client: ClientDep, request: Request, operator: Operator
) -> Any:
    report = await client.controls.emergency_stop(
        body.reason or "emergency stop", operator.name, body.flatten
    )
    result = "no-op" if report.already_engaged else "failed" if report.errors else "ok"
    await audit(
        client,
        request,
        operator.name,
        "emergency_stop",
        result,
        detail={"reason": body.reason, "flatten": body.flatten, "errors": report.errors},
    )
    return DomainJSON(report)


@router.post(
    "/emergency-stop/reset",
    summary="Lift the emergency stop (a reason is required)",
    responses=answers(TradingStatus),
)
async def reset(body: ResetIn, client: ClientDep, request: Request, operator: Operator) -> Any:
    try:
        result = await client.controls.reset_emergency(body.reason, operator.name)
    except ControlRefused as exc:
        raise HTTPException(409, str(exc)) from None
    await audit(
        client, request, operator.name, "emergency_reset", "ok", detail={"reason": body.reason}
    )
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
    responses={409: {"description": "the book still differs after the adjustment"}},
)
async def accept(body: AcceptIn, client: ClientDep, operator: Operator) -> AcceptedOut:
    try:
        trades = await client.accept_broker_positions(operator.name, body.reason)
    except OrderRefused as exc:
        raise HTTPException(409, str(exc)) from None
    return AcceptedOut(
        adjustments=[t.trade_id for t in trades], reconciliation=await _reconciliation(client)
    )
