"""Market data: the latest quote and recent ticks of a symbol."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query

from arbig.web.deps import ClientDep
from arbig.web.responses import DomainJSON
from arbig.web.schemas import Tick, answers, refused

router = APIRouter(prefix="/market", tags=["market"])

Symbol = Annotated[str, Path(pattern=r"^[a-z]{1,2}\d{3,4}$", description="e.g. au2612")]


@router.get(
    "/{symbol}/tick",
    summary="The latest tick of a symbol",
    responses={**answers(Tick), **refused(404, "No tick for the symbol yet")},
)
async def latest_tick(symbol: Symbol, client: ClientDep) -> Any:
    tick = await client.latest_tick(symbol)
    if tick is None:
        raise HTTPException(404, f"no tick for {symbol} yet: is it subscribed?")
    return DomainJSON(tick)


@router.get(
    "/{symbol}/ticks",
    summary="Recent ticks of a symbol, oldest first",
    responses=answers(list[Tick]),
)
async def recent_ticks(
    symbol: Symbol, client: ClientDep, count: Annotated[int, Query(ge=1, le=1000)] = 100
) -> Any:
    return DomainJSON(await client.ticks(symbol, count))
