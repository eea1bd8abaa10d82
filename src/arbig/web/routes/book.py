"""The book: positions with live P&L, the account and its equity curve, orders."""

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from arbig.api.closing import ClosePreview, CloseResult
from arbig.api.errors import CashRefused, CloseError
from arbig.domain.account import DailySettlement
from arbig.domain.enums import Direction, Transfer
from arbig.domain.order import Order
from arbig.domain.snapshot import AccountSnapshot, PositionSnapshot
from arbig.web.deps import ActorDep, ClientDep
from arbig.web.idempotency import Idempotency, IdempotencyKey
from arbig.web.responses import DomainJSON
from arbig.web.schemas import IsoDay, IsoTime, answers, refused

router = APIRouter(tags=["book"])


@router.get(
    "/positions",
    summary="Open positions marked to the last price",
    responses=answers(list[PositionSnapshot]),
)
async def positions(client: ClientDep) -> Any:
    return DomainJSON(await client.positions())


@router.get(
    "/account", summary="Balance, available, margin and P&L", responses=answers(AccountSnapshot)
)
async def account(client: ClientDep) -> Any:
    return DomainJSON(await client.account())


@router.get(
    "/account/equity",
    summary="The equity curve, thinned evenly to at most `points`",
    responses=answers(list[AccountSnapshot]),
)
async def equity(
    client: ClientDep,
    since: Annotated[IsoTime | None, Query(description="ISO 8601 with time zone")] = None,
    until: IsoTime | None = None,
    points: Annotated[int, Query(ge=2, le=5000)] = 500,
) -> Any:
    if since and until and since >= until:
        raise HTTPException(422, "since must be before until")
    return DomainJSON(await client.equity_curve(since, until, points))


@router.get(
    "/account/settlements",
    summary="The daily settlement of each trading day (CTP's statement), oldest first",
    responses=answers(list[DailySettlement]),
)
async def settlements(
    client: ClientDep,
    since: Annotated[IsoDay | None, Query(description="first trading day")] = None,
    until: Annotated[IsoDay | None, Query(description="last trading day")] = None,
) -> Any:
    if since and until and since > until:
        raise HTTPException(422, "since must not be after until")
    return DomainJSON(await client.settlements(since, until))


class CashIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # money moves: nothing is silently dropped

    amount: Annotated[
        Decimal,
        Field(
            gt=0,
            le=Decimal("1000000000000"),
            decimal_places=2,
            description='a positive sum of money in cents, e.g. "50000.00"',
            examples=["50000.00"],
        ),
    ]
    confirm: Literal[True] = Field(description="must be true")


async def _move_cash(
    kind: Transfer,
    body: CashIn,
    client: ClientDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: str | None,
) -> Any:
    async def act() -> Any:
        try:
            account = await client.move_cash(kind, body.amount, actor)
        except CashRefused as exc:
            raise HTTPException(409, str(exc)) from None
        return DomainJSON(account)

    keys: Idempotency = request.app.state.idempotency
    return await keys.once(idempotency_key, (actor.name, str(kind)), body.model_dump_json(), act)


_CASH_REFUSED = refused(
    409,
    "Refused, nothing moved: a live broker's account (money moves through the bank "
    "there), or a withdrawal above what is available",
)


@router.post(
    "/account/deposit",
    summary="Deposit into the simulated or paper account",
    responses={**answers(AccountSnapshot), **_CASH_REFUSED},
)
async def deposit(
    body: CashIn,
    client: ClientDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    return await _move_cash(Transfer.DEPOSIT, body, client, actor, request, idempotency_key)


@router.post(
    "/account/withdraw",
    summary="Withdraw from the simulated or paper account",
    responses={**answers(AccountSnapshot), **_CASH_REFUSED},
)
async def withdraw(
    body: CashIn,
    client: ClientDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    return await _move_cash(Transfer.WITHDRAW, body, client, actor, request, idempotency_key)


@router.get(
    "/orders", summary="Orders of this session, newest first", responses=answers(list[Order])
)
async def orders(
    client: ClientDep, active: Annotated[bool, Query(description="only working orders")] = False
) -> Any:
    return DomainJSON(await client.orders(active_only=active))


class CloseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # money moves: nothing is silently dropped

    symbol: Annotated[str, Field(pattern=r"^[a-z]{1,2}\d{3,4}$", examples=["au2612"])]
    direction: Direction
    volume: Annotated[
        int | None, Field(gt=0, le=10_000, strict=True, description="all lots when absent")
    ] = None


class CloseConfirm(BaseModel):
    token: Annotated[str, Field(min_length=8, max_length=64)]


@router.post(
    "/positions/close",
    summary="Step 1 of a close: the preview and its token",
    responses=answers(ClosePreview),
)
async def preview_close(body: CloseRequest, client: ClientDep) -> Any:
    try:
        preview = await client.preview_close(body.symbol, body.direction, body.volume)
    except CloseError as exc:
        raise HTTPException(422, str(exc)) from None
    return DomainJSON(preview)


@router.post(
    "/positions/close/confirm",
    summary="Step 2 of a close: send the previewed orders",
    responses={
        **answers(CloseResult),
        **refused(409, "The close token is unknown, expired or already used"),
    },
)
async def confirm_close(
    body: CloseConfirm,
    client: ClientDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    async def act() -> Any:
        try:
            result = await client.confirm_close(body.token, actor)
        except CloseError as exc:
            raise HTTPException(409, str(exc)) from None
        return DomainJSON(result)

    keys: Idempotency = request.app.state.idempotency
    return await keys.once(idempotency_key, (actor.name, "close"), body.model_dump_json(), act)
