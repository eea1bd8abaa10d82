"""Order entry: a limit order, sent through the core's checks."""

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from arbig.api.actor import Actor
from arbig.api.client import CoreClient
from arbig.api.errors import OrderRefused
from arbig.domain.enums import Exchange, Offset, OrderSource, Side
from arbig.domain.order import OrderRequest
from arbig.web.deps import ActorDep, ClientDep
from arbig.web.idempotency import Idempotency, IdempotencyKey
from arbig.web.schemas import refused

router = APIRouter(prefix="/orders", tags=["orders"])


def _plain_price(value: object) -> object:
    """A price is a JSON number or a decimal string as written: no spaces around it."""
    if isinstance(value, str) and value != value.strip():
        raise ValueError("price must be a number or a decimal string without spaces")
    return value


class OrderIn(BaseModel):
    """A limit order. SHFE refuses market orders: send a marketable limit price.

    Strict, because money moves: an unknown field is refused (not dropped), the volume
    must be a JSON integer, the price a number or a decimal string without spaces."""

    model_config = ConfigDict(extra="forbid")

    symbol: Annotated[str, Field(pattern=r"^[a-z]{1,2}\d{3,4}$", examples=["au2612"])]
    side: Side
    offset: Offset = Offset.OPEN
    price: Annotated[
        Decimal,
        BeforeValidator(_plain_price),
        Field(gt=0, max_digits=12, decimal_places=4, examples=["912.34"]),
    ]
    volume: Annotated[int, Field(gt=0, le=10_000, strict=True, examples=[1])]


class OrderAccepted(BaseModel):
    order_id: str


@router.post("", status_code=202, summary="Send a limit order")
async def send_order(
    order: OrderIn,
    client: ClientDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> OrderAccepted:
    keys: Idempotency = request.app.state.idempotency
    answer: OrderAccepted = await keys.once(
        idempotency_key,
        (actor.name, "orders"),
        order.model_dump_json(),
        lambda: _send(order, client, actor),
    )
    return answer


async def _send(order: OrderIn, client: CoreClient, actor: Actor) -> OrderAccepted:
    wanted = OrderRequest(
        symbol=order.symbol,
        exchange=Exchange.SHFE,
        side=order.side,
        offset=order.offset,
        price=order.price,
        volume=order.volume,
        source=OrderSource.OPERATOR,
    )
    try:
        order_id = await client.send_order(wanted, actor)
    except OrderRefused as exc:
        raise HTTPException(422, str(exc)) from None
    return OrderAccepted(order_id=order_id)


@router.delete(
    "/{order_id}",
    status_code=202,
    summary="Cancel a working order",
    responses=refused(404, "No working order with that id"),
)
async def cancel_order(
    order_id: Annotated[str, Path(max_length=64)], client: ClientDep, actor: ActorDep
) -> OrderAccepted:
    try:
        await client.cancel_order(order_id, actor)
    except OrderRefused as exc:
        raise HTTPException(404, str(exc)) from None
    return OrderAccepted(order_id=order_id)
