"""Order entry: a limit order, sent through the core's checks."""

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from arbig.domain.enums import Exchange, Offset, OrderSource, Side
from arbig.domain.order import OrderRequest
from arbig.engine.core import OrderRefused
from arbig.web.deps import ClientDep

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
async def send_order(order: OrderIn, client: ClientDep) -> OrderAccepted:
    request = OrderRequest(
        symbol=order.symbol,
        exchange=Exchange.SHFE,
        side=order.side,
        offset=order.offset,
        price=order.price,
        volume=order.volume,
        source=OrderSource.OPERATOR,
    )
    try:
        order_id = await client.send_order(request)
    except OrderRefused as exc:
        raise HTTPException(422, str(exc)) from None
    return OrderAccepted(order_id=order_id)


@router.delete("/{order_id}", status_code=202, summary="Cancel a working order")
async def cancel_order(order_id: str, client: ClientDep) -> Any:
    working = {o.order_id for o in await client.orders(active_only=True)}
    if order_id not in working:
        raise HTTPException(404, f"no working order {order_id[:64]!r}")
    await client.cancel_order(order_id)
    return {"order_id": order_id}
