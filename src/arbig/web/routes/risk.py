"""Trading state and the emergency stop."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from arbig.api.errors import ControlRefused, OrderRefused
from arbig.api.trading import EmergencyReport, TradingStatus
from arbig.domain.enums import TradingState
from arbig.domain.reconcile import AccountFigures
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


class FiguresOut(BaseModel):
    balance: Decimal
    available: Decimal
    margin: Decimal
    frozen_margin: Decimal
    commission: Decimal = Field(description="the trading day's")
    close_profit: Decimal | None = Field(
        description="the trading day's, marked by date; null where that side does not count it"
    )
    pre_balance: Decimal | None = Field(
        None,
        description="the balance the previous trading day settled at; null where that side "
        "does not report it (or the report is of a day the book has not reached)",
    )


class MoneyDifferenceOut(BaseModel):
    field: str = Field(description="balance, available, margin, frozen_margin, commission, ...")
    book: Decimal
    broker: Decimal
    difference: Decimal = Field(description="book less broker")


class MoneyOut(BaseModel):
    checked_at: datetime | None = Field(
        description="the broker's last account report; null before the first"
    )
    account_id: str | None
    truth: Literal["broker", "book"] = Field(
        description="whose figures are the account's: the broker's while trading live"
    )
    book: FiguresOut | None = Field(description="ARBIG's account at that report")
    broker: FiguresOut | None = Field(description="the broker's account in that report")
    differences: list[MoneyDifferenceOut] = Field(description="figures apart by more than a cent")
    hints: list[str] = Field(
        default_factory=list,
        description="what the differing figures likely mean and what to do, one line each",
    )


def _figures(figures: AccountFigures) -> FiguresOut:
    return FiguresOut(
        balance=figures.balance,
        available=figures.available,
        margin=figures.margin,
        frozen_margin=figures.frozen_margin,
        commission=figures.commission,
        close_profit=figures.close_profit,
        pre_balance=figures.pre_balance,
    )


@router.get(
    "/reconciliation/money",
    summary="ARBIG's account against the broker's, at the broker's last account report",
)
async def money(client: ClientDep) -> MoneyOut:
    found = await client.money_reconciliation()
    if found is None:
        return MoneyOut(
            checked_at=None, account_id=None, truth="book", book=None, broker=None, differences=[]
        )
    return MoneyOut(
        checked_at=found.checked_at,
        account_id=found.account_id,
        truth="broker" if found.broker_is_truth else "book",
        book=_figures(found.book),
        broker=_figures(found.broker),
        differences=[
            MoneyDifferenceOut(field=d.field, book=d.book, broker=d.broker, difference=d.difference)
            for d in found.differences
        ],
        hints=list(found.hints),
    )


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
