"""The book: positions with live P&L, the account and orders."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from arbig.codec import to_jsonable
from arbig.web.deps import ClientDep

router = APIRouter(tags=["book"])


@router.get("/positions", summary="Open positions marked to the last price")
async def positions(client: ClientDep) -> Any:
    return to_jsonable(await client.positions())


@router.get("/account", summary="Balance, available, margin and P&L")
async def account(client: ClientDep) -> Any:
    return to_jsonable(await client.account())


@router.get("/orders", summary="Orders of this session, newest first")
async def orders(
    client: ClientDep, active: Annotated[bool, Query(description="only working orders")] = False
) -> Any:
    return to_jsonable(await client.orders(active_only=active))
