"""Order entry: a limit order, sent through the core's checks."""

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, Field

from arbig.domain.enums import Exchange, Offset, OrderSource, Side
from arbig.domain.order import OrderRequest
from arbig.engine.core import OrderRefused
from arbig.web.audit import audit
from arbig.web.deps import ClientDep
from arbig.web.security import Operator

router = APIRouter(prefix="/orders", tags=["orders"])


class OrderIn(BaseModel):
    """A limit order. SHFE refuses market orders: send a marketable limit price."""

    symbol: Annotated[str, Field(pattern=r"^[a-z]{1,2}\d{3,4}$", examples=["au2612"])]
    side: Side
    offset: Offset = Offset.OPEN
    price: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=4, examples=["912.34"])]
    volume: Annotated[int, Field(gt=0, le=10_000, examples=[1])]


class OrderAccepted(BaseModel):
    order_id: str


@router.post("", status_code=202, summary="Send a limit order")
async def send_order(
    order: OrderIn, request: Request, client: ClientDep, operator: Operator
) -> OrderAccepted:
    wanted = OrderRequest(
        symbol=order.symbol,
        exchange=Exchange.SHFE,
        side=order.side,
        offset=order.offset,
        price=order.price,
        volume=order.volume,
        source=OrderSource.OPERATOR,
    )
    detail = {
        "side": order.side.value,
        "offset": order.offset.value,
        "price": str(order.price),
        "volume": order.volume,
    }
    try:
        order_id = await client.send_order(wanted)
    except OrderRefused as exc:
        await audit(
            client,
            request,
            operator.name,
            "send_order",
            "refused",
            target=order.symbol,
            detail={**detail, "reason": str(exc)},
        )
        raise HTTPException(422, str(exc)) from None
    await audit(
        client,
        request,
        operator.name,
        "send_order",
        "sent",
        target=order.symbol,
        detail={**detail, "order_id": order_id},
    )
    return OrderAccepted(order_id=order_id)


@router.delete("/{order_id}", status_code=202, summary="Cancel a working order")
async def cancel_order(
    order_id: Annotated[str, Path(max_length=64)],
    request: Request,
    client: ClientDep,
    operator: Operator,
) -> OrderAccepted:
    working = {o.order_id for o in await client.orders(active_only=True)}
    if order_id not in working:
        raise HTTPException(404, f"no working order {order_id[:64]!r}")
    await client.cancel_order(order_id)
    await audit(client, request, operator.name, "cancel_order", "sent", target=order_id)
    return OrderAccepted(order_id=order_id)
